"""`python -m assistant`: the `garant` command without the console script."""

from assistant.cli import entry

if __name__ == "__main__":
    entry()
