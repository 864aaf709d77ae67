"""The secret salt that pseudonymises session ids in the governance log: from an environment
variable, else a private file in the data folder, created once. It never enters the log."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from assistant.governance.settings import GovernanceSettings

SALT_FILE = ".log-salt"


def load_salt(settings: GovernanceSettings, home: Path, env: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation salt: from the environment variable, else `<home>/.log-salt`
    (created once, mode 0600)."""
    env = os.environ if env is None else env
    if env.get(settings.salt_env):
        return env[settings.salt_env].encode()
    path = home / SALT_FILE
    if not path.is_file():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it meanwhile
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
