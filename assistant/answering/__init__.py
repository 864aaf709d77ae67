"""Answering: from a staff question to a grounded, cited, checked answer (or an honest refusal)."""
