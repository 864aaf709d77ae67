"""`garant settings`: the reference of every setting, or the settings in effect."""

from __future__ import annotations

import hashlib
import json

import pytest

from assistant.cli import main


def test_the_reference_lists_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for key in ("server.index_check_s", "governance.retention_days", "retrieval.reranker_path"):
        assert key in out


def test_effective_settings_follow_the_environment_and_mask_secrets(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = hashlib.sha256(b"token").hexdigest()
    config = tmp_path / "garant.toml"
    config.write_text(f'[[api.tokens]]\nname = "intranet"\nsha256 = "{secret}"\n', encoding="utf-8")
    monkeypatch.setenv("GARANT__SERVER__PORT", "8123")
    assert main(["--config", str(config), "settings", "--effective"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["settings"]["server"]["port"] == 8123
    assert data["settings"]["api"]["tokens"] == [{"name": "intranet", "sha256": "***"}]
    assert secret not in out and len(data["fingerprint"]) >= 12
