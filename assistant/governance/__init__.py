"""The governance log — the "garantie humaine": every question and answer is recorded,
pseudonymised and redacted, in a versioned SQLite database that the AI steering committee
reviews.

Settings in `settings`; schema in `migrations`; rows in `rows`, the salt in `salt`, redaction
in `redaction`; the single write path in `log`, kept safe by the crash journal (`journal`)
and made tamper-evident by the hash chain (`chain`); reads in `queries`; reviews in `reviews`
and `accounts`, the review page in `review_app`; export in `export`, the committee report in
`committee_report` (charts in `report_charts`); purge, backup and verification in
`maintenance`; the `garant log` commands in `cli_log`.

Nothing is opened or created when this package is imported.
"""
