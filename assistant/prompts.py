"""Prompt templates as versioned data files in `prompts/` (TOML, one per language).

Each file declares its variables; rendering with a missing or undeclared variable is an
error. Substitution is single-pass (`string.Template`), so text inside documents, even
if it contains `$question`, is never expanded.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from assistant.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt file: its version, declared variables and texts."""

    id: str
    version: str
    lang: str
    variables: tuple[str, ...]
    system: str
    user: str
    refusal: str

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) texts with every declared variable filled."""
        missing = set(self.variables) - set(values)
        extra = set(values) - set(self.variables)
        if missing or extra:
            raise ConfigError(
                f"Prompt {self.version} : variables manquantes {sorted(missing)} ou non déclarées {sorted(extra)}.",
                f"Prompt {self.version}: missing variables {sorted(missing)} or undeclared {sorted(extra)}.",
            )
        return self.system, Template(self.user).substitute(values)


def load_prompt(name: str, lang: str, folder: Path = PROMPTS_DIR) -> PromptTemplate:
    """Read `prompts/<name>.<lang>.toml`."""
    path = folder / f"{name}.{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return PromptTemplate(
            id=data["id"], version=data["version"], lang=data["lang"], variables=tuple(data["variables"]),
            system=data["system"].strip(), user=data["user"].strip(), refusal=data["refusal"].strip(),
        )
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Fichier de prompt illisible : {path} ({exc}). Réinstallez Garant ou corrigez le fichier.",
            f"Unreadable prompt file: {path} ({exc}). Reinstall Garant or fix the file.",
        ) from exc
