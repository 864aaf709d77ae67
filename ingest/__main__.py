"""`python -m ingest`: run garant-ingest without the console script (tests, cron)."""

from ingest.cli import entry

if __name__ == "__main__":
    entry()
