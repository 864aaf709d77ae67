"""The documented examples actually work.

Convention (stated in docs/guide-informatique.md): a fenced block whose info string is
`bash test` is a runnable example.

- A block with `curl` commands is an API example. Each `curl` (with `\\` continuations) is
  translated into a request against the app built with the fake chat model (host
  `http://127.0.0.1:7860`, token `$GARANT_TOKEN`, `ID_DE_LA_REPONSE` = the `id` of the last
  /ask answer). A comment `# → STATUS : field, field` after it states the status and the
  top-level JSON fields (or the server-sent event names) to expect; without one, any 2xx.
- Any other block is a shell example, run by `bash -euo pipefail` in a folder laid out like
  the repository (`corpus/` holding the establishment part of the sample corpus, already
  indexed; `evaluation/datasets/`), with its own GARANT_HOME, the hash embedder and the fake
  chat model. It must exit 0. Blocks run in document order and share that folder, as a
  reader following the guides would.

`toml` blocks must be valid settings; the redaction example of the user guide must hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
GUIDES = ["guide-utilisateur.md", "guide-informatique.md", "guide-gouvernance.md", "architecture.md"]
HOST = "http://127.0.0.1:7860"
TOKEN = "jeton-de-test-des-guides"
FAKE_REPLY = "Le professionnel remplit le formulaire FEI-IA dans les 24 heures suivant la constatation [1]."
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_EXPECT = re.compile(r"^#\s*→\s*(?P<status>\d{3})(?:\s*:\s*(?P<fields>.+))?$")


@dataclass
class Block:
    """One fenced code block of a guide."""

    guide: str
    line: int
    info: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.guide}:{self.line}"


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, with its info string and first line number."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i].strip())
        if match is None:
            i += 1
            continue
        fence, start, body = match["fence"], i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        blocks.append(Block(path.name, start, match["info"].strip(), "\n".join(body)))
        i += 1
    return blocks


def runnable(kind: str) -> list[Block]:
    """The `bash test` blocks of the guides, in reading order: 'api' (curl) or 'cli' ones."""
    out = []
    for guide in GUIDES:
        for block in fenced_blocks(DOCS / guide):
            if block.info.split() == ["bash", "test"]:
                is_api = any(line.lstrip().startswith("curl ") for line in block.text.splitlines())
                if (kind == "api") == is_api:
                    out.append(block)
    return out


# --- API examples ---


@dataclass
class CurlCall:
    """A curl command line, as a request."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    expect_status: int | None = None
    expect_fields: list[str] = field(default_factory=list)


_NO_VALUE = {"-s", "--silent", "-S", "--show-error", "-N", "--no-buffer", "-f", "--fail", "-i", "--include", "-L", "--location"}
_IGNORED_WITH_VALUE = {"-o", "--output", "-w", "--write-out", "--max-time", "-m"}


def parse_curl(command: str, variables: dict[str, str]) -> CurlCall:
    """Translate one curl command (continuations joined) into a request; unknown options fail."""
    for name, value in variables.items():
        command = command.replace(f"${{{name}}}", value).replace(f"${name}", value)
    args = shlex.split(command)
    assert args[0] == "curl", command
    for i, arg in enumerate(args):  # the request ends where the shell goes on (`curl … && echo OK`)
        if arg in ("&&", "||", "|", ";", ">", ">>"):
            args = args[:i]
            break
    method, url, headers, body = None, None, {}, None
    i = 1
    while i < len(args):
        arg = args[i]
        if arg in ("-X", "--request"):
            method, i = args[i + 1], i + 2
        elif arg in ("-H", "--header"):
            name, _, value = args[i + 1].partition(":")
            headers[name.strip()] = value.strip()
            i += 2
        elif arg in ("-d", "--data", "--data-raw", "--data-binary"):
            body, i = args[i + 1], i + 2
        elif arg == "--json":
            body, i = args[i + 1], i + 2
            headers.setdefault("Content-Type", "application/json")
            headers.setdefault("Accept", "application/json")
        elif arg in _NO_VALUE or re.fullmatch(r"-[sSNfiL]+", arg):
            i += 1
        elif arg in _IGNORED_WITH_VALUE:
            i += 2
        elif arg.startswith("-"):
            raise AssertionError(f"curl option {arg!r} is not understood by the guide test: add it to parse_curl")
        else:
            url, i = arg, i + 1
    assert url and url.startswith(HOST + "/"), f"examples call {HOST}/…, not {url!r}"
    if body is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")  # what curl -d sends
    return CurlCall(method or ("POST" if body is not None else "GET"), url[len(HOST):], headers, body)


