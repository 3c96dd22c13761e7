"""Decoding of tag probabilities into spans, and the pattern hints the model reads."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.labels import EntityLabel
from pipeline.model.extractor import _Span, bracketed
from pipeline.model.features import (
    _ALLOWED,
    _MID_WORD_EDGES,
    _STARTS,
    MID_WORD_EDGE_COST,
    PATTERN_NO_RELATION,
    PATTERN_NO_SPANS,
    RELATION_LABELS,
    TAG_INDEX,
    TAGS,
    bio_tags,
    decode_tags,
    pattern_hints,
)
from pipeline.model.words import word_boundaries


def _probs(tags: list[str], wavering: dict[int, tuple[str, float]] | None = None) -> np.ndarray:
    probs = np.full((len(tags), len(TAGS)), 0.01)
    for i, tag in enumerate(tags):
        probs[i, TAG_INDEX[tag]] = 0.6
    for i, (tag, p) in (wavering or {}).items():
        probs[i, TAG_INDEX[tag]] = p
    return probs / probs.sum(axis=1, keepdims=True)


def test_decode_keeps_a_long_span_whole_when_one_character_wavers() -> None:
    tags = ["O", "B-CONDITION", "I-CONDITION", "I-BENEFICIARY", "I-CONDITION", "O"]
    # Character 3 leans to a tag that cannot continue a condition; the condition is still more likely.
    (span,) = decode_tags(_probs(tags, {3: ("I-CONDITION", 0.3)}))
    assert (span.start, span.end, span.label) == (1, 5, EntityLabel.CONDITION)


def test_decode_never_starts_a_span_with_an_inside_tag() -> None:
    spans = decode_tags(_probs(["I-RATE", "I-RATE", "O", "B-CAP", "I-CAP"]))
    assert all(s.label in (EntityLabel.RATE, EntityLabel.CAP) for s in spans)
    assert (spans[-1].start, spans[-1].end) == (3, 5)
    assert decode_tags(np.empty((0, len(TAGS)))) == []


def _boundaries(length: int, inside_words: set[int]) -> np.ndarray:
    return np.array([i not in inside_words for i in range(length + 1)])


def test_decode_moves_a_span_edge_out_of_a_word() -> None:
    # The model slightly prefers ending the condition after character 2, inside a word (2..3).
    probs = _probs(["O", "B-CONDITION", "I-CONDITION", "O", "O"], {3: ("I-CONDITION", 0.45)})
    (cut,) = decode_tags(probs)
    assert (cut.start, cut.end) == (1, 3)
    (whole,) = decode_tags(probs, _boundaries(5, {3}))
    assert (whole.start, whole.end, whole.label) == (1, 4, EntityLabel.CONDITION)


def _path_score(path: list[int], log_probs: np.ndarray, boundaries: np.ndarray) -> float:
    score = log_probs[0, path[0]] if _STARTS[path[0]] else -np.inf
    for i in range(1, len(path)):
        if not _ALLOWED[path[i - 1], path[i]]:
            return -np.inf
        cut = 0.0 if boundaries[i] else MID_WORD_EDGE_COST * _MID_WORD_EDGES[path[i - 1], path[i]]
        score += log_probs[i, path[i]] - cut
    return float(score)


def _optimum(log_probs: np.ndarray, boundaries: np.ndarray) -> float:
    """The best path's score by brute force over the previous tag (forward pass only)."""
    score = np.where(_STARTS, log_probs[0], -np.inf)
    for i in range(1, len(log_probs)):
        cut = 0.0 if boundaries[i] else MID_WORD_EDGE_COST * _MID_WORD_EDGES
        step = score[:, None] + np.where(_ALLOWED, 0.0, -np.inf) - cut
        score = step.max(axis=0) + log_probs[i]
    return float(score.max())


