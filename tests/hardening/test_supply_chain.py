"""Supply chain: every dependency with a published advisory is past it, installed, pinned and
declared; the chat model's file is checked by SHA-256 before every load, not once.

The floors and their advisory ids live in `.ci/advisory-floors.toml` (one table, read here and
cited by the docs). The wrong-hash-at-first-load case is tested in
tests/engines/test_chat_llamacpp.py::test_file_with_the_wrong_hash_is_refused_before_any_load;
this module adds the file swapped between two loads.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from assistant.errors import ModelError
from assistant.settings import LLMSettings

REPO = Path(__file__).resolve().parents[2]
FLOORS_FILE = REPO / ".ci" / "advisory-floors.toml"
ADVISORY_ID = re.compile(r"^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})( / GHSA(-[23456789cfghjmpqrvwx]{4}){3})?$")
# The packages the issue names explicitly: they must always have a floor.
REQUIRED = {"gradio", "jinja2", "langchain-core", "pypdf", "llama-cpp-python"}


def load_floors(path: Path = FLOORS_FILE) -> dict[str, dict[str, Any]]:
    """The floor table, by canonical package name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {canonicalize_name(name): entry for name, entry in data["packages"].items()}


def locked_versions(path: Path = REPO / "requirements.lock") -> dict[str, Version]:
    """`name==version` lines of the lock file, by canonical name."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name.split("[")[0])] = Version(version.split(";")[0].strip())
    return pins


def lowest_allowed(requirement: Requirement) -> Version | None:
    """The lowest version a requirement's range lets in (None: no lower bound)."""
    bounds = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=", "===", ">")]
    return max(bounds) if bounds else None


def below_floor(versions: dict[str, Version], floors: dict[str, dict[str, Any]]) -> list[str]:
    """'name version < floor' for every known version below its floor."""
    return [f"{name} {versions[name]} < {entry['floor']} ({entry['advisories'][0]})"
            for name, entry in sorted(floors.items()) if name in versions and versions[name] < Version(entry["floor"])]


FLOORS = load_floors()


def test_every_floor_names_its_advisories_and_covers_the_packages_the_issue_names() -> None:
    assert {canonicalize_name(n) for n in REQUIRED} <= FLOORS.keys()
    for name, entry in FLOORS.items():
        Version(entry["floor"])  # a valid version
        assert entry["advisories"], f"{name}: a floor needs the advisory that justifies it"
        for advisory in entry["advisories"]:
            assert ADVISORY_ID.match(advisory), f"{name}: '{advisory}' is not a CVE or GHSA id"
        assert entry["why"].strip() and entry["reference"].startswith("https://")


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_installed_version_is_past_the_advisories(name: str) -> None:
    try:
        installed = Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        pytest.skip(f"{name} is not installed here")
    floor = Version(FLOORS[name]["floor"])
    assert installed.release >= floor.release, (
        f"{name} {installed} is below {floor}, past {', '.join(FLOORS[name]['advisories'])}: upgrade it (make lock)")


def test_every_pin_of_the_lock_file_is_past_the_advisories() -> None:
    pins = locked_versions()
    assert {canonicalize_name(n) for n in REQUIRED} <= pins.keys(), "the lock file must pin the packages with advisories"
    assert below_floor(pins, FLOORS) == []


def test_every_line_of_the_lock_file_is_a_version_any_machine_can_fetch() -> None:
    """`name==version` only: a direct reference (`name @ file:///tmp/…whl`, as `pip freeze`
    writes for a wheel installed from a local file) resolves on the machine that wrote the lock
    and nowhere else, and `make install` fails on a fresh one."""
    pin = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+$")
    lines = [line.strip() for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()]
    unfetchable = [line for line in lines if line and not line.startswith("#") and not pin.match(line)]
    assert not unfetchable, f"requirements.lock lines that are not name==version: {unfetchable[:3]}"


def test_every_declared_range_of_a_direct_dependency_excludes_the_vulnerable_versions() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    too_low = []
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        if name not in FLOORS:
            continue
        lowest = lowest_allowed(requirement)
        if lowest is None or lowest < Version(FLOORS[name]["floor"]):
            too_low.append(f"{requirement} allows versions below {FLOORS[name]['floor']}")
    assert too_low == []


def test_the_check_itself_catches_a_version_below_its_floor() -> None:
    floors = {"pypdf": {"floor": "6.16.1", "advisories": ["CVE-2026-84310"]}}
    assert below_floor({"pypdf": Version("6.1.3")}, floors) == ["pypdf 6.1.3 < 6.16.1 (CVE-2026-84310)"]
    assert below_floor({"pypdf": Version("7.1.1")}, floors) == []
    assert lowest_allowed(Requirement("pypdf>=6.1.3")) == Version("6.1.3") and lowest_allowed(Requirement("pypdf")) is None


# --- the model file ---


def test_a_model_file_swapped_after_a_good_load_is_refused_at_the_next_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    from assistant.engines.chat_llamacpp import LlamaCppChatModel

    model_file = tmp_path / "model.gguf"
    model_file.write_bytes(b"GGUF" + b"\1" * 4096)
    settings = LLMSettings(model_path=model_file, model_sha256=hashlib.sha256(model_file.read_bytes()).hexdigest())
    loads: list[str] = []

    def fake_llama(model_path: str, **kwargs: object) -> SimpleNamespace:
        loads.append(model_path)
        return SimpleNamespace(n_ctx=lambda: 512, _ctx=SimpleNamespace(ctx=None))

    monkeypatch.setattr(llama_cpp, "Llama", fake_llama)
    first = LlamaCppChatModel(settings, tmp_path)
    assert loads == [str(model_file)] and first.info.file_sha256 == settings.model_sha256
    # the same path, another content (a swapped or corrupted file): the next load re-hashes and refuses
    model_file.write_bytes(b"GGUF" + b"\2" * 4096)
    with pytest.raises(ModelError) as raised:
        LlamaCppChatModel(settings, tmp_path)
    assert loads == [str(model_file)], "llama.cpp must not read a file whose hash no longer matches"
    assert "SHA-256" in raised.value.message_fr and "SHA-256" in raised.value.message_en
