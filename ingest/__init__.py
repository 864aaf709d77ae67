"""Ingest: turns the establishment's files into a versioned, searchable index (`garant-ingest`)."""