def test_decode_finds_the_best_valid_path_sharp_or_flat() -> None:
    # Sharp distributions mostly take the shortcut (each character's best tag is already a valid
    # path); flat ones mostly need the full Viterbi. Both must reach the optimum.
    rng = np.random.default_rng(7)
    for concentration in (0.02, 0.3, 3.0):
        for _ in range(60):
            length = int(rng.integers(1, 40))
            probs = rng.dirichlet(np.full(len(TAGS), concentration), size=length)
            probs = np.clip(probs, 1e-9, 1.0)
            boundaries = rng.random(length + 1) < 0.7
            spans = decode_tags(probs, boundaries)
            path = bio_tags(length, [(s.start, s.end, s.label) for s in spans])
            log_probs = np.log(probs)
            assert _path_score(path, log_probs, boundaries) >= _optimum(log_probs, boundaries) - 1e-9


def test_decode_lets_units_start_inside_a_word() -> None:
    # 每人: the unit 人 starts inside the word, as the annotation rules say.
    (unit,) = decode_tags(_probs(["O", "B-UNIT", "O"]), _boundaries(3, {1}))
    assert (unit.start, unit.end, unit.label) == (1, 2, EntityLabel.UNIT)


def test_word_boundaries_follow_jieba() -> None:
    text = "农民专业合作社使用银行贷款"
    boundaries = word_boundaries(text)
    assert len(boundaries) == len(text) + 1 and boundaries[0] and boundaries[-1]
    assert not boundaries[text.index("业")]  # 专业 is one word


def test_pattern_hints_tag_the_rules_entities_and_relations() -> None:
    text = "对上一年度营业收入超过500万元的企业，按照营业收入的1%给予奖励，最高不超过200万元。"
    hints = pattern_hints(text)
    assert len(hints.tags) == len(text)
    cap = text.index("200万元")
    assert TAGS[hints.tags[cap]] == "B-CAP" and TAGS[hints.tags[cap + 1]] == "I-CAP"
    kind = (text.index("奖励"), text.index("奖励") + 2)
    assert hints.pair(kind, (cap, cap + 5)) == RELATION_LABELS.index("HAS_CAP")
    assert hints.pair((cap, cap + 5), kind) == PATTERN_NO_RELATION
    assert hints.pair((0, 1), kind) == PATTERN_NO_SPANS
    shifted = hints.shifted(cap - 3, len(text))
    assert shifted.tags[3] == hints.tags[cap] and (3, 8) in shifted.spans


def test_a_value_keeps_only_its_surest_head() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import surest_heads

    found = [
        (0, 2, R.HAS_THRESHOLD, 0.88),  # two metrics claim threshold 2
        (1, 2, R.HAS_THRESHOLD, 0.99),
        (3, 0, R.REQUIRES, 0.9),  # a benefit may require several things, and be required twice
        (4, 0, R.REQUIRES, 0.8),
    ]
    assert surest_heads(found) == found[1:]


def test_tier_values_pair_off_with_their_conditions_in_reading_order() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import _Span, paired_tiers

    # 对[国际级]、[国家级]赛事，分别给予最高[200万元]、[80万元]的[补助]
    def span(start: int, label: EntityLabel) -> _Span:
        return _Span(start, start + 3, label, 0.9, 0)

    c = EntityLabel.CONDITION
    spans = [span(0, c), span(4, c), span(12, EntityLabel.CAP), span(16, EntityLabel.CAP)]
    spans.append(span(22, EntityLabel.BENEFIT_KIND))
    every_pair = [(value, cond, R.REQUIRES, 0.8) for value in (2, 3) for cond in (0, 1)]
    anchor = [(4, 0, R.REQUIRES, 0.7), (4, 1, R.REQUIRES, 0.7), (4, 2, R.HAS_CAP, 0.9)]
    kept = paired_tiers(every_pair + anchor, spans)
    assert [(h, t) for h, t, label, _ in kept if label == R.REQUIRES and h != 4] == [(2, 0), (3, 1)]
    assert all(r in kept for r in anchor)  # an anchor's conditions are not tiers
    # Three values requiring two conditions are not a listing pairing off: nothing is dropped.
    spans.append(span(19, EntityLabel.CAP))
    uneven = [*every_pair, (5, 0, R.REQUIRES, 0.8), (5, 1, R.REQUIRES, 0.8)]
    assert paired_tiers(uneven, spans) == uneven


