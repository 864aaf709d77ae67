"""No outside traffic: a running `garant serve` listens on 127.0.0.1 only and opens no socket
to anything but loopback, after serving the page, the API and an answer.

The server runs as a real child process (fake chat model, hash embedder, a tiny corpus), so
nothing of the test suite's own socket guard applies to it. Its sockets are read from
/proc/<pid>/fd and /proc/<pid>/net/{tcp,tcp6,udp,udp6} (Linux): no extra dependency.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings, load_settings
from evaluation.bench_load import ServerProcess, api_token_env, garant_env, index_folder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads sockets from /proc (Linux)")

TOKEN = "socket-test-token"
TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT",
              "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def _address(hex_address: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """'0100007F:1EDC' (as in /proc/net/tcp: 32-bit words in host order) -> (127.0.0.1, 7900)."""
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw), int(port, 16)


def process_tree(pid: int) -> set[int]:
    """`pid` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {pid}, True
    while grew:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return tree


def inet_sockets(pid: int) -> list[dict[str, object]]:
    """Every TCP/UDP socket (IPv4 and IPv6) open in `pid` or its children: protocol, state, local, remote."""
    inodes: set[str] = set()
    for member in process_tree(pid):
        fd_dir = Path(f"/proc/{member}/fd")
        try:
            links = [os.readlink(fd) for fd in fd_dir.iterdir()]
        except OSError:
            continue
        inodes |= {link[len("socket:[") : -1] for link in links if link.startswith("socket:[")}
    found = []
    for protocol in ("tcp", "tcp6", "udp", "udp6"):
        table = Path(f"/proc/{pid}/net/{protocol}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                found.append({"protocol": protocol, "state": TCP_STATES.get(fields[3], fields[3]),
                              "local": _address(fields[1]), "remote": _address(fields[2])})
    return found


def outside_traffic(sockets: list[dict[str, object]]) -> list[str]:
    """Sockets that listen beyond loopback or talk to a non-loopback address."""
    bad = []
    for s in sockets:
        (local_ip, local_port), (remote_ip, remote_port) = s["local"], s["remote"]  # type: ignore[misc]
        listening = s["state"] == "LISTEN" or (str(s["protocol"]).startswith("udp") and remote_port == 0)
        if listening and not local_ip.is_loopback:
            bad.append(f"{s['protocol']} listening on {local_ip}:{local_port}")
        if not listening and not remote_ip.is_loopback and not remote_ip.is_unspecified:
            bad.append(f"{s['protocol']} {s['state']} to {remote_ip}:{remote_port}")
    return bad


def test_the_default_settings_bind_the_page_and_the_review_page_to_loopback(garant_home: Path) -> None:
    for settings in (Settings(), load_settings(env={"GARANT_HOME": str(garant_home)})):
        assert settings.server.host == "127.0.0.1"
        assert settings.governance.review_host == "127.0.0.1"
        assert settings.llm.base_url.startswith("http://127.0.0.1:")  # an OpenAI-compatible server, if any, is local too


def test_the_check_recognises_outside_listeners_and_connections() -> None:
    loop, anywhere, outside = ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("93.184.216.34")
    assert _address("0100007F:1EDC") == (loop, 7900)
    assert _address("00000000000000000000000001000000:0050") == (ipaddress.ip_address("::1"), 80)
    assert outside_traffic([{"protocol": "tcp", "state": "LISTEN", "local": (loop, 80), "remote": (anywhere, 0)}]) == []
    assert outside_traffic([{"protocol": "tcp", "state": "LISTEN", "local": (anywhere, 80), "remote": (anywhere, 0)}])
    assert outside_traffic([{"protocol": "tcp", "state": "ESTABLISHED", "local": (loop, 5), "remote": (outside, 443)}])
    assert outside_traffic([{"protocol": "udp", "state": "07", "local": (loop, 5), "remote": (outside, 53)}])


def test_a_running_server_listens_on_loopback_only_and_opens_no_outside_socket(tmp_path: Path) -> None:
    home = tmp_path / "home"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text(
        "---\ntitle: Charte IA\nkind: charte\n---\n\n# Gouvernance\n\nLe comité de pilotage IA se réunit une fois par trimestre.\n",
        encoding="utf-8")
    env = garant_env(home, GARANT__LLM__BACKEND="fake", GARANT__EMBEDDER__KIND="hash", **api_token_env("sockets", TOKEN))
    index_folder(corpus, env)
    with ServerProcess(env, start_timeout_s=120) as server, httpx.Client(trust_env=False, timeout=60) as client:
        assert client.get(f"{server.url}/api/v1/health").json()["documents"] == 1
        assert client.get(f"{server.url}/").status_code == 200  # the page
        answer = client.post(f"{server.url}/api/v1/ask", headers={"Authorization": f"Bearer {TOKEN}"},
                             json={"question": "À quelle fréquence se réunit le comité de pilotage IA ?"})
        assert answer.status_code == 200, answer.text
        doc_id = client.get(f"{server.url}/api/v1/documents", headers={"Authorization": f"Bearer {TOKEN}"}).json()["documents"][0]["doc_id"]
        assert client.get(f"{server.url}/doc/{doc_id}").status_code == 200
        assert server.process is not None
        sockets = inet_sockets(server.process.pid)
        listening = [s for s in sockets if s["state"] == "LISTEN"]
        assert listening, f"the server should listen somewhere: {sockets}"
        assert {s["local"] for s in listening} == {(ipaddress.ip_address("127.0.0.1"), server.port)}
        assert outside_traffic(sockets) == []
