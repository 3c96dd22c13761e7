"""A static review page per document: the text with the extracted entities highlighted (spaCy's
displaCy in manual mode, so no model or download is involved) beside the measures they make.

displaCy's entity style draws one span per stretch of text; where the extraction nested spans
(which the corpus rules forbid) the outer one is drawn and the inner ones are listed under the
text, so the reviewer sees them and fixes them in the labeling tool.
"""

from __future__ import annotations

from html import escape

from spacy import displacy

from pipeline.document import Entity, PolicyDocument
from pipeline.labels import GLOSSARY, EntityLabel
from pipeline.measures_view import MEASURE_COLUMNS, measure_rows
from pipeline.review.config import ENTITY_COLOURS

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 1.5em; }
header { margin-bottom: 1em; }
header p { color: #555; margin: 0.2em 0; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5em; align-items: start; }
aside { position: sticky; top: 1em; max-height: 95vh; overflow: auto; }
table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; white-space: pre-line; }
th { background: #f4f4f4; }
.legend span { display: inline-block; padding: 0.1em 0.5em; margin: 0.15em; border-radius: 0.3em; }
.nested { color: #a33; }
"""


def _drawable(entities: list[Entity]) -> tuple[list[Entity], list[Entity]]:
    """Entities displaCy can draw (no overlaps: the longer first), and the nested rest."""
    drawn: list[Entity] = []
    nested: list[Entity] = []
    for e in sorted(entities, key=lambda e: (e.start, -e.end)):
        (nested if drawn and e.start < drawn[-1].end else drawn).append(e)
    return drawn, nested


def review_page(doc: PolicyDocument, *, doc_id: str) -> str:
    """The whole HTML page of one document; every value from the document is escaped."""
    drawn, nested = _drawable(doc.entities)
    highlighted = displacy.render(
        {
            "text": doc.text,
            "ents": [{"start": e.start, "end": e.end, "label": e.label} for e in drawn],
            "title": None,
        },
        style="ent",
        manual=True,
        page=False,
        jupyter=False,
        options={"colors": {label.value: colour for label, colour in ENTITY_COLOURS.items()}},
    )
    legend = "".join(
        f'<span style="background: {ENTITY_COLOURS[label]}" title="{escape(GLOSSARY[label.value])}">'
        f"{label.value}</span>"
        for label in EntityLabel
    )
    nested_list = ""
    if nested:
        items = "".join(
            f"<li>{escape(e.label)} {escape(e.text)} ({e.start}:{e.end}, {escape(e.id)})</li>" for e in nested
        )
        nested_list = (
            f'<div class="nested"><p>Nested inside another span, not drawn:</p><ul>{items}</ul></div>'
        )
    head = "".join(f"<th>{escape(c)}</th>" for c in MEASURE_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in measure_rows(doc)
    )
    title = doc.metadata.title or doc.source.name
    facts = (
        f"{escape(doc.source.name)} · {escape(doc_id)} · {len(doc.entities)} entities · "
        f"{len(doc.relations)} relations · {len(doc.measures)} measures"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>{escape(title)}</h1><p>{facts}</p><p class="legend">{legend}</p></header>\n'
        f'<main>\n<section class="text">{highlighted}{nested_list}</section>\n'
        f"<aside><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></aside>\n"
        "</main>\n</body>\n</html>\n"
    )