def test_tier_values_pair_off_when_the_head_linked_them_only_in_part() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import _Span, paired_tiers

    # 投资额达到[1亿元]、[3亿元]、[10亿元]的，分别按[2%]、[3%]、[4%]给予补助
    spans = [_Span(start, start + 3, EntityLabel.THRESHOLD, 0.9, 0) for start in (0, 4, 8)]
    spans += [_Span(start, start + 2, EntityLabel.RATE, 0.9, 0) for start in (14, 17, 20)]
    found = [(3, 0, R.REQUIRES, 0.9), (3, 2, R.REQUIRES, 0.6), (4, 0, R.REQUIRES, 0.7)]
    found += [
        (4, 1, R.REQUIRES, 0.8),
        (4, 2, R.REQUIRES, 0.7),
        (5, 2, R.REQUIRES, 0.9),
        (5, 0, R.REQUIRES, 0.5),
    ]
    assert sorted((h, t) for h, t, _, _ in paired_tiers(found, spans)) == [(3, 0), (4, 1), (5, 2)]


def test_an_award_keeps_only_the_cap_counted_per_claimant() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import DocumentPrediction, _Span, one_cap_per_award

    # 按设备投资额的[10%]给予[补助]，单台设备补助不超过[100万元]，每家[企业]累计不超过[五百万元]
    labels = [
        EntityLabel.RATE,
        EntityLabel.BENEFIT_KIND,
        EntityLabel.CAP,
        EntityLabel.CAP_PER,
        EntityLabel.CAP,
    ]
    spans = [
        _Span(start, start + 2, label, 0.9, 0)
        for start, label in zip((7, 12, 24, 33, 40), labels, strict=True)
    ]
    relations = [(1, 0, R.HAS_RATE, 0.9), (1, 2, R.HAS_CAP, 0.9), (1, 4, R.HAS_CAP, 0.9)]
    relations.append((4, 3, R.COUNTED_PER, 0.9))
    kept = one_cap_per_award(DocumentPrediction(spans, relations))
    assert [s.start for s in kept.spans] == [7, 12, 33, 40]
    assert kept.relations == [(1, 0, R.HAS_RATE, 0.9), (1, 3, R.HAS_CAP, 0.9), (3, 2, R.COUNTED_PER, 0.9)]
    # Tiered caps, each requiring its own condition, all stay.
    tiers = [*relations, (2, 0, R.REQUIRES, 0.8), (4, 0, R.REQUIRES, 0.8)]
    assert one_cap_per_award(DocumentPrediction(spans, tiers)).relations == tiers


def test_listed_values_left_unpaired_pair_off_with_the_metric_thresholds() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import _Span, listed_tiers

    text = "年度销售收入超过1亿元、5亿元的企业，分别按增量部分的2%、3%给予奖励。"

    def span(surface: str, label: EntityLabel) -> _Span:
        start = text.index(surface)
        return _Span(start, start + len(surface), label, 0.9, 0)

    spans = [
        span("年度销售收入", EntityLabel.METRIC),
        span("超过1亿元", EntityLabel.THRESHOLD),
        span("5亿元", EntityLabel.THRESHOLD),
        span("2%", EntityLabel.RATE),
        span("3%", EntityLabel.RATE),
        span("奖励", EntityLabel.BENEFIT_KIND),
    ]
    found = [(0, 1, R.HAS_THRESHOLD, 0.9), (0, 2, R.HAS_THRESHOLD, 0.9), (5, 0, R.REQUIRES, 0.9)]
    found += [(5, 3, R.HAS_RATE, 0.9), (5, 4, R.HAS_RATE, 0.9)]
    paired = listed_tiers(found, spans, text)
    assert sorted((h, t) for h, t, label, _ in paired if label == R.REQUIRES) == [(3, 1), (4, 2)]
    # Without 分别 the two rates could be one award's alternatives: nothing is guessed.
    plain = text.replace("分别", "各自")
    assert listed_tiers(found, spans, plain) == found


