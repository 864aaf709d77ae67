"""The secret salt that pseudonymises session ids in the governance log: from an environment
variable, else a private file in the data folder, created once. It never enters the log."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from assistant.errors import ConfigError
from assistant.governance.settings import GovernanceSettings
from assistant.private_file import read_or_create

SALT_FILE = ".log-salt"


def load_salt(settings: GovernanceSettings, home: Path, env: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation salt: from the environment variable, else `<home>/.log-salt`
    (created once, mode 0600)."""
    env = os.environ if env is None else env
    if env.get(settings.salt_env):
        return env[settings.salt_env].encode()
    salt = read_or_create(home / SALT_FILE, lambda: secrets.token_hex(32))
    if not salt:
        raise ConfigError(
            f"Le fichier {home / SALT_FILE} est vide : supprimez-le (les sessions anciennes et nouvelles ne seront plus reliées) ou restaurez-le.",
            f"The file {home / SALT_FILE} is empty: delete it (old and new sessions will no longer be linked) or restore it.",
        )
    return salt.encode()
