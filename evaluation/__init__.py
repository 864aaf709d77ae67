"""Evaluation: measures how well Garant retrieves and answers (`garant-eval`)."""