def _spans_of(text: str, marked: list[tuple[str, EntityLabel]]) -> list[_Span]:
    """The marked surfaces as spans, each found after the one before."""
    spans, at = [], 0
    for surface, label in marked:
        start = text.index(surface, at)
        spans.append(_Span(start, start + len(surface), label, 0.9, 0))
        at = start + len(surface)
    return spans


def test_titles_listed_before_fenbie_pair_off_with_the_values_after_it() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import keys_in_order

    text = "对年龄不超过35周岁的新引进博士、硕士、本科毕业生，分别按每人每月3000元、2000元、1000元发放补贴，最高分别为5万元、3万元、1万元。"
    spans = _spans_of(
        text,
        [
            ("年龄", EntityLabel.METRIC),
            ("不超过35周岁", EntityLabel.THRESHOLD),
            ("博士", EntityLabel.CONDITION),
            ("硕士", EntityLabel.CONDITION),
            ("本科毕业生", EntityLabel.CONDITION),
            ("3000元", EntityLabel.UNIT_AMOUNT),
            ("2000元", EntityLabel.UNIT_AMOUNT),
            ("1000元", EntityLabel.UNIT_AMOUNT),
            ("补贴", EntityLabel.BENEFIT_KIND),
            ("5万元", EntityLabel.CAP),
            ("3万元", EntityLabel.CAP),
            ("1万元", EntityLabel.CAP),
        ],
    )
    # The relation head tied the shared age limit and one title to the award, one to a wrong value.
    found = [
        (0, 1, R.HAS_THRESHOLD, 0.9),
        (8, 0, R.REQUIRES, 0.9),
        (8, 2, R.REQUIRES, 0.8),
        (7, 3, R.REQUIRES, 0.6),
    ]
    found += [(8, k, R.HAS_UNIT_AMOUNT, 0.9) for k in (5, 6, 7)] + [
        (8, k, R.HAS_CAP, 0.9) for k in (9, 10, 11)
    ]
    paired = keys_in_order(found, spans, text)
    requires = sorted((h, t) for h, t, label, _ in paired if label == R.REQUIRES)
    # Each value its own title; the shared age limit stays with the award; the second 分别 lists no
    # titles of its own, so the caps are left as they were.
    assert requires == [(5, 2), (6, 3), (7, 4), (8, 0)]
    # Caps that were given their titles keep them (rule 16).
    tiered_caps = [(9, 2, R.REQUIRES, 0.9), (10, 3, R.REQUIRES, 0.9), (11, 4, R.REQUIRES, 0.9)]
    kept = keys_in_order(found + tiered_caps, spans, text)
    assert set(tiered_caps) <= set(kept)


def test_titles_and_values_that_alternate_pair_off() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import keys_in_order

    text = "博士研究生每人每月3000元、硕士研究生每人每月1500元给予生活补贴。获评省级的给予10万元。"
    spans = _spans_of(
        text,
        [
            ("博士", EntityLabel.CONDITION),
            ("3000元", EntityLabel.UNIT_AMOUNT),
            ("硕士", EntityLabel.CONDITION),
            ("1500元", EntityLabel.UNIT_AMOUNT),
            ("补贴", EntityLabel.BENEFIT_KIND),
            ("获评省级", EntityLabel.CONDITION),
            ("10万元", EntityLabel.AMOUNT),
        ],
    )
    found = [(4, 1, R.HAS_UNIT_AMOUNT, 0.9), (4, 3, R.HAS_UNIT_AMOUNT, 0.9), (6, 5, R.REQUIRES, 0.9)]
    paired = keys_in_order(found, spans, text)
    assert sorted((h, t) for h, t, label, _ in paired if label == R.REQUIRES) == [(1, 0), (3, 2), (6, 5)]
    # One title and one value are no listing: nothing changes.
    lone = spans[:2]
    assert keys_in_order([], lone, text) == []


