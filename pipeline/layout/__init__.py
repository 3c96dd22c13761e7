"""Page layout shared by the digital PDF reader and the OCR path: lines, blocks, reading order.

Import from `pipeline.layout.reading_order`. Nothing is re-exported here on purpose: a package
attribute `reading_order` (the function) would shadow the submodule of the same name.
"""
