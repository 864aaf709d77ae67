"""Fuzzing, for a bounded number of examples each: the text loaders, cleaning and chunking on
arbitrary text and bytes return or raise ExtractionError, nothing else; the PDF reader on
mutated bytes of a small real PDF does the same within a time bound; redaction never raises,
is idempotent and keeps no generated NIR, phone number or e-mail (tests/governance/
test_redaction.py already covers 'never raises' on short text and each kind alone: here,
long and mixed texts). With atheris installed, a coverage-guided run over the same targets.
"""

from __future__ import annotations

import atexit
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.governance.redaction import is_valid_nir, nir_key, redact
from ingest.chunking import MAX_INTRO_CHARS, chunk_blocks, document_text
from ingest.cleaning import clean_blocks, normalise_text
from ingest.document import Block, Extracted
from ingest.extract import extract_file
from ingest.extract.errors import ExtractionError
from ingest.extract.pdf import extract_pdf

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@functools.cache
def scratch() -> Path:
    """The folder the loaders read their files from: made at first use, removed when the run ends
    (made at import, one was left in /tmp by every run)."""
    path = Path(tempfile.mkdtemp(prefix="garant-fuzz-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path

TEXT_SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm"]

# Text that looks like the documents (headings, markers, front matter, tags) mixed with anything.
MARKUP = st.sampled_from(["---\n", "# ", "## Article 3\n", "\n\n", "\f", "<p>", "</p>", "<script>", "</script>", "<h2>", "| a | b |\n",
                          "```\n", "- ", "> ", "[x](javascript:alert(1))", "![i](data:,x)", "--- Page 2 ---\n", "title: x\n",
                          "&a [*a]\n", "\x00", "\r\n", "\u200b", "ﬁ", "é", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")])
DOCUMENT_TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=40)), max_size=40).map("".join)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block runs longer than `seconds` (main thread, Unix)."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_as(suffix: str, data: bytes) -> Extracted | None:
    """extract_file on `data` saved with `suffix`; None when refused with ExtractionError."""
    path = scratch() / f"doc{suffix}"
    path.write_bytes(data)
    try:
        return extract_file(path)
    except ExtractionError as exc:
        assert exc.reason_fr and exc.reason_en
        return None


def check_chunks(blocks: list[Block], max_chars: int = 300, overlap: int = 40) -> None:
    """Chunking invariants: exact substrings of the document text, never empty, never too long
    (a list introduction carried from the chunk before may add up to MAX_INTRO_CHARS)."""
    text = document_text(blocks)
    for chunk in chunk_blocks(blocks, max_chars=max_chars, overlap_chars=overlap):
        assert chunk.text.strip()
        assert len(chunk.text) <= max_chars + MAX_INTRO_CHARS
        assert text[chunk.char_start : chunk.char_end] == chunk.text


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=3000))
@example(data=b"---\n" + b"[" * 5000 + b"\n---\n# T\n\nx\n")
@example(data=b"\xef\xbb\xbf---\ntitle: [unclosed\n---\n")
@example(data=b"<html><body>" + b"<div>" * 3000 + b"x")
def test_text_loaders_on_arbitrary_bytes_return_or_refuse_cleanly(suffix: str, data: bytes) -> None:
    extracted = read_as(suffix, data)
    if extracted is not None:
        check_chunks(clean_blocks(extracted.blocks))


@pytest.mark.parametrize("suffix", [".md", ".html", ".txt"])
@FUZZ
@given(text=DOCUMENT_TEXT)
def test_text_loaders_on_document_like_text_return_or_refuse_cleanly(suffix: str, text: str) -> None:
    extracted = read_as(suffix, text.encode("utf-8", "surrogatepass"))
    if extracted is not None:
        blocks = clean_blocks(extracted.blocks)
        check_chunks(blocks)
        for block in blocks:
            assert "\x00" not in block.text
            if suffix != ".txt":  # in plain text "<script>" is words; in Markdown and HTML it is markup, dropped
                assert "<script" not in block.text.lower()


@FUZZ
@given(texts=st.lists(st.one_of(DOCUMENT_TEXT, st.text(max_size=400)), max_size=12),
       pages=st.lists(st.one_of(st.none(), st.integers(1, 5000)), max_size=12),
       headings=st.lists(st.lists(st.text(max_size=20), max_size=3), max_size=12),
       max_chars=st.integers(50, 1500), overlap=st.integers(0, 49))
def test_cleaning_and_chunking_never_fail_on_arbitrary_blocks(texts: list[str], pages: list[int | None], headings: list[list[str]],
                                                             max_chars: int, overlap: int) -> None:
    blocks = [Block(text=t, page=pages[i] if i < len(pages) else None, heading_path=headings[i] if i < len(headings) else [])
              for i, t in enumerate(texts)]
    cleaned = clean_blocks(blocks)
    assert all(b.text.strip() for b in cleaned)
    check_chunks(cleaned, max_chars, min(overlap, max_chars - 1))
    assert normalise_text(normalise_text("".join(texts))) == normalise_text("".join(texts))


# --- PDF on mutated bytes ---


@st.composite
def mutations(draw: st.DrawFn, size: int) -> list[tuple[str, int, bytes]]:
    """Edits of a file of `size` bytes: overwrite, insert or delete at random places, or cut."""
    edits = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["set", "insert", "delete", "cut"]))
        edits.append((kind, draw(st.integers(0, size - 1)), draw(st.binary(min_size=1, max_size=16))))
    return edits


def mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, position, chunk in edits:
        position = min(position, max(len(out) - 1, 0))
        if kind == "set":
            out[position : position + len(chunk)] = chunk
        elif kind == "insert":
            out[position:position] = chunk
        elif kind == "delete":
            del out[position : position + len(chunk)]
        else:
            del out[position:]
    return bytes(out)


