"""Finding the passages that answer a question."""