def test_touching_spans_of_one_label_are_one_span() -> None:
    from pipeline.model.extractor import _Span, merged_neighbours

    metric, threshold = EntityLabel.METRIC, EntityLabel.THRESHOLD
    spans = [_Span(9, 16, metric, 0.8, 0), _Span(7, 9, metric, 0.9, 0), _Span(16, 22, threshold, 0.9, 0)]
    assert merged_neighbours(spans) == [_Span(7, 16, metric, 0.8, 0), _Span(16, 22, threshold, 0.9, 0)]
    # Touching spans read in different windows keep their own hidden states.
    apart = [_Span(7, 9, metric, 0.9, 0), _Span(9, 16, metric, 0.8, 1)]
    assert merged_neighbours(apart) == apart


def test_an_award_left_without_a_value_takes_the_one_it_scores_highest() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import RELATION_LABELS, every_award_valued

    text = "按每人每月1200元给予岗位补贴，并按社会保险费的100%给予社会保险补贴；另给予奖励。"
    spans = _spans_of(
        text,
        [
            ("1200元", EntityLabel.UNIT_AMOUNT),
            ("岗位补贴", EntityLabel.BENEFIT_KIND),
            ("100%", EntityLabel.RATE),
            ("社会保险补贴", EntityLabel.BENEFIT_KIND),
            ("奖励", EntityLabel.BENEFIT_KIND),
        ],
    )

    def scored(relation: R, score: float) -> np.ndarray:
        row = np.zeros(len(RELATION_LABELS) + 1, dtype=np.float32)
        row[RELATION_LABELS.index(relation)] = score
        return row

    # The head gave both values to the first award; the second scores the rate at 0.4.
    found = [(1, 0, R.HAS_UNIT_AMOUNT, 0.99), (1, 2, R.HAS_RATE, 0.6)]
    scores = {
        (1, 0): scored(R.HAS_UNIT_AMOUNT, 0.99),
        (1, 2): scored(R.HAS_RATE, 0.6),
        (3, 2): scored(R.HAS_RATE, 0.4),
        (3, 0): scored(R.HAS_UNIT_AMOUNT, 0.3),
        (4, 2): scored(R.HAS_RATE, 0.1),
    }
    valued = every_award_valued(found, scores, spans)
    assert sorted((h, t, label) for h, t, label, _ in valued) == [
        (1, 0, R.HAS_UNIT_AMOUNT),
        (3, 2, R.HAS_RATE),
    ]
    # An award never gives up its last value, and a faint score moves nothing.
    assert every_award_valued(found[:1], scores, spans) == found[:1]
    faint = {**scores, (3, 2): scored(R.HAS_RATE, 0.1), (3, 0): scored(R.HAS_UNIT_AMOUNT, 0.1)}
    assert every_award_valued(found, faint, spans) == found