INTERESTING = [b"/Length 99999999", b"/Count 999999999", b"/Prev 9", b"/Filter /FlateDecode", b"/Filter /LZWDecode", b"obj", b"endobj",
               b"stream\n", b"R", b"<<", b">>", b"[", b"9999999999 0 R", b"/Kids [2 0 R 2 0 R]", b"/Encrypt 1 0 R", b"xref", b"trailer"]


@pytest.fixture(scope="module")
def small_pdf(build_pdf: Callable[[list[str]], bytes]) -> bytes:
    return build_pdf(["The steering committee meets every quarter.", "Incidents are reported within 48 hours."])


@FUZZ
@given(data=st.data())
def test_the_pdf_reader_on_mutated_bytes_returns_or_refuses_within_a_time_bound(small_pdf: bytes, data: st.DataObject) -> None:
    edits = data.draw(mutations(len(small_pdf)))
    if data.draw(st.booleans()):  # splice PDF syntax rather than random bytes
        edits.append(("set", data.draw(st.integers(0, len(small_pdf) - 1)), data.draw(st.sampled_from(INTERESTING))))
    path = scratch() / "mutated.pdf"
    path.write_bytes(mutate(small_pdf, edits))
    with time_limit(15):
        try:
            extracted = extract_pdf(path)
        except ExtractionError as exc:
            assert exc.reason_fr and exc.reason_en
            return
    assert extracted.page_count == len(extracted.blocks)
    check_chunks(clean_blocks(extracted.blocks))


# --- redaction ---


@st.composite
def pii(draw: st.DrawFn) -> str:
    """A NIR with a valid key, a French phone number or an e-mail, in a usual layout."""
    kind = draw(st.sampled_from(["nir", "phone", "email"]))
    if kind == "email":
        return draw(st.emails())
    if kind == "phone":
        digits = "".join(str(draw(st.integers(0, 9))) for _ in range(8))
        sep = draw(st.sampled_from(["", " ", ".", "-"]))
        return sep.join([f"0{draw(st.integers(1, 9))}", *(digits[i : i + 2] for i in range(0, 8, 2))])
    parts = [draw(st.sampled_from("12")), f"{draw(st.integers(0, 99)):02d}", f"{draw(st.integers(1, 12)):02d}",
             f"{draw(st.integers(1, 95)):02d}", f"{draw(st.integers(1, 999)):03d}", f"{draw(st.integers(1, 999)):03d}"]
    nir = " ".join(parts) + f" {nir_key(''.join(parts)):02d}"
    assert is_valid_nir(nir)
    return nir


# Text around the personal data: anything but digits (of any script) and '@', so that what survives can be checked.
FILLER = st.text(alphabet=st.characters(exclude_categories=("Cs", "Nd", "No", "Nl"), exclude_characters="@"), max_size=60)


@FUZZ
@given(pieces=st.lists(st.tuples(FILLER, pii()), min_size=1, max_size=6), tail=FILLER)
def test_mixed_personal_data_in_one_text_never_survives(pieces: list[tuple[str, str]], tail: str) -> None:
    text = " ".join(f"{filler} {value}" for filler, value in pieces) + f" {tail}"
    out, counts = redact(text)
    for _, value in pieces:
        assert value not in out
    assert "@" not in out and not any(c.isdigit() for c in out), out
    assert sum(counts.values()) >= 1


@FUZZ
@given(text=st.one_of(st.text(max_size=800), DOCUMENT_TEXT, st.lists(st.tuples(FILLER, pii()), max_size=4).map(lambda p: " ".join(a + " " + b for a, b in p))))
def test_redaction_is_idempotent(text: str) -> None:
    once, _ = redact(text)
    twice, counts = redact(once)
    assert twice == once and counts.get("NIR", 0) == counts.get("TEL", 0) == counts.get("EMAIL", 0) == 0


@pytest.mark.parametrize("text", ["1" * 60_000, "0 " * 30_000, "+33 " * 15_000, "a@" * 30_000, "a." * 30_000 + "@x.fr",
                                  "Dr " + "A" * 60_000, "M. " * 20_000, "né le 12/03/1980 " * 3_000, "12 rue " * 10_000,
                                  "IPP " * 15_000, ("Jean " * 12_000)])
def test_redaction_of_pathological_long_texts_is_fast(text: str) -> None:
    started = time.perf_counter()
    out, _ = redact(text)
    assert isinstance(out, str)
    assert time.perf_counter() - started < 5, "a regular expression backtracks on this input"


# --- atheris (optional, coverage-guided) ---


def test_a_bounded_atheris_run_finds_no_crash_in_the_loaders_and_redaction(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    harness = Path(__file__).with_name("atheris_harness.py")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate([b"# Titre\n\nTexte [1].", b"---\ntitle: x\n---\n<script>x</script>", b"<p>Mme Dupont 06 12 34 56 78</p>",
                              io.BytesIO(b"%PDF-1.7\n").getvalue()]):
        (corpus / f"seed{i}").write_bytes(seed)
    (tmp_path / "scratch").mkdir()
    run = subprocess.run([sys.executable, str(harness), str(corpus), "-runs=3000", "-max_total_time=40", "-max_len=4096",
                          "-rss_limit_mb=4096", f"-artifact_prefix={tmp_path}/"],
                         capture_output=True, timeout=180, cwd=Path(__file__).resolve().parents[2],
                         env={**os.environ, "GARANT_FUZZ_SCRATCH": str(tmp_path / "scratch")})
    log = run.stderr.decode(errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert "Done" in log or "DONE" in log, log[-2000:]
