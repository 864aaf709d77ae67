"""Generates the configuration reference of `docs/guide-informatique.md` from the settings object.

Every field of `assistant.settings.Settings` (section by section, with its TOML name, its
environment variable, its type, its default and its description) is written between the
markers `<!-- config:start -->` and `<!-- config:end -->` of the guide, so the guide cannot
drift from the code:

    python docs/gen_config_reference.py           # rewrite the reference in the guide
    python docs/gen_config_reference.py --check   # exit 1 if the guide is out of date

`make docs` runs the first; `tests/docs/test_config_reference.py` runs the check.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

GUIDE = Path(__file__).resolve().parent / "guide-informatique.md"
START = "<!-- config:start -->"
END = "<!-- config:end -->"
# Fields whose environment variable is not the generic GARANT__SECTION__FIELD form.
SPECIAL_ENV = {"home": "GARANT_HOME"}


def _toml_value(value: Any) -> str:
    """A default as it would be written in garant.toml ('—' when there is none)."""
    if value is None:
        return "— (non défini)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    if isinstance(value, list):
        return f"`{json.dumps([str(v) if isinstance(v, Path) else v for v in value], ensure_ascii=False)}`"
    return f"`{value}`"


def _type_text(annotation: Any, field: FieldInfo, in_table: bool = True) -> str:
    """A short French description of the accepted values (type, choices, bounds); pipes escaped in tables."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    optional = False
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        optional = True
        rest = [a for a in args if a is not type(None)]
        annotation = rest[0] if len(rest) == 1 else annotation
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        text = (" \\| " if in_table else " | ").join(f"`{a}`" for a in args)
    elif origin is list:
        inner = args[0] if args else Any
        text = "liste de tables `[[…]]`" if isinstance(inner, type) and issubclass(inner, BaseModel) else "liste de textes"
    else:
        text = {bool: "booléen", int: "entier", float: "nombre", str: "texte", Path: "chemin"}.get(annotation, str(annotation))
    bounds = []
    for constraint in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            limit = getattr(constraint, attr, None)
            if limit is not None:
                bounds.append(f"{sign} {limit}")
    if bounds:
        text += f" ({', '.join(bounds)})"
    if optional:
        text += ", ou vide"
    return text


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of the items of a `list[Model]` field, if that is what it is."""
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation) or (None,)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    """One table row per scalar field of `model`."""
    rows = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        dotted = f"{prefix}{name}"
        env = SPECIAL_ENV.get(dotted, "GARANT__" + dotted.upper().replace(".", "__"))
        default = field.get_default(call_default_factory=True)
        rows.append(f"| `{dotted}` | `{env}` | {_type_text(annotation, field)} | {_toml_value(default)} | {_cell(field.description or '')} |")
    return rows


def _items(model: type[BaseModel], prefix: str) -> list[str]:
    """For each `list[Model]` field, the keys of one entry."""
    out = []
    for name, field in model.model_fields.items():
        item = _item_model(field.annotation)
        if item is None:
            continue
        out.append("")
        out.append(f"Chaque entrée `[[{prefix}{name}]]` :")
        out.append("")
        for key, sub in item.model_fields.items():
            required = "obligatoire" if sub.is_required() else f"défaut {_toml_value(sub.get_default(call_default_factory=True))}"
            description = " ".join((sub.description or "").split())
            out.append(f"- `{key}` ({_type_text(sub.annotation, sub, in_table=False)}, {required}) : {description}")
    return out


HEADER = ["| réglage | variable d'environnement | valeurs | défaut | signification |", "|---|---|---|---|---|"]


def render_reference() -> str:
    """The Markdown of the whole reference (without the markers)."""
    from assistant.settings import Settings

    out = [
        "<!-- Généré par `python docs/gen_config_reference.py` (ou `make docs`) à partir de assistant/settings.py : ne pas modifier à la main. -->",
        "",
        "### Général",
        "",
        *HEADER,
        *_rows(Settings, ""),
    ]
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if not (isinstance(section, type) and issubclass(section, BaseModel)):
            continue
        out += ["", f"### `[{name}]`", ""]
        summary = (section.__doc__ or "").strip().splitlines()
        if summary:
            out += [f"_{summary[0]}_", ""]
        out += [*HEADER, *_rows(section, f"{name}."), *_items(section, f"{name}.")]
    return "\n".join(out) + "\n"


def updated(text: str) -> str:
    """`text` with the reference between the markers replaced by a fresh one."""
    try:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise SystemExit(f"{GUIDE}: markers {START} … {END} not found") from None
    return f"{head}{START}\n{render_reference()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the guide, or with --check say whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide is out of date, without writing")
    args = parser.parse_args(argv)
    text = GUIDE.read_text(encoding="utf-8")
    fresh = updated(text)
    if args.check:
        if fresh != text:
            print(f"{GUIDE.name}: configuration reference out of date; run `make docs`.", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        GUIDE.write_text(fresh, encoding="utf-8")
        print(f"{GUIDE.name}: configuration reference rewritten.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