def test_an_award_word_repeated_before_its_caps_is_dropped() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import DocumentPrediction, no_repeated_award_word

    text = "按实际投入的20%给予资助，完成Ⅱ期、Ⅲ期临床试验的，分别最高资助300万元、500万元。"
    spans = _spans_of(
        text,
        [
            ("实际投入", EntityLabel.BASE),
            ("20%", EntityLabel.RATE),
            ("资助", EntityLabel.BENEFIT_KIND),
            ("完成Ⅱ期", EntityLabel.CONDITION),
            ("Ⅲ期临床试验", EntityLabel.CONDITION),
            ("资助", EntityLabel.BENEFIT_KIND),
            ("300万元", EntityLabel.CAP),
            ("500万元", EntityLabel.CAP),
        ],
    )
    relations = [
        (1, 0, R.HAS_BASE, 0.9),
        (2, 1, R.HAS_RATE, 0.9),
        (2, 6, R.HAS_CAP, 0.9),
        (2, 7, R.HAS_CAP, 0.9),
        (5, 6, R.HAS_CAP, 0.8),
        (5, 7, R.HAS_CAP, 0.8),
        (5, 3, R.REQUIRES, 0.6),
        (6, 3, R.REQUIRES, 0.9),
        (7, 4, R.REQUIRES, 0.9),
    ]
    kept = no_repeated_award_word(DocumentPrediction(spans, relations))
    assert [s.start for s in kept.spans] == [s.start for k, s in enumerate(spans) if k != 5]
    assert sorted((kept.spans[h].start, label) for h, _, label, _ in kept.relations) == sorted(
        (spans[h].start, label) for h, _, label, _ in relations if h != 5
    )
    # Two awards that share one cap and hold nothing else both stay.
    shared = _spans_of(
        "房租补贴和物业费补贴合计最高50万元。",
        [("补贴", EntityLabel.BENEFIT_KIND), ("补贴", EntityLabel.BENEFIT_KIND), ("50万元", EntityLabel.CAP)],
    )
    both = DocumentPrediction(shared, [(0, 2, R.HAS_CAP, 0.9), (1, 2, R.HAS_CAP, 0.9)])
    assert no_repeated_award_word(both) == both


def test_a_band_is_one_threshold_with_its_inclusion_marks() -> None:
    from pipeline.model.extractor import _Span, bands_are_one_threshold

    text = "对年营业收入5000万元（含）至1亿元（不含）、从业人员50人至300人的企业，给予奖励"
    t, c = EntityLabel.THRESHOLD, EntityLabel.CONDITION
    first = text.index("5000")
    second = text.index("1亿元")
    people = text.index("50人")
    spans = [
        _Span(first, second - 1, t, 0.9, 0),  # 5000万元（含）
        _Span(second, second + 4, t, 0.9, 0),  # 1亿元（ : the tagger stopped inside the mark
        _Span(second + 4, second + 6, c, 0.4, 0),  # 不含
        _Span(people, people + 3, t, 0.9, 0),
        _Span(people + 4, people + 8, t, 0.9, 1),  # another window: left apart
    ]
    found = [(text[s.start : s.end], s.label) for s in bands_are_one_threshold(spans, text)]
    assert found == [("5000万元（含）至1亿元（不含）", t), ("50人", t), ("300人", t)]
    listed = "营业收入达到20万元、50万元的"  # two values listed, not a band
    a, b = listed.index("20万元"), listed.index("50万元")
    kept = bands_are_one_threshold([_Span(a, a + 4, t, 0.9, 0), _Span(b, b + 4, t, 0.9, 0)], listed)
    assert [listed[s.start : s.end] for s in kept] == ["20万元", "50万元"]


def test_a_ladder_of_sentences_gives_each_award_its_own_threshold() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import ladder_thresholds

    text = "年营业收入首次超过5亿元的，奖励50万元；首次超过20亿元的，奖励150万元；首次超过50亿元的，比例提高至2%。"
    spans = _spans_of(
        text,
        [
            ("年营业收入", EntityLabel.METRIC),
            ("超过5亿元", EntityLabel.THRESHOLD),
            ("奖励", EntityLabel.BENEFIT_KIND),
            ("50万元", EntityLabel.AMOUNT),
            ("超过20亿元", EntityLabel.THRESHOLD),
            ("奖励", EntityLabel.BENEFIT_KIND),
            ("150万元", EntityLabel.AMOUNT),
            ("超过50亿元", EntityLabel.THRESHOLD),
            ("2%", EntityLabel.RATE),
        ],
    )
    # The relation head related the first sentence only, and left the later thresholds alone.
    found = [(0, 1, R.HAS_THRESHOLD, 0.9), (2, 0, R.REQUIRES, 0.9), (2, 3, R.HAS_AMOUNT, 0.9)]
    found += [(5, 6, R.HAS_AMOUNT, 0.9), (2, 8, R.HAS_RATE, 0.6)]
    laddered = ladder_thresholds(found, spans, text)
    assert sorted((h, t) for h, t, label, _ in laddered if label == R.HAS_THRESHOLD) == [
        (0, 1),
        (0, 4),
        (0, 7),
    ]
    # The first award its own threshold instead of the metric (which now holds three); the rate, one of
    # two values of the first award, is a tier of its own.
    assert sorted((h, t) for h, t, label, _ in laddered if label == R.REQUIRES) == [(2, 1), (5, 4), (8, 7)]


