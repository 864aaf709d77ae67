"""The error hierarchy of Garant, drawn once: every error a person can cause carries a
one-sentence message in French and English saying what happened and what to do."""

from __future__ import annotations


class GarantError(Exception):
    """Base of all errors meant for a person. `exit_code` is used by the CLIs."""

    exit_code = 1

    def __init__(self, message_fr: str, message_en: str | None = None) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr
        self.message_en = message_en or message_fr

    def message(self, lang: str = "fr") -> str:
        """The message in the user's language."""
        return self.message_en if lang == "en" else self.message_fr


class ConfigError(GarantError):
    """The configuration is missing or invalid."""

    exit_code = 2


class ModelError(GarantError):
    """A model file is missing, corrupt or cannot be loaded."""

    exit_code = 3


class IndexError_(GarantError):
    """The index is missing, unreadable, or built with another embedder."""

    exit_code = 4


class IngestBusyError(GarantError):
    """Another ingest holds the lock."""

    exit_code = 75


class InputError(GarantError):
    """A question or request was refused before reaching the model."""

    exit_code = 65


class GenerationError(GarantError):
    """The chat model failed or timed out."""

    exit_code = 5
