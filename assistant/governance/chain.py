"""The hash chain of the governance log: what makes a deleted or edited row visible.

Every row written to `interactions`, `citations`, `feedback` and `reviews` gets an entry in
the `chain` table, in the same transaction as the row: the SHA-256 of the row's content
(`digest`) and a `hash` over that entry and the previous entry's hash. A legitimate purge
(retention) is an entry too, saying which rows it deleted (those whose interaction is older
than its cutoff), so `check` can tell a purged row from a deleted one.

`check` names what it finds: a row deleted or edited, an entry deleted or edited (a gap or a
broken link in the chain), a row written outside the write path (no entry). A plain hash
chain cannot stop someone who rewrites the whole chain; the head (`seq`, `hash`) printed by
`garant log verify` and written in the committee report is the anchor: a later head must
still contain it (`check(db, anchor=...)`).

Digests ignore NULL columns, so a migration that adds a nullable column keeps old digests
valid; a migration that rewrites stored values must re-chain.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

GENESIS = "0" * 64
# The chained tables and the columns that identify one of their rows.
KEYS: dict[str, tuple[str, ...]] = {
    "interactions": ("id",),
    "citations": ("interaction_id", "number"),
    "feedback": ("id",),
    "reviews": ("id",),
}
_LABELS = {"interactions": "réponse", "citations": "passage retrouvé", "feedback": "retour du personnel", "reviews": "décision de revue"}
_LABELS_EN = {"interactions": "answer", "citations": "retrieved passage", "feedback": "staff feedback", "reviews": "review decision"}


def row_key(table: str, row: dict[str, Any] | sqlite3.Row) -> str:
    """The text key of a row in the chain (`id`, or `interaction_id/number` for citations)."""
    return "/".join(str(row[name]) for name in KEYS[table])


def row_digest(row: dict[str, Any] | sqlite3.Row) -> str:
    """SHA-256 of a row as stored (NULL columns left out, keys sorted)."""
    values = {k: row[k] for k in row.keys() if row[k] is not None}
    return sha256(json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def entry_hash(seq: int, kind: str, table: str | None, key: str | None, row_time: str | None, digest: str,
               note: str | None, prev_hash: str) -> str:
    """The hash of one chain entry, linking it to the previous one."""
    payload = [seq, kind, table, key, row_time, digest, note, prev_hash]
    return sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _select(db: sqlite3.Connection, table: str, key: dict[str, Any]) -> sqlite3.Row | None:
    where = " AND ".join(f"{name} = ?" for name in KEYS[table])
    cursor = db.execute(f"SELECT * FROM {table} WHERE {where}", [key[name] for name in KEYS[table]])
    cursor.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cursor.fetchone()
    return row


class ChainWriter:
    """Appends entries within one write transaction (the caller holds the write lock)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._head: tuple[int, str] | None = None

    def _last(self) -> tuple[int, str]:
        """The last seq ever given (even if its entry was deleted) and the last entry's hash."""
        if self._head is None:
            given = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chain'").fetchone()
            last = self.db.execute("SELECT hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
            self._head = (int(given[0]) if given else 0, last[0] if last else GENESIS)
        return self._head

    def _append(self, kind: str, table: str | None, key: str | None, row_time: str | None, digest: str,
                note: str | None) -> int:
        seq, prev = self._last()
        seq += 1
        digest_hash = entry_hash(seq, kind, table, key, row_time, digest, note, prev)
        self.db.execute(
            "INSERT INTO chain (seq, kind, table_name, row_key, row_time, digest, note, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (seq, kind, table, key, row_time, digest, note, prev, digest_hash))
        self._head = (seq, digest_hash)
        return seq

    def row(self, table: str, key: dict[str, Any]) -> int:
        """Chain the row of `table` identified by `key` (just inserted, read back as stored)."""
        row = _select(self.db, table, key)
        if row is None:
            raise ValueError(f"no {table} row {key!r} to chain")
        if table == "interactions":
            row_time = row["created_at"]
        else:
            parent = self.db.execute("SELECT created_at FROM interactions WHERE id = ?", (row["interaction_id"],)).fetchone()
            row_time = parent[0] if parent else None
        return self._append("row", table, row_key(table, row), row_time, row_digest(row), None)

    def purge(self, before: str, deleted: dict[str, int]) -> int:
        """Record a retention purge: rows of interactions created before `before` are gone on purpose."""
        note = json.dumps({"before": before, "deleted": deleted}, sort_keys=True)
        return self._append("purge", None, None, before, sha256(note.encode()).hexdigest(), note)


def chain_existing(db: sqlite3.Connection) -> int:
    """Chain every row present (used once, by the migration that creates the chain); returns the count."""
    writer = ChainWriter(db)
    count = 0
    order = {"interactions": "created_at, rowid", "citations": "rowid", "feedback": "created_at, rowid", "reviews": "created_at, rowid"}
    for table, columns in KEYS.items():
        for key in db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order[table]}").fetchall():
            writer.row(table, dict(zip(columns, key, strict=True)))
            count += 1
    return count


@dataclass
class ChainReport:
    """What `check` found: problems in French and English (empty: the chain holds), and the head."""

    problems_fr: list[str] = field(default_factory=list)
    problems_en: list[str] = field(default_factory=list)
    entries: int = 0
    rows: int = 0
    purges: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems_fr

    def add(self, fr: str, en: str) -> None:
        self.problems_fr.append(fr)
        self.problems_en.append(en)


def check(db: sqlite3.Connection, anchor: tuple[int, str] | None = None, max_problems: int = 200) -> ChainReport:
    """Walk the chain and compare it with the rows present, streaming (memory does not grow with
    the log). `anchor`: a head recorded earlier (seq, hash) that must still be in the chain."""
    report = ChainReport()
    purges = _check_links(db, report)
    if anchor is not None:
        found = db.execute("SELECT hash FROM chain WHERE seq = ?", (anchor[0],)).fetchone()
        if found is None or found[0] != anchor[1]:
            report.add(f"la tête de chaîne relevée ({anchor[0]}:{anchor[1][:12]}…) n'est plus dans le journal : journal réécrit",
                       f"the recorded chain head ({anchor[0]}:{anchor[1][:12]}…) is no longer in the log: log rewritten")
    for table in KEYS:
        # Every row present is chained, with the digest it had when written.
        latest = (f"(SELECT {{}} FROM chain c WHERE c.table_name = '{table}' AND c.row_key = {_KEY_SQL[table]} "
                  "ORDER BY c.seq DESC LIMIT 1)")
        cursor = db.execute(f"SELECT t.*, {latest.format('c.seq')} AS _seq, {latest.format('c.digest')} AS _digest FROM {table} t")
        cursor.row_factory = sqlite3.Row
        for row in cursor:
            report.rows += 1
            values = {k: row[k] for k in row.keys() if k not in ("_seq", "_digest")}
            key = row_key(table, values)
            if row["_seq"] is None:
                report.add(f"{_LABELS[table]} {key} ajoutée hors du circuit d'écriture (absente de la chaîne)",
                           f"{_LABELS_EN[table]} {key} added outside the write path (not in the chain)")
            elif row_digest(values) != row["_digest"]:
                report.add(f"{_LABELS[table]} {key} modifiée après son enregistrement (entrée {row['_seq']})",
                           f"{_LABELS_EN[table]} {key} modified after it was recorded (entry {row['_seq']})")
        # Every chained row that is gone was removed by a later purge of its period.
        gone = db.execute(f"SELECT c.seq, c.row_key, c.row_time FROM chain c WHERE c.kind = 'row' AND c.table_name = '{table}' "
                          f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {_MATCH_SQL[table]})")
        for seq, key, row_time in gone:
            if not any(purge_seq > seq and row_time is not None and row_time < cutoff for purge_seq, cutoff in purges):
                report.add(f"{_LABELS[table]} {key} supprimée (entrée {seq}) sans purge de conservation",
                           f"{_LABELS_EN[table]} {key} deleted (entry {seq}) without a retention purge")
    if len(report.problems_fr) > max_problems:
        more = len(report.problems_fr) - max_problems
        del report.problems_fr[max_problems:], report.problems_en[max_problems:]
        report.add(f"… et {more} autres problèmes", f"… and {more} more problems")
    return report


# How a row's chain key is computed in SQL, and how a chain entry finds its row (using the primary key).
_KEY_SQL = {"interactions": "t.id", "citations": "t.interaction_id || '/' || t.number", "feedback": "t.id", "reviews": "t.id"}
_CITATION_MATCH = ("t.interaction_id = substr(c.row_key, 1, instr(c.row_key, '/') - 1) "
                   "AND t.number = CAST(substr(c.row_key, instr(c.row_key, '/') + 1) AS INTEGER)")
_MATCH_SQL = {"interactions": "t.id = c.row_key", "citations": _CITATION_MATCH, "feedback": "t.id = c.row_key",
              "reviews": "t.id = c.row_key"}


def _check_links(db: sqlite3.Connection, report: ChainReport) -> list[tuple[int, str]]:
    """The entries follow each other: no gap, each linked to the previous one, each hash right.
    Returns the purges (seq, cutoff)."""
    purges: list[tuple[int, str]] = []
    prev_seq, prev_hash = 0, GENESIS
    for seq, kind, table, key, row_time, digest, note, linked, stored in db.execute(
            "SELECT seq, kind, table_name, row_key, row_time, digest, note, prev_hash, hash FROM chain ORDER BY seq"):
        report.entries += 1
        if seq != prev_seq + 1:
            report.add(f"entrées {prev_seq + 1} à {seq - 1} de la chaîne supprimées",
                       f"chain entries {prev_seq + 1} to {seq - 1} deleted")
        elif linked != prev_hash:
            report.add(f"entrée {seq} de la chaîne non reliée à la précédente (chaîne modifiée)",
                       f"chain entry {seq} not linked to the previous one (chain modified)")
        if entry_hash(seq, kind, table, key, row_time, digest, note, linked) != stored:
            report.add(f"entrée {seq} de la chaîne modifiée", f"chain entry {seq} modified")
        if kind == "purge":
            purges.append((seq, row_time or ""))
        prev_seq, prev_hash = seq, stored
    report.head_seq, report.head_hash, report.purges = prev_seq, prev_hash, len(purges)
    given = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chain'").fetchone()
    if given and int(given[0]) > prev_seq:
        report.add(f"dernières entrées de la chaîne supprimées (après l'entrée {prev_seq}, jusqu'à {given[0]})",
                   f"last chain entries deleted (after entry {prev_seq}, up to {given[0]})")
    return purges
