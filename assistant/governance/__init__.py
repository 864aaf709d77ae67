"""The governance log — the "garantie humaine": every question and answer is recorded,
pseudonymised and redacted, in a versioned SQLite database that the AI steering committee
reviews (settings in `settings`, schema in `migrations`, redaction in `redaction`,
the single write path and the read queries in `log`).

Nothing is opened or created when this package is imported.
"""
