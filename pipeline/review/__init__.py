"""The review loop: reviewers correct extractions in Label Studio (or doccano), corrections go back into
the corpus format and into training.

    zhengce ingest ──► labels export ──► Label Studio / doccano ──► labels import ──► train --reviewed
                       (predictions)      (reviewers correct)        (validated corpus records)

- `config`: the Label Studio labeling config for our entity and relation labels;
- `formats`: the tools' wire formats (Label Studio tasks, doccano lines) as typed models;
- `export`: extraction results as Label Studio tasks with predictions, or doccano JSONL;
- `html`: one static review page per document (displaCy highlighting beside the measures);
- `importer`: Label Studio full JSON exports and doccano JSONL back into `CorpusRecord`s;
- `reviewed`: reviewed records for `zhengce train` and `zhengce evaluate`.
"""
