"""Operations on the governance log as a whole, for IT and the committee: retention purge,
online backup, integrity verification.

The purge is the same function for the daily retention of the running log and for
`garant log purge`; it is recorded in the hash chain so `verify` knows the rows it removed
were removed on purpose. The backup uses SQLite's online backup API: it is safe while the
server writes, and gives a standalone file (no -wal) that `verify` accepts.

Restoring a backup: stop Garant (page, API and review page), delete `governance.sqlite-wal`
and `governance.sqlite-shm` next to the log if they exist, copy the backup over the log file
(`<home>/governance.sqlite` by default, `governance.log_path`), start Garant again, then run
`garant log verify`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.errors import GarantError, InputError
from assistant.governance.chain import ChainReport, ChainWriter, check
from assistant.governance.migrations import connect, migrate, transaction
from assistant.governance.queries import utc_iso

# AI Act art. 26(6): deployers keep the logs of a high-risk AI system for at least six months.
MIN_RETENTION_DAYS = 180
PURGED_TABLES = ("citations", "feedback", "reviews", "interactions")


def purge_rows(db: sqlite3.Connection, before: str, chain: ChainWriter | None = None) -> dict[str, int]:
    """Delete the interactions created before `before` (UTC ISO text) with their citations,
    feedback and reviews, and record the purge in the chain. The caller holds a write
    transaction. Returns the rows deleted per table."""
    old = "SELECT id FROM interactions WHERE created_at < ?"
    deleted = {}
    for table in PURGED_TABLES[:-1]:
        deleted[table] = db.execute(f"DELETE FROM {table} WHERE interaction_id IN ({old})", (before,)).rowcount
    deleted["interactions"] = db.execute("DELETE FROM interactions WHERE created_at < ?", (before,)).rowcount
    if any(deleted.values()):
        (chain or ChainWriter(db)).purge(before, deleted)
    return deleted


def purge_older_than(path: Path, days: int, *, force: bool = False, now: datetime | None = None,
                     busy_timeout_s: float = 30.0) -> dict[str, int]:
    """`garant log purge`: delete what is older than `days` days. Below six months it refuses
    unless `force` (the AI Act's minimum for deployers' logs)."""
    if days < 1:
        raise InputError(f"Durée invalide « {days} » : donnez un nombre de jours positif.",
                         f"Invalid duration '{days}': give a positive number of days.")
    if days < MIN_RETENTION_DAYS and not force:
        raise InputError(
            f"Purge refusée : {days} jours, c'est moins que les six mois ({MIN_RETENTION_DAYS} jours) pendant lesquels "
            "l'établissement doit conserver les journaux d'un système d'IA (règlement européen sur l'IA, art. 26(6)). "
            "Ajoutez --force seulement sur décision écrite (DPO, comité de pilotage IA).",
            f"Purge refused: {days} days is less than the six months ({MIN_RETENTION_DAYS} days) for which a deployer must "
            "keep the logs of an AI system (EU AI Act, art. 26(6)). Add --force only on a written decision (DPO, AI steering committee).")
    if not path.is_file():
        return dict.fromkeys(PURGED_TABLES, 0)
    before = utc_iso((now or datetime.now(UTC)) - timedelta(days=days))
    db = _open_for_writing(path, busy_timeout_s)
    try:
        with transaction(db):
            return purge_rows(db, before)
    finally:
        db.close()


@dataclass
class Verification:
    """What `verify` found: SQLite's own check, then the hash chain (None when the log predates it)."""

    path: Path
    integrity: list[str] = field(default_factory=list)
    chain: ChainReport | None = None

    @property
    def integrity_ok(self) -> bool:
        return self.integrity == ["ok"]

    @property
    def ok(self) -> bool:
        return self.integrity_ok and self.chain is not None and self.chain.ok

    def problems(self, lang: str = "fr") -> list[str]:
        """Each problem in one sentence, in French or English."""
        out = [] if self.integrity_ok else [("intégrité SQLite : " if lang == "fr" else "SQLite integrity: ") + line
                                            for line in self.integrity]
        if self.chain is None:
            out.append("journal antérieur à la chaîne d'intégrité : démarrez Garant une fois pour l'ajouter, puis relancez la vérification"
                       if lang == "fr" else "log older than the integrity chain: start Garant once to add it, then verify again")
        else:
            out += self.chain.problems_fr if lang == "fr" else self.chain.problems_en
        return out

    def error(self) -> GarantError:
        """The failure as an error for the CLI (non-zero exit code)."""
        fr, en = self.problems("fr"), self.problems("en")
        more_fr = f" (et {len(fr) - 3} autres)" if len(fr) > 3 else ""
        more_en = f" (and {len(en) - 3} more)" if len(en) > 3 else ""
        return GarantError(
            f"Journal de gouvernance {self.path} NON intègre : {' ; '.join(fr[:3])}{more_fr}. Conservez ce fichier tel quel, "
            "restaurez la dernière sauvegarde vérifiée et prévenez le DPO et le RSSI.",
            f"Governance log {self.path} is NOT intact: {'; '.join(en[:3])}{more_en}. Keep this file as it is, restore the last "
            "verified backup and tell the DPO and the CISO.")


