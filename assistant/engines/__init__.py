"""Engine adapters: each third-party engine (embedder, vector index, chat model) behind an interface we own."""
