"""What every console script shares: offline environment, settings loading, and the one
place where errors become a clear sentence and an exit code (never a traceback)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import GarantError
from assistant.offline import enforce_offline
from assistant.settings import Settings, load_settings


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--config and --verbose for every command."""
    parser.add_argument("--config", type=Path, default=None, help="TOML settings file (default: $GARANT_CONFIG or <GARANT_HOME>/garant.toml)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show progress and debug logs")


def settings_from(args: argparse.Namespace) -> Settings:
    """Load the settings named by the command line."""
    return load_settings(args.config)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a CLI body with the offline environment, mapping errors to messages and exit codes."""
    enforce_offline()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    lang = os.environ.get("GARANT_LANG", "fr")
    try:
        return main(argv)
    except GarantError as exc:
        sys.stderr.write(f"garant: {exc.message(lang)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("garant: interrompu ; l'index en service n'a pas été modifié.\n" if lang == "fr" else "garant: interrupted; the index in use was not changed.\n")
        return 130
