"""Prompt templates as versioned data files in `prompts/` (TOML, one per language).

Each file declares its variables; rendering with a missing or undeclared variable is an
error. Substitution is single-pass (`string.Template`), so text inside documents, even
if it contains `$question`, is never expanded.

The system text may use `$canary` (declared in `system_variables`): it is filled when the
file is read with a secret random marker — the installation's (`home_canary`, kept in
`<home>/.prompt-canary`, mode 0600) for answers, else one drawn once per process — so the
system prompt stays the same for every question (llama.cpp reuses its cache) and from run
to run (evaluations stay comparable), yet nobody outside knows the marker. Output
containing it is output repeating the instructions.
"""

from __future__ import annotations

import functools
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from assistant.errors import ConfigError
from assistant.private_file import read_or_create

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

# Control sequences of chat templates (ChatML/Qwen, Llama 2 and 3, Gemma, Mistral, DeepSeek…): llama.cpp
# tokenizes the formatted prompt with special tokens parsed, so one of these inside a document would
# really open a new system or assistant turn.
_CONTROL = re.compile(
    r"<\|[^|<>\n]{0,40}\|>|<｜[^｜\n]{0,40}｜>|</?(?:s|im_start|im_end|endoftext|start_of_turn|end_of_turn|bos|eos)>|\[/?INST\]|<</?SYS>>",
    re.IGNORECASE,
)
# Words that pose as a turn or as the prompt's own structure ("### System:", "Assistant:", "Question :").
_ROLE_LINE = re.compile(
    r"(?i)\b(system|assistant|user|human|instructions?|response|question|r[ée]ponse|answer|extraits|excerpts)[ \t]*:"
)


def as_data(text: str) -> str:
    """Text from a document or a user, made safe to place inside a prompt as quoted data:
    chat-template control tokens removed, words posing as a role or as the prompt's own
    headings ("System:", "Question :") quoted («System» :)."""
    previous = None
    while text != previous:  # removing one token can join the halves of another
        previous = text
        text = _CONTROL.sub("", text)
    return _ROLE_LINE.sub(lambda m: f"«{m.group(1)}» :", text)


_EXAMPLE_OPENINGS = ("Exemple.", "Example.")


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
    canary: str = ""

    @property
    def examples(self) -> list[str]:
        """The worked examples of the system text (its paragraphs opening with « Exemple. » or
        "Example."): made-up passages and answers that show the model the form."""
        return [part for part in self.system.split("\n\n") if part.startswith(_EXAMPLE_OPENINGS)]

    @property
    def rules(self) -> str:
        """The system text without its worked examples: the instructions proper."""
        return "\n\n".join(part for part in self.system.split("\n\n") if not part.startswith(_EXAMPLE_OPENINGS))

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


@functools.cache
def process_canary() -> str:
    """A random marker, drawn once per process, for the system prompts (see the module docstring)."""
    return secrets.token_hex(8)


CANARY_FILE = ".prompt-canary"


def home_canary(home: Path) -> str:
    """The installation's secret marker: read from `<home>/.prompt-canary`, created once (0600)."""
    path = Path(home) / CANARY_FILE
    canary = read_or_create(path, lambda: secrets.token_hex(8))
    if not re.fullmatch(r"[0-9a-f]{16}", canary):
        raise ConfigError(
            f"Le fichier {path} est altéré : supprimez-le, Garant en recréera un.",
            f"The file {path} is damaged: delete it and Garant will create a new one.",
        )
    return canary


def load_prompt(name: str, lang: str, folder: Path = PROMPTS_DIR, canary: str | None = None) -> PromptTemplate:
    """Read `prompts/<name>.<lang>.toml`; `$canary` in its system text becomes `canary`
    (default: this process's marker)."""
    path = folder / f"{name}.{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        system_variables = set(data.get("system_variables", []))
        if system_variables - {"canary"}:
            raise KeyError(f"system_variables {sorted(system_variables - {'canary'})}")
        canary = (canary or process_canary()) if "canary" in system_variables else ""
        # Only the declared system variables are filled; any other `$name` in the system text is an error.
        system = Template(data["system"].strip()).substitute({"canary": canary} if canary else {})
        return PromptTemplate(
            id=data["id"], version=data["version"], lang=data["lang"], variables=tuple(data["variables"]),
            system=system, user=data["user"].strip(), refusal=data["refusal"].strip(), canary=canary,
        )
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Fichier de prompt illisible : {path} ({exc}). Réinstallez Garant ou corrigez le fichier.",
            f"Unreadable prompt file: {path} ({exc}). Reinstall Garant or fix the file.",
        ) from exc
