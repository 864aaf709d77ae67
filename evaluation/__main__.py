"""`python -m evaluation`: the same as `garant-eval`."""

from evaluation.cli import entry

if __name__ == "__main__":
    entry()
