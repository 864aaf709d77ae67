"""The one error extraction raises: a file we cannot turn into text.

Owns `ExtractionError`, which carries a one-sentence reason in French and in English
saying what happened and what to do, so a CLI or the web page can show it as is.
"""

from __future__ import annotations


class ExtractionError(Exception):
    """A source file could not be read as text (unsupported, empty, encrypted, corrupt)."""

    def __init__(self, reason_fr: str, reason_en: str) -> None:
        super().__init__(f"{reason_fr} / {reason_en}")
        self.reason_fr = reason_fr
        self.reason_en = reason_en

    def reason(self, lang: str = "fr") -> str:
        """The reason in `lang` ("fr" or "en"); French for any other value."""
        return self.reason_en if lang == "en" else self.reason_fr