def verify(path: Path, anchor: tuple[int, str] | None = None, busy_timeout_s: float = 30.0) -> Verification:
    """`PRAGMA integrity_check` and the hash chain of the log at `path`, read-only."""
    if not path.is_file():
        raise InputError(f"Aucun journal de gouvernance à vérifier en {path}.", f"No governance log to verify at {path}.")
    result = Verification(path)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s)
    except sqlite3.Error as exc:
        result.integrity = [str(exc)]
        return result
    try:
        result.integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain'").fetchone():
            result.chain = check(db, anchor)
    except sqlite3.DatabaseError as exc:  # not a database, or damaged beyond the check
        result.integrity = [str(exc)]
    finally:
        db.close()
    return result


def backup(path: Path, dest: Path, *, clock: Callable[[], datetime] | None = None, busy_timeout_s: float = 30.0) -> Path:
    """Copy the log to `dest` (a new file, or a folder to put a dated file in) with SQLite's
    online backup API, safe while the server writes; returns the file written. The copy is a
    standalone database (no -wal), mode 0600."""
    if not path.is_file():
        raise InputError(f"Aucun journal de gouvernance à sauvegarder en {path}.", f"No governance log to back up at {path}.")
    if dest.is_dir():
        dest = dest / f"governance-{(clock or (lambda: datetime.now(UTC)))().strftime('%Y%m%dT%H%M%SZ')}.sqlite"
    if dest.exists():
        raise InputError(f"{dest} existe déjà : choisissez un autre nom ou un dossier ; une sauvegarde n'en écrase jamais une autre.",
                         f"{dest} already exists: choose another name or a folder; a backup never overwrites another.")
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private before SQLite writes in it
        source = sqlite3.connect(path, timeout=busy_timeout_s)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot, writers go on (WAL)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        os.replace(partial, dest)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise GarantError(f"Sauvegarde impossible vers {dest} : {exc}. Vérifiez la place libre et les droits du dossier.",
                          f"Backup to {dest} failed: {exc}. Check free space and the folder's permissions.") from exc
    return dest


def _open_for_writing(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection of the write path (schema up to date), or a clear error."""
    db = None
    try:
        db = connect(path, busy_timeout_s)
        migrate(db)
    except sqlite3.Error as exc:
        if db is not None:
            db.close()
        raise GarantError(f"Journal de gouvernance {path} inaccessible : {exc}. Réessayez ; s'il reste bloqué, lancez `garant log verify`.",
                          f"Governance log {path} unavailable: {exc}. Try again; if it stays locked, run `garant log verify`.") from exc
    return db
