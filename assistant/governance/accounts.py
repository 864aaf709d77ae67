"""Accounts of the review page: password hashing (salted PBKDF2-SHA256), the login check
Gradio calls, and where accounts come from (settings, or a one-time password outside
production — never a fixed default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.errors import ConfigError, InputError
from assistant.governance.settings import PBKDF2_RE, SHA256_RE, GovernanceSettings, ReviewAccount

log = logging.getLogger(__name__)

ITERATIONS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256
MIN_PASSWORD_CHARS = 12
ONE_TIME_USERNAME = "admin"
# The one-time password is random (128 bits): stretching adds nothing, so it is hashed quickly.
ONE_TIME_ITERATIONS = 1_000
MAX_FAILURES = 10
LOCKOUT_S = 300.0


def hash_password(password: str, *, iterations: int | None = None, salt: str | None = None) -> str:
    """`pbkdf2_sha256$iterations$salt$hexdigest` for a password (ITERATIONS and a random salt unless given)."""
    iterations = iterations or ITERATIONS
    salt = salt or base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a stored hash (PBKDF2 string, or legacy bare SHA-256 hex), in constant time."""
    if PBKDF2_RE.fullmatch(stored):
        _, iterations, salt, expected = stored.split("$")
        actual = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    elif SHA256_RE.fullmatch(stored.lower()):
        expected, actual = stored.lower(), hashlib.sha256(password.encode()).hexdigest()
    else:
        return False
    return hmac.compare_digest(actual.encode(), expected.encode())


def _iterations(stored: str) -> int:
    """PBKDF2 iterations of a stored hash (1 for a legacy SHA-256)."""
    return int(stored.split("$")[1]) if PBKDF2_RE.fullmatch(stored) else 1


@dataclass(frozen=True)
class Account:
    """A review account as the page uses it."""

    username: str
    role: str
    password_hash: str


class Accounts:
    """The accounts the review page accepts, and the login check (a callable for Gradio's
    `auth=`). After MAX_FAILURES wrong passwords for one name within LOCKOUT_S seconds, that
    name is refused until the window has passed."""

    def __init__(self, accounts: list[Account], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._by_name = {account.username: account for account in accounts}
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        # Checked against unknown names so a wrong name costs as much time as a wrong password
        # (same work as the costliest account; its digest matches no password).
        iterations = max((_iterations(a.password_hash) for a in accounts), default=ITERATIONS)
        self._decoy = f"pbkdf2_sha256${iterations}${secrets.token_hex(8)}${'0' * 64}"

    def __call__(self, username: str, password: str) -> bool:
        return self.authenticate(username, password)

    def __len__(self) -> int:
        return len(self._by_name)

    def authenticate(self, username: str, password: str) -> bool:
        """True when the name and password match an account that is not locked out."""
        now = self._clock()
        with self._lock:
            if len(self._failures) > 10_000:  # names tried long ago are forgotten
                self._failures = {n: ts for n, ts in self._failures.items() if now - ts[-1] < LOCKOUT_S}
            recent = [t for t in self._failures.pop(username, []) if now - t < LOCKOUT_S]
            if recent:
                self._failures[username] = recent
        if len(recent) >= MAX_FAILURES:
            log.warning("review page: login refused for %r (too many failures)", username)
            return False
        account = self._by_name.get(username)
        ok = verify_password(password, account.password_hash if account else self._decoy) and account is not None
        if not ok:
            with self._lock:
                self._failures.setdefault(username, []).append(now)
            log.warning("review page: failed login for %r", username)
        return ok

    def role(self, username: str | None) -> str | None:
        """The role of an account, or None for an unknown name."""
        account = self._by_name.get(username or "")
        return account.role if account else None


def one_time_account() -> tuple[Account, str]:
    """The `admin` account with a fresh random password (for a non-production start without accounts)."""
    password = secrets.token_urlsafe(16)
    return Account(ONE_TIME_USERNAME, "admin", hash_password(password, iterations=ONE_TIME_ITERATIONS)), password


def load_accounts(settings: GovernanceSettings, announce: Callable[[str], None] = print) -> Accounts:
    """The configured accounts. Without any: ConfigError in production mode, else a one-time
    `admin` password, announced (on the console by default) and valid until the page stops."""
    if settings.accounts:
        for account in settings.accounts:
            if not account.password_hash.startswith("pbkdf2_sha256$"):
                log.warning(
                    "review account %r uses an unsalted SHA-256 hash; replace it with `garant review-passwd %s`",
                    account.username,
                    account.username,
                )
        return Accounts([Account(a.username, a.role, a.password_hash) for a in settings.accounts])
    if settings.production:
        raise ConfigError(
            "Mode production : aucun compte de relecture n'est configuré, la page de revue ne démarre pas. "
            "Créez un compte avec `garant review-passwd NOM` et ajoutez la ligne affichée à garant.toml ([[governance.accounts]]).",
            "Production mode: no review account is configured, so the review page does not start. "
            "Create one with `garant review-passwd NAME` and add the printed lines to garant.toml ([[governance.accounts]]).",
        )
    account, password = one_time_account()
    announce(
        f"Aucun compte de relecture configuré (hors production) : compte temporaire « {account.username} », "
        f"mot de passe à usage unique {password} — valable jusqu'à l'arrêt de la page.\n"
        f"No review account configured (not production): temporary account '{account.username}', "
        f"one-time password {password} — valid until the page stops."
    )
    return Accounts([account])


def account_entry(username: str, role: str, password: str, confirmation: str, *, iterations: int | None = None) -> str:
    """The garant.toml lines of a new account (for `garant review-passwd`). Raises InputError on a
    bad name or role, passwords that differ, or a password that is too short."""
    try:
        ReviewAccount(username=username, role=role, password_hash="0" * 64)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(
            f"Nom ou rôle invalide « {username} », « {role} » : lettres, chiffres, . _ @ - ; rôle reviewer ou admin.",
            f"Invalid name or role '{username}', '{role}': letters, digits, . _ @ -; role reviewer or admin.",
        ) from exc
    if password != confirmation:
        raise InputError("Les deux mots de passe diffèrent : recommencez.", "The two passwords differ: start again.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(
            f"Mot de passe trop court : au moins {MIN_PASSWORD_CHARS} caractères.",
            f"Password too short: at least {MIN_PASSWORD_CHARS} characters.",
        )
    return (
        f'[[governance.accounts]]\nusername = "{username}"\nrole = "{role}"\n'
        f'password_hash = "{hash_password(password, iterations=iterations)}"'
    )
