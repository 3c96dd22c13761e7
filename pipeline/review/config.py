"""The Label Studio labeling config: one `Label` per entity label, one `Relation` per relation label,
character-level selection, so the reviewer's spans have exactly the corpus's offsets."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pipeline.labels import ALLOWED_RELATIONS, GLOSSARY, EntityLabel, RelationLabel

# The names tying results to the config; exported predictions and imported annotations use them.
LABELS_NAME = "label"
TEXT_NAME = "text"

# Who and what are blues and greens, conditions purples, award values warm colours: a reviewer
# sees at a glance which part of a clause a span belongs to.
ENTITY_COLOURS: dict[EntityLabel, str] = {
    EntityLabel.BENEFICIARY: "#4e79a7",
    EntityLabel.METRIC: "#76b7b2",
    EntityLabel.THRESHOLD: "#59a14f",
    EntityLabel.CONDITION: "#b07aa1",
    EntityLabel.BENEFIT_KIND: "#f28e2b",
    EntityLabel.RATE: "#e15759",
    EntityLabel.BASE: "#ff9da7",
    EntityLabel.CAP: "#edc948",
    EntityLabel.CAP_PER: "#9c755f",
    EntityLabel.AMOUNT: "#d37295",
    EntityLabel.UNIT_AMOUNT: "#fabfd2",
    EntityLabel.UNIT: "#bab0ac",
    EntityLabel.DURATION: "#8cd17d",
    EntityLabel.EXCLUSION: "#79706e",
}

# Digits first, then letters that Label Studio's own shortcuts leave free (it uses u, h, r with alt).
_HOTKEYS = "1234567890qwet"


def entity_hotkeys() -> dict[EntityLabel, str]:
    return dict(zip(EntityLabel, _HOTKEYS, strict=True))


def relation_colour(relation: RelationLabel) -> str:
    """A relation takes the colour of the label it points to (the first, where it may point to several)."""
    tails = ALLOWED_RELATIONS[relation][1]
    return ENTITY_COLOURS[next(label for label in EntityLabel if label in tails)]


def labeling_config() -> str:
    """The `<View>` XML to paste into a Label Studio project (Settings → Labeling Interface).

    >>> "granularity=\\"symbol\\"" in labeling_config()
    True
    """
    view = ET.Element("View")
    relations = ET.SubElement(view, "Relations")
    for relation in RelationLabel:
        ET.SubElement(relations, "Relation", value=relation.value, background=relation_colour(relation))
    labels = ET.SubElement(view, "Labels", name=LABELS_NAME, toName=TEXT_NAME, showInline="true")
    hotkeys = entity_hotkeys()
    for label in EntityLabel:
        ET.SubElement(
            labels,
            "Label",
            value=label.value,
            background=ENTITY_COLOURS[label],
            hotkey=hotkeys[label],
            hint=GLOSSARY[label.value],
        )
    ET.SubElement(view, "Text", name=TEXT_NAME, value=f"${TEXT_NAME}", granularity="symbol")
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"
