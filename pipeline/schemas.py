"""JSON Schemas of the contract, generated from the models.

`python -m pipeline.schemas` rewrites `schemas/`; a test fails when the committed files drift.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from pipeline.document import PolicyDocument
from pipeline.profile import ApplicantProfile

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "policy_document.schema.json": PolicyDocument,
    "applicant_profile.schema.json": ApplicantProfile,
}


def render(model: type[BaseModel]) -> str:
    """The schema as committed: stable key order, UTF-8, trailing newline."""
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_FILES.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(__file__).resolve().parent.parent / "schemas"):
        print(path)
