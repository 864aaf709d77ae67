"""Settings of the governance log (plugged into the main settings as `settings.governance`).

Kept here, not in `assistant/settings.py`, so the governance package owns its tunables; the
model imports nothing from `assistant.settings`, which imports it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class GovernanceSettings(BaseModel):
    """Where and how questions and answers are recorded for the AI steering committee."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    log_path: Path = Field(
        Path("governance.sqlite"),
        description="SQLite file of the governance log; a relative path is taken from the data folder (home).",
    )
    salt_env: str = Field(
        "GARANT_LOG_SALT",
        description=(
            "Environment variable holding the secret salt that pseudonymises session ids. If it is unset, a random "
            "salt is created once in <home>/.log-salt (mode 0600). Changing the salt unlinks old and new sessions."
        ),
    )
    retention_days: int = Field(
        365, ge=1,
        description="Interactions older than this many days are deleted from the log, with their citations, feedback and reviews.",
    )
    store_text: bool = Field(
        True,
        description=(
            "Keep the redacted text of questions, answers and feedback comments. False keeps only metadata "
            "(flags, sources, scores, versions, timings)."
        ),
    )

    def resolve_log_path(self, home: Path) -> Path:
        """The log file, relative paths being taken from `home`."""
        return self.log_path if self.log_path.is_absolute() else home / self.log_path
