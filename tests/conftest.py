"""Test configuration: every test is offline by construction.

- the hub, transformers, gradio and chroma are offline and silent;
- outbound sockets to anything but loopback are refused;
- GARANT_HOME points at a temporary folder;
- unit tests use the fake embedder and the fake chat model; tests marked `integration`
  use the real models shipped as packages.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.offline import enforce_offline

REPO = Path(__file__).resolve().parents[1]
SHARED_SOURCES = Path(os.environ.get("GARANT_SHARED_SOURCES", REPO.parent / "shared" / "sources"))
CORPUS = REPO / "corpus"

enforce_offline()

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # type: ignore[arg-type]
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise ConnectionRefusedError(f"test suite is offline: connection to {address!r} refused")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise ConnectionRefusedError(f"test suite is offline: connection to {address!r} refused")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def garant_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own data folder and no stray configuration."""
    home = tmp_path / "garant-home"
    monkeypatch.setenv("GARANT_HOME", str(home))
    for key in list(os.environ):
        if key.startswith("GARANT__") or key == "GARANT_CONFIG":
            monkeypatch.delenv(key)
    return home


@pytest.fixture
def fake_settings(garant_home: Path):  # type: ignore[no-untyped-def]
    """Settings wired to the fake embedder and fake chat model."""
    from assistant.settings import load_settings

    settings = load_settings(env={"GARANT_HOME": str(garant_home)})
    settings.embedder.kind = "hash"
    settings.llm.backend = "fake"
    settings.ingest.parse_timeout_s = 60
    return settings


@pytest.fixture(scope="session")
def shared_sources() -> Path:
    """The real public documents given to the project (read-only)."""
    if not SHARED_SOURCES.is_dir():
        pytest.skip(f"shared sources not found at {SHARED_SOURCES}")
    return SHARED_SOURCES


@pytest.fixture(scope="session")
def shared_source(shared_sources: Path) -> Callable[[str], Path]:
    """`shared_source(name)`: one real public document by file name; skips clearly if absent."""

    def find(name: str) -> Path:
        path = shared_sources / name
        if not path.is_file():
            pytest.skip(f"real source {name} not found in {shared_sources} (set GARANT_SHARED_SOURCES)")
        return path

    return find


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where integration tests assemble the packaged chat model (shared by the session)."""
    configured = os.environ.get("GARANT_TEST_MODELS_DIR")
    if configured:
        yield Path(configured)
        return
    default = REPO / ".garant" / "models"
    yield default if default.is_dir() else tmp_path_factory.mktemp("models")