def api_calls(block: Block, variables: dict[str, str]) -> list[CurlCall]:
    """The curl commands of a block, each with the expectation written after it."""
    calls: list[CurlCall] = []
    for line in block.text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("curl "):
            calls.append(parse_curl(line, variables))
        elif (expect := _EXPECT.match(line)) is not None:
            assert calls, f"{block.id}: expectation before any curl"
            calls[-1].expect_status = int(expect["status"])
            calls[-1].expect_fields = [f.strip() for f in (expect["fields"] or "").split(",") if f.strip()]
        elif not (line.startswith("#") or re.match(r"export [A-Z_]+=", line)):
            raise AssertionError(f"{block.id}: an API example holds only curl commands, comments and exports: {line!r}")
    return calls


def event_names(text: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("event:")]


@pytest.fixture(scope="module")
def guide_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The establishment part of the sample corpus (charter and procedures, all formats)."""
    root = tmp_path_factory.mktemp("guide-corpus") / "corpus"
    shutil.copytree(REPO / "corpus" / "etablissement", root / "etablissement")
    return root


def _settings(home: Path) -> Any:
    from assistant.settings import load_settings

    return load_settings(env={"GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash", "GARANT__LLM__BACKEND": "fake",
                              "GARANT__INGEST__PARSE_TIMEOUT_S": "60"})


@pytest.fixture(scope="module")
def api_client(guide_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app (page + /api/v1) over the sample establishment documents, fake model, one token."""
    from fastapi.testclient import TestClient

    from assistant.engines.chat_fake import FakeChatModel
    from assistant.engines.embed_hash import HashEmbedder
    from assistant.services import build_services
    from assistant.web.api_settings import ApiSettings, ApiToken
    from assistant.web.app import build_app
    from ingest.pipeline import Ingestor

    settings = _settings(tmp_path_factory.mktemp("guide-api-home"))
    settings.api = ApiSettings(tokens=[ApiToken(name="guides", sha256=hashlib.sha256(TOKEN.encode()).hexdigest())])
    Ingestor(settings, HashEmbedder).sync(guide_corpus)
    services = build_services(settings, chat_model=FakeChatModel([FAKE_REPLY]), embedder=HashEmbedder())
    with TestClient(build_app(services)) as client:
        yield client
    services.close()


API_BLOCKS = runnable("api")
_LAST: dict[str, str] = {}  # the id of the last answer an /ask example returned, for the feedback examples


def test_the_guides_have_api_examples() -> None:
    assert len(API_BLOCKS) >= 5


@pytest.mark.parametrize("block", API_BLOCKS, ids=[b.id for b in API_BLOCKS])
def test_api_example_works(block: Block, api_client: Any) -> None:
    state = _LAST
    variables = {"GARANT_TOKEN": TOKEN}
    for call in api_calls(block, variables):
        last_id = state.get("answer_id")
        if call.body and "ID_DE_LA_REPONSE" in call.body:
            assert last_id, f"{block.id}: ID_DE_LA_REPONSE needs an earlier /ask example"
            call.body = call.body.replace("ID_DE_LA_REPONSE", last_id)
        response = api_client.request(call.method, call.path, headers=call.headers,
                                      content=call.body.encode() if call.body is not None else None)
        where = f"{block.id}: {call.method} {call.path}"
        if call.expect_status is not None:
            assert response.status_code == call.expect_status, f"{where} → {response.status_code} {response.text[:300]}"
        else:
            assert 200 <= response.status_code < 300, f"{where} → {response.status_code} {response.text[:300]}"
        assert "Traceback" not in response.text
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            names = event_names(response.text)
            missing = [f for f in call.expect_fields if f not in names]
            if "final" in names:
                final = [line for line in response.text.splitlines() if line.startswith("data:")][-1]
                state["answer_id"] = json.loads(final[5:])["id"]
        else:
            data = response.json()
            missing = [f for f in call.expect_fields if f not in data]
            if call.path.startswith("/api/v1/ask") and "id" in data:
                state["answer_id"] = data["id"]
        assert not missing, f"{where}: documented fields missing from the response: {missing}"


