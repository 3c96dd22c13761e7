"""The Label Studio labeling config: every label, colours, distinct hotkeys, character granularity."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.labels import EntityLabel, RelationLabel
from pipeline.review.config import labeling_config


def test_config_lists_every_label_with_colour_and_hotkey() -> None:
    view = ET.fromstring(labeling_config())
    labels = view.find("Labels")
    text = view.find("Text")
    assert labels is not None and text is not None
    assert labels.get("toName") == text.get("name")
    assert text.get("value") == "$text" and text.get("granularity") == "symbol"
    entries = labels.findall("Label")
    assert [e.get("value") for e in entries] == [label.value for label in EntityLabel]
    hotkeys = [e.get("hotkey") for e in entries]
    assert all(hotkeys) and len(set(hotkeys)) == len(hotkeys)
    assert all(str(e.get("background")).startswith("#") for e in entries)
    assert len({e.get("background") for e in entries}) == len(entries)
    relations = view.findall("Relations/Relation")
    assert [r.get("value") for r in relations] == [label.value for label in RelationLabel]
    assert all(str(r.get("background")).startswith("#") for r in relations)


def test_config_command_prints_it() -> None:
    result = CliRunner().invoke(main, ["labels", "config"])
    assert result.exit_code == 0
    assert result.stdout == labeling_config()
