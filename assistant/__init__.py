"""Garant: an offline assistant that answers staff questions from an establishment's documents.

The package is layered: engine adapters (embedders, vector index, chat models) → services
(retrieval, answering) → entry points (CLI, web page). Nothing happens at import time.
"""

__version__ = "0.1.0"
