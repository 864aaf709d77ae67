"""The index: immutable published versions of the corpus's chunks, vectors and inventory."""
