"""The configuration reference of docs/guide-informatique.md is generated from the settings
object: this test fails as soon as a setting is added, removed or redescribed without
regenerating it (`make docs`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_config_reference", REPO / "docs" / "gen_config_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_configuration_reference_in_the_it_guide_is_up_to_date() -> None:
    generator = _generator()
    text = generator.GUIDE.read_text(encoding="utf-8")
    assert generator.updated(text) == text, "docs/guide-informatique.md: configuration reference out of date; run `make docs`"


def test_the_reference_names_every_setting_with_its_environment_variable() -> None:
    from assistant.settings import Settings

    reference = _generator().render_reference()
    for section, field in Settings.model_fields.items():
        names = getattr(field.annotation, "model_fields", None)
        for name in names or [None]:
            dotted = f"{section}.{name}" if name else section
            assert f"| `{dotted}` |" in reference, dotted
    assert "`GARANT__LLM__BACKEND`" in reference and "`GARANT_HOME`" in reference
