"""Extraction stages: what is read out of a document's text."""
