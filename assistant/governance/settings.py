"""Settings of the governance log (plugged into the main settings as `settings.governance`).

Kept here, not in `assistant/settings.py`, so the governance package owns its tunables; the
model imports nothing from `assistant.settings`, which imports it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# A password hash as `garant review-passwd` prints it, or (legacy, unsalted) 64 hex digits of SHA-256.
PBKDF2_RE = re.compile(r"pbkdf2_sha256\$[1-9][0-9]{0,8}\$[A-Za-z0-9+/=_.-]{8,}\$[0-9a-f]{64}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")


class ReviewAccount(BaseModel):
    """One account of the review page (a member of the AI steering committee)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(
        ..., pattern=r"^[A-Za-z0-9._@-]{1,64}$",
        description="Login name; it is recorded as the reviewer of every decision taken with this account.",
    )
    role: Literal["reviewer", "admin"] = Field(
        "reviewer", description="reviewer: reviews answers; admin: the same, and is shown as administrator on the page.",
    )
    password_hash: str = Field(
        ...,
        description=(
            "Salted PBKDF2 hash `pbkdf2_sha256$iterations$salt$hash` printed by `garant review-passwd USERNAME` "
            "(accepted too, but discouraged: 64 hex digits of an unsalted SHA-256). Never the password itself."
        ),
    )

    @field_validator("password_hash")
    @classmethod
    def _known_format(cls, value: str) -> str:
        value = value.strip()
        if not (PBKDF2_RE.fullmatch(value) or SHA256_RE.fullmatch(value.lower())):
            raise ValueError("not a password hash: paste the line printed by `garant review-passwd USERNAME`")
        return value


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
        365, ge=180,
        description=(
            "Interactions older than this many days are deleted from the log, with their citations, feedback and reviews. "
            "At least 180: the AI Act (art. 26(6)) asks deployers to keep logs six months at least; a shorter purge needs "
            "`garant log purge --older-than DAYS --force`, on purpose."
        ),
    )
    journal_fsync: bool = Field(
        False,
        description=(
            "Force each logged row to disk (fsync) before the answer is given. Off, a row survives a crash or kill of "
            "Garant (the system keeps it) but maybe not a power cut; on, it survives a power cut too, at the cost of one "
            "disk flush per answer and per feedback."
        ),
    )
    store_text: bool = Field(
        True,
        description=(
            "Keep the redacted text of questions, answers and feedback comments. False keeps only metadata "
            "(flags, sources, scores, versions, timings)."
        ),
    )

    review_host: str = Field(
        "127.0.0.1",
        description="Interface the review page binds to; keep loopback unless a reverse proxy with TLS fronts it.",
    )
    review_port: int = Field(7870, ge=1, le=65535, description="Port of the review page (distinct from the staff page).")
    production: bool = Field(
        False,
        description=(
            "Production mode: the review page refuses to start without configured accounts. Outside production, "
            "with no accounts, it starts with a one-time random password for the account `admin`, printed on the console."
        ),
    )
    accounts: list[ReviewAccount] = Field(
        default_factory=list, exclude=True,  # kept out of dumps and of the settings hash recorded with answers
        description="Accounts of the review page: [[governance.accounts]] tables with username, role and password_hash.",
    )

    @field_validator("accounts")
    @classmethod
    def _unique_usernames(cls, value: list[ReviewAccount]) -> list[ReviewAccount]:
        names = [account.username for account in value]
        if len(names) != len(set(names)):
            raise ValueError("two review accounts have the same username")
        return value

    def resolve_log_path(self, home: Path) -> Path:
        """The log file, relative paths being taken from `home`."""
        return self.log_path if self.log_path.is_absolute() else home / self.log_path
