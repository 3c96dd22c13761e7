"""OCR for scanned pages and image-only PDFs (issue 4).

- `engine`: the `OcrEngine` interface, RapidOCR (PP-OCRv6 on onnxruntime, bundled models, never
  downloads) and an optional PaddleOCR plug-in.
- `prepare`: pixel limit checked from the header, decoding page by page, orientation and skew.
- `page`: one page image into raw blocks in reading order, through `pipeline.layout.reading_order`.
- `synthetic` and `evaluate`: generated newspaper pages with ground truth, and the measures
  (`zhengce evaluate ocr`).

Import from the submodules; nothing is re-exported here, so importing the package loads no model.
"""