def test_a_threshold_in_another_unit_or_with_no_award_after_it_is_no_tier() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import ladder_thresholds

    text = "年营业收入超过5亿元的，奖励50万元；项目须在3年内建成，从业人员达到100人以上。"
    spans = _spans_of(
        text,
        [
            ("年营业收入", EntityLabel.METRIC),
            ("超过5亿元", EntityLabel.THRESHOLD),
            ("奖励", EntityLabel.BENEFIT_KIND),
            ("50万元", EntityLabel.AMOUNT),
            ("达到100人以上", EntityLabel.THRESHOLD),
        ],
    )
    found = [(0, 1, R.HAS_THRESHOLD, 0.9), (2, 0, R.REQUIRES, 0.9), (2, 3, R.HAS_AMOUNT, 0.9)]
    assert ladder_thresholds(found, spans, text) == found


def test_an_award_in_a_sentence_opened_by_a_policy_verb_keeps_no_earlier_condition() -> None:
    from pipeline.labels import RelationLabel as R
    from pipeline.model.extractor import new_measure_new_conditions

    text = (
        "对参数量不低于千亿的大模型，给予不超过研发投入20%的补贴。支持行业大模型研究，按研发费用的10%予以资助。"
        "支持标准：按研发费用的5%给予奖励。"
    )
    spans = _spans_of(
        text,
        [
            ("参数量", EntityLabel.METRIC),
            ("不低于千亿", EntityLabel.THRESHOLD),
            ("20%", EntityLabel.RATE),
            ("补贴", EntityLabel.BENEFIT_KIND),
            ("10%", EntityLabel.RATE),
            ("资助", EntityLabel.BENEFIT_KIND),
            ("5%", EntityLabel.RATE),
            ("奖励", EntityLabel.BENEFIT_KIND),
        ],
    )
    found = [(0, 1, R.HAS_THRESHOLD, 0.9), (3, 0, R.REQUIRES, 0.9), (3, 2, R.HAS_RATE, 0.9)]
    found += [
        (5, 4, R.HAS_RATE, 0.9),
        (5, 0, R.REQUIRES, 0.6),
        (7, 6, R.HAS_RATE, 0.9),
        (7, 0, R.REQUIRES, 0.6),
    ]
    kept = new_measure_new_conditions(found, spans, text)
    # `支持标准：` labels the standard of the measure before it, whose conditions it keeps.
    assert sorted((h, t) for h, t, label, _ in kept if label == R.REQUIRES) == [(3, 0), (7, 0)]


@pytest.mark.parametrize(
    ("text", "span", "window", "expected"),
    [
        (
            "能源利用效率（PUE）应低于1.3",
            (0, 10),
            None,
            "能源利用效率（PUE）",
        ),  # takes in the closing bracket
        ("能源利用效率（PUE）应低于1.3", (7, 11), None, "（PUE）"),  # and the opening one
        ("补贴（不含税，下同）", (0, 6), None, "补贴"),  # no partner before the comma: gives it up
        ("能源利用效率（PUE）应低于1.3", (0, 10), (0, 10), "能源利用效率"),  # the partner is past the window
        ("研发费用(含委托研发)的10%", (0, 11), None, "研发费用(含委托研发)"),  # balanced: unchanged
    ],
)
def test_a_span_keeps_its_brackets_balanced(
    text: str, span: tuple[int, int], window: tuple[int, int] | None, expected: str
) -> None:
    lo, hi = window or (0, len(text))
    assert text[slice(*bracketed(text, *span, lo, hi))] == expected