def test_curl_translation_follows_curl_rules() -> None:
    call = parse_curl("curl -s -X POST http://127.0.0.1:7860/api/v1/ask -H 'Authorization: Bearer $GARANT_TOKEN' -d '{\"a\": 1}'",
                      {"GARANT_TOKEN": "t"})
    assert (call.method, call.path, call.body) == ("POST", "/api/v1/ask", '{"a": 1}')
    assert call.headers == {"Authorization": "Bearer t", "Content-Type": "application/x-www-form-urlencoded"}
    with pytest.raises(AssertionError, match="not understood"):
        parse_curl("curl --unknown http://127.0.0.1:7860/api/v1/health", {})


# --- shell examples ---


@pytest.fixture(scope="module")
def shell_env(guide_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A folder laid out like the repository, indexed, with one logged answer, and the env to run in it."""
    from assistant.engines.embed_hash import HashEmbedder
    from ingest.pipeline import Ingestor

    work = tmp_path_factory.mktemp("guide-shell")
    shutil.copytree(guide_corpus, work / "corpus")
    (work / "evaluation").mkdir()
    (work / "evaluation" / "datasets").symlink_to(REPO / "evaluation" / "datasets")
    home = work / "home"
    Ingestor(_settings(home), HashEmbedder).sync(work / "corpus")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GARANT")}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash", "GARANT__LLM__BACKEND": "fake",
        "GARANT__INGEST__PARSE_TIMEOUT_S": "60", "GARANT_LANG": "fr",
    })
    first = subprocess.run(["garant", "ask", "--no-llm", "Dans quel délai signaler un dysfonctionnement ?"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    log_help = subprocess.run(["garant", "log", "--help"], cwd=work, env=env, capture_output=True, text=True, timeout=120).stdout
    return {"cwd": work, "env": env, "log_help": log_help}


SHELL_BLOCKS = runnable("cli")


def test_the_guides_have_shell_examples() -> None:
    assert len(SHELL_BLOCKS) >= 8


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.id for b in SHELL_BLOCKS])
def test_shell_example_works(block: Block, shell_env: dict[str, Any]) -> None:
    for sub in re.findall(r"^\s*garant log (\w[\w-]*)", block.text, flags=re.MULTILINE):
        if not re.search(rf"\b{re.escape(sub)}\b", shell_env["log_help"]):
            pytest.skip(f"`garant log {sub}` is documented but not implemented yet")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block.text], cwd=shell_env["cwd"], env=shell_env["env"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{block.id} exited {result.returncode}\n--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


# --- other documented material ---


def test_every_toml_example_is_valid_settings() -> None:
    from assistant.settings import Settings

    blocks = [b for guide in GUIDES for b in fenced_blocks(DOCS / guide) if b.info == "toml"]
    assert blocks
    for block in blocks:
        Settings.model_validate(tomllib.loads(block.text))  # raises on an unknown key or a bad value


def test_the_redaction_example_of_the_user_guide_holds() -> None:
    from assistant.governance.redaction import redact

    text = " ".join((DOCS / "guide-utilisateur.md").read_text(encoding="utf-8").split())
    match = re.search(r"Exemple : « (?P<before>[^»]+) » est enregistré « (?P<after>[^»]+) »", text)
    assert match, "the redaction example of the user guide was not found"
    assert redact(match["before"])[0] == match["after"]


def test_the_documented_notice_and_labels_are_the_real_ones() -> None:
    from assistant.answering.model import DEGRADED_LABEL, NOTICE, REFUSAL_LABEL, ROLE_REFUSAL

    user_guide = " ".join((DOCS / "guide-utilisateur.md").read_text(encoding="utf-8").replace("> ", "").split())
    for label in (NOTICE["fr"], DEGRADED_LABEL["fr"], REFUSAL_LABEL["fr"], ROLE_REFUSAL["fr"]):
        assert label in user_guide, label
