"""What the model writes is made safe before anyone sees it, piece by piece.

Two dangers come from text the model read in the documents or was asked for:
- **Outside links, images and markup.** A document can carry `![x](http://evil/…)`, a raw
  `<img onerror=…>` or a link, and a model that obeys it copies it into the answer, where a
  Markdown or HTML renderer (our page while it streams, another system reading the API)
  would fetch the image or show a live link. `neutralise` turns all of it into plain text:
  tags removed, `<` before a letter made inert, URLs replaced by "(lien retiré)", and the
  `![`, `](` and `]:` (link definition) sequences broken so no Markdown link, image or link definition
  can form. The answer needs no links: the sources panel links to the corpus documents.
- **The instructions leaking.** The system prompt carries a random canary (see
  `assistant.prompts.process_canary`); output containing it, or a long verbatim run of a
  system prompt that the passages and the question do not contain, is withheld whole.

`OutputGuard` applies both to a stream: it releases only text that cannot change meaning
when more arrives (it holds back an unfinished word, an unclosed `<`, a tail that could be
the start of the canary or of a run of the system prompt), so every released prefix is
already neutral and never shows a piece of the canary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answering.language import fold

LINK_REMOVED = {"fr": "(lien retiré)", "en": "(link removed)"}
MIN_RUN_WORDS = 12  # a run of this many words of the system prompt, not in the passages, is a leak
CANARY_CHARS = 8  # this many characters of the canary are a leak (1 chance in 4 billion by accident, for hex)

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_URL = re.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.\-]*://|www\.|(?:javascript|vbscript|data|file|mailto):)[^\s<>()\[\]{}\"'`]*"
)
_WORD = re.compile(r"\w+")


def neutralise(text: str, lang: str = "fr") -> str:
    """`text` without links, images, URLs or HTML: what stays is inert plain text."""
    placeholder = LINK_REMOVED.get(lang, LINK_REMOVED["en"])
    previous = None
    # Each pass can expose a new construct (a tag removed between "ht" and "tp://"): repeat to a fixpoint.
    while text != previous:
        previous = text
        # Markup: tags and autolinks go; a remaining "<" before a letter cannot open a tag.
        text = _TAG.sub("", text)
        # No code span: « x:`//host/p.png` » reads as an address once rendered, and an answer needs no code.
        text = text.replace("`", "'")
        text = _TAG_START.sub("‹", text)
        # Addresses: any scheme, www., javascript:/data:/… become a placeholder.
        text = _URL.sub(placeholder, text)
        # Markdown: no image, no inline link, no link definition can form.
        text = text.replace("![", "! [").replace("](", "] (").replace("]:", "] :")
    return text


def _words(text: str) -> list[tuple[str, int]]:
    """(folded word, start offset in `text`) of every word."""
    return [(fold(m.group().lower()), m.start()) for m in _WORD.finditer(text)]


class LeakDetector:
    """Recognises the canary and long verbatim runs of the system prompts in a text.

    Built once per answer service (the system prompts are fixed); `allowed` texts of one
    request (the user message: passages and question; the refusal sentence) exempt the runs
    they contain, since copying the passages is the model's job.
    """

    def __init__(self, canary: str, system_texts: Iterable[str], min_run_words: int = MIN_RUN_WORDS,
                 example_texts: Iterable[str] = ()) -> None:
        """`system_texts` are the instructions; `example_texts` the prompts' worked examples, whose
        runs are withheld as well but told apart (`leak_kind`): a model copying an example has
        answered from made-up passages, it has not revealed its instructions."""
        # its start is enough: an answer cut by max_tokens halfway through the canary still leaks
        self.canary = re.sub(r"[\W_]", "", canary.lower())[:CANARY_CHARS]
        self.min_run = min_run_words
        # every run of 1..min_run words of the system prompts, by length
        self._runs: list[set[tuple[str, ...]]] = [set() for _ in range(min_run_words + 1)]
        self._example_runs: set[tuple[str, ...]] = set()
        for texts, examples in ((system_texts, False), (example_texts, True)):
            for text in texts:
                words = [w for w, _ in _words(text)]
                for size in range(1, min_run_words + 1):
                    self._runs[size].update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
                if examples:
                    self._example_runs.update(tuple(words[i : i + min_run_words]) for i in range(len(words) - min_run_words + 1))

    def allowed_runs(self, texts: Iterable[str]) -> set[tuple[str, ...]]:
        """Runs of `min_run` words found in `texts` (not leaks when the model repeats them)."""
        size = self.min_run
        found: set[tuple[str, ...]] = set()
        for text in texts:
            words = [w for w, _ in _words(text)]
            found.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        return found & self._runs[size]

    def _squashed(self, text: str) -> tuple[str, list[int]]:
        """Letters and digits of `text`, lower-cased, with the offset of each in `text`."""
        kept = [(c, i) for i, c in enumerate(text.lower()) if c.isalnum()]
        return "".join(c for c, _ in kept), [i for _, i in kept]

    def leak_kind(self, text: str, allowed: set[tuple[str, ...]]) -> str | None:
        """What `text` repeats: "canary" (its start, whatever the case or separators),
        "instructions" (a run of the rules), "example" (runs of the worked examples only), or None."""
        if self.canary and self.canary in self._squashed(text)[0]:
            return "canary"
        words = [w for w, _ in _words(text)]
        size = self.min_run
        runs = {run for i in range(len(words) - size + 1) if (run := tuple(words[i : i + size])) in self._runs[size] and run not in allowed}
        if not runs:
            return None
        return "example" if runs <= self._example_runs else "instructions"

    def hold_from(self, text: str) -> int:
        """Offset from which the end of `text` could still grow into the canary or a run:
        `len(text)` when nothing needs holding back."""
        hold = len(text)
        # the longest tail that is the beginning of the canary
        squashed, offsets = self._squashed(text)
        for size in range(min(len(self.canary) - 1, len(squashed)), 0, -1):
            if squashed.endswith(self.canary[:size]):
                hold = offsets[len(squashed) - size]
                break
        # the longest tail of complete words that is a run of the system prompt
        words = _words(text)
        if words and _WORD.match(text[-1]):
            words = words[:-1]  # an unfinished last word is held back anyway
        for size in range(min(self.min_run - 1, len(words)), 0, -1):
            if tuple(w for w, _ in words[-size:]) in self._runs[size]:
                hold = min(hold, words[-size][1])
                break
        return hold


class OutputGuard:
    """Filters one answer's stream: `feed` each piece and show what it returns, then `finish`.

    Once a leak is seen, `withheld` is set and nothing more is released.
    """

    def __init__(self, lang: str, detector: LeakDetector, allowed_texts: Iterable[str] = ()) -> None:
        self.lang = lang
        self.detector = detector
        self.allowed = detector.allowed_runs(allowed_texts)
        self.raw = ""
        self.sent = ""
        self.withheld = False
        self.leak: str | None = None  # what the withheld output repeated (see `LeakDetector.leak_kind`)
        self._stalled = False

    def feed(self, piece: str) -> str:
        """The safe text to show after `piece` (possibly empty)."""
        self.raw += piece
        if self._check():
            return ""
        return self._release(self.raw[: self._stable_end(self.raw)])

    def finish(self) -> str:
        """The rest of the safe text once the model stopped."""
        if self._check():
            return ""
        return self._release(self.raw)

    def _check(self) -> bool:
        if not self.withheld:
            self.leak = self.detector.leak_kind(self.raw, self.allowed)
            self.withheld = self.leak is not None
        return self.withheld

    def _stable_end(self, text: str) -> int:
        """Where the released prefix must stop so that more text cannot change its meaning."""
        # a tail that could become the canary or a run of the instructions
        end = self.detector.hold_from(text)
        while True:
            # never stop inside a word (an unfinished word may be a URL growing until whitespace)
            while end > 0 and not text[end - 1].isspace():
                end -= 1
            # never release a "<" whose ">" is not released with it
            opened = text.rfind("<", 0, end)
            if opened < 0 or ">" in text[opened:end]:
                return end
            end = opened

    def _release(self, prefix: str) -> str:
        if self._stalled:
            return ""
        clean = neutralise(prefix, self.lang)
        if not clean.startswith(self.sent):
            # the neutral form of what was shown changed (rare): show nothing more; the final answer carries the text
            self._stalled = True
            return ""
        delta, self.sent = clean[len(self.sent) :], clean
        return delta


__all__ = ["LINK_REMOVED", "LeakDetector", "OutputGuard", "neutralise"]
