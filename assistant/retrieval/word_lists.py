"""Reading the word lists that an establishment may edit (`prompts/glossary.en-fr.tsv`,
`prompts/thesaurus.tsv`): their lines with their numbers, blank lines and « # » comments left out,
and an unreadable file turned into an error saying which setting to fix."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import ConfigError


def data_lines(path: Path, name_fr: str, name_en: str, setting: str) -> list[tuple[int, str]]:
    """(line number, line) of each line of `path` that is neither blank nor a comment.

    `name_fr` / `name_en`: what the file is (« le glossaire », "the glossary"), for the error;
    `setting`: the setting that names the file (« retrieval.glossary_path »)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        reason = exc.strerror or exc
        raise ConfigError(
            f"Impossible de lire {name_fr} ({path}) : {reason}. Corrigez {setting} ou videz-le pour le fichier fourni.",
            f"Cannot read {name_en} ({path}): {reason}. Fix {setting} or empty it for the shipped file.",
        ) from exc
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
