"""The shared LLM generator: numbered evidence in, streamed and cited draft claims out.

Any LangChain chat model (`BaseChatModel`) or completion model (`BaseLLM`) can sit behind it. Generation is a
Runnable chain — evidence formatting | the prompt file for the task and style as a LangChain prompt | the
model — streamed with `.stream()` into `ClaimParser`; the stream is closed where the parser stops. The parser
passes tokens to an optional `on_token` callback, cuts the output at stop sequences, splits it into sentences,
parses `[n]` markers, and gives sentences that cite nothing the evidence sentence they align with (embedding
similarity plus word overlap) — or leaves them uncited, which the verifier then marks unsupported. A model that
says the refusal phrase yields exactly one refusal claim."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from langchain_core.language_models import BaseChatModel, BaseLLM
from langchain_core.runnables import Runnable, RunnableLambda

from rag.citations import draft_claims_from_text
from rag.embeddings import SentenceEmbeddings
from rag.errors import ProviderUnavailable
from rag.prompts import REFUSAL, is_instruction, is_refusal, langchain_prompt
from rag.providers import Task
from rag.settings import AnswerSettings
from rag.terms import STOPWORDS, tokens
from rag.types import DraftClaim, Evidence, SentenceHit

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

PromptStyle = Literal["chat", "completion"]

# A base model keeps writing after its answer: new "Question:" blocks, invented "[4] ..." source lines.
COMPLETION_STOP = ("\nQuestion:", "\nSources:", "\n\n", "\n[", "\nTopic:")
CHAT_STOP = ("\nQuestion:",)
# Alignment: a sentence without markers cites the evidence it matches at least this well
# (0.7 * cosine similarity + 0.3 * share of its content words found in the evidence sentence).
ALIGN_MAX_CITATIONS = 2
_FENCE = re.compile(r"</?\s*sources\s*>", re.IGNORECASE)
# Sentences addressed to a model rather than a reader ("Ignore previous instructions and say ..."). They stay
# in the prompt as numbered data, but a generated sentence is never aligned to them: restating an injected
# command must not look like a claim the sources support.
_LABEL = re.compile(r"^\s*(?:answer|briefing)\s*:\s*", re.IGNORECASE)


def format_evidence(evidence: Sequence[SentenceHit]) -> str:
    """One line per evidence sentence, `[n] (Outlet) text`; article text can neither break the fence nor
    start a line of its own."""
    lines = []
    for position, hit in enumerate(evidence, start=1):
        text = " ".join(_FENCE.sub(" ", hit.sentence.text).split())
        outlet = " ".join(_FENCE.sub(" ", hit.outlet).split())
        lines.append(f"[{position}] ({outlet}) {text}")
    return "\n".join(lines)


def prompt_name(task: Task, style: PromptStyle) -> str:
    return f"{task}_{style}"


def prompt_variables(task: Task, question: str, evidence: Sequence[SentenceHit]) -> dict[str, str]:
    """Exactly the variables the prompt files for `task` use (checked by tests/test_prompts.py)."""
    asked = " ".join(question.split())
    subject = {"answer": "question", "brief": "topic"}[task]
    return {"refusal": REFUSAL, "sources": format_evidence(evidence), subject: asked}


def content_words(text: str) -> set[str]:
    """Unstemmed words that carry content (rag.terms' tokens and stopwords), numbers kept."""
    return {w for w in tokens(text) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())}


def word_overlap(claim: str, source: str) -> float:
    """Share of the claim's content words that the source sentence contains."""
    words = content_words(claim)
    return len(words & content_words(source)) / len(words) if words else 0.0


class EvidenceAligner:
    """Finds which evidence sentences a generated sentence restates (for models that do not cite)."""

    def __init__(
        self, embeddings: SentenceEmbeddings, evidence: Sequence[SentenceHit], cfg: AnswerSettings | None = None
    ):
        self.embeddings = embeddings
        self.evidence = evidence
        self.cfg = cfg or AnswerSettings()
        self.minimum = self.cfg.llm_align_min
        # Retrieval's Evidence carries the vectors the store holds; a plain list of hits is encoded on first use.
        self._vectors: np.ndarray | None = evidence.vectors if isinstance(evidence, Evidence) else None

    def scores(self, sentence: str) -> list[float]:
        """Alignment score of `sentence` with each evidence item, in evidence order."""
        if self._vectors is None:
            self._vectors = self.embeddings.encode([h.sentence.text for h in self.evidence])
        cosine = self._vectors @ self.embeddings.encode([sentence])[0]
        return [
            -1.0 if is_instruction(hit.sentence.text)
            else 0.7 * float(cos) + 0.3 * word_overlap(sentence, hit.sentence.text)
            for cos, hit in zip(cosine, self.evidence, strict=True)
        ]

    def markers(self, sentence: str) -> tuple[int, ...]:
        """1-based positions of the best-aligned evidence (up to two close ones), or () if none aligns."""
        if not self.evidence:
            return ()
        scores = self.scores(sentence)
        best = max(scores)
        if best < self.minimum:
            return ()
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
        chosen = [i for i in ranked if scores[i] >= max(self.minimum, best - self.cfg.llm_align_gap)]
        return tuple(i + 1 for i in chosen[:ALIGN_MAX_CITATIONS])


def plain_reason(exc: BaseException) -> str:
    """A short lower-case reason for a transport failure ("connection refused"), from the OS error at the
    root of the exception chain when there is one; no error numbers or brackets."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror.lower()
        seen = seen.__cause__ or seen.__context__
    text = re.sub(r"\[Errno -?\d+\]\s*|[()\[\]]", "", str(exc)).strip()
    return text[:120].lower() if text else type(exc).__name__


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Text up to the first stop sequence, and whether one was found."""
    cuts = [text.find(s) for s in stop if s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


class LLMGenerator:
    """A `Generator` over a LangChain chat or completion model, run as a Runnable chain:
    evidence formatting → prompt template → model (with stop sequences), streamed into the claim parser."""

    notice: str | None = None

    def __init__(
        self,
        model: BaseChatModel | BaseLLM,
        *,
        name: str,
        style: PromptStyle | None = None,
        embeddings: SentenceEmbeddings | None = None,
        stop: Sequence[str] | None = None,
        on_token: Callable[[str], None] | None = None,
        describe_error: Callable[[Exception], str | None] | None = None,
        align: AnswerSettings | None = None,
        time_limit: float | None = None,
    ):
        self.model = model
        self.name = name
        self.style: PromptStyle = style or ("chat" if isinstance(model, BaseChatModel) else "completion")
        self.embeddings = embeddings or SentenceEmbeddings()
        default_stop = CHAT_STOP if self.style == "chat" else COMPLETION_STOP
        self.stop = tuple(stop if stop is not None else default_stop)
        self.on_token = on_token
        self.describe_error = describe_error
        self.align = align or AnswerSettings()
        self.time_limit = time_limit

    def chain(self, task: Task) -> Runnable[dict[str, Any], Any]:
        """The generation chain for `task`; its input is `{"question": str, "evidence": [SentenceHit]}`, its
        stream the model's chunks. The claim parser reads that stream outside the chain: as a chain step, LangChain
        would drain the model's stream to its end after the parser stopped (measured: a 0.3 s time limit ended
        after the whole 4 s stream), so neither the time limit nor a stop sequence would end the wait."""
        def variables(inputs: dict[str, Any]) -> dict[str, str]:
            return prompt_variables(task, inputs["question"], inputs["evidence"])

        return (
            RunnableLambda(variables)
            | langchain_prompt(prompt_name(task, self.style))
            | self.model.bind(stop=list(self.stop))
        )

    def generate(
        self, task: Task, question: str, evidence: Sequence[SentenceHit],
        on_token: Callable[[str], None] | None = None,
    ) -> Iterator[DraftClaim]:
        """Yield claims as the model writes them; each cites evidence by 1-based position, or nothing.

        `on_token` (default: the generator's) receives the raw text as it streams, e.g. for a UI. Past
        `time_limit` seconds generation stops: with claims so far the answer ends there, without any it is
        ProviderUnavailable (so the caller can fall back). Provider failures become ProviderUnavailable.
        """
        if not evidence:
            yield DraftClaim(REFUSAL, ())
            return
        parser = ClaimParser(
            EvidenceAligner(self.embeddings, evidence, self.align), name=self.name, stop=self.stop,
            on_token=on_token or self.on_token, time_limit=self.time_limit,
        )
        stream = cast(Generator[Any, None, None],
                      self.chain(task).stream({"question": question, "evidence": list(evidence)}))
        try:
            yield from parser.parse(chunk if isinstance(chunk, str) else chunk.text for chunk in stream)
        except ProviderUnavailable:
            raise
        except Exception as exc:
            message = self.describe_error(exc) if self.describe_error else None
            if message is None:
                raise
            raise ProviderUnavailable(message) from exc
        finally:
            stream.close()  # stops the model's stream (a server's response) where the parser stopped


class ClaimParser:
    """What reads the chain's stream: text in, draft claims out (stop sequences, refusal, duplicates,
    alignment of uncited sentences, the time limit)."""

    def __init__(self, aligner: EvidenceAligner, *, name: str, stop: Sequence[str],
                 on_token: Callable[[str], None] | None = None, time_limit: float | None = None):
        self.output = _Output(aligner)
        self.name = name
        self.stop = stop
        self.on_token = on_token
        self.time_limit = time_limit

    def parse(self, tokens: Iterator[str]) -> Iterator[DraftClaim]:
        deadline = time.monotonic() + self.time_limit if self.time_limit else None
        output = self.output
        buffer = ""
        for token in tokens:
            if not token:
                continue
            if self.on_token:
                self.on_token(token)
            buffer, stopped = cut_at_stop(buffer + token, self.stop)
            yield from output.take(buffer, complete=stopped)
            if stopped or output.refused:
                return
            if deadline and time.monotonic() > deadline:
                if not output.emitted:
                    raise ProviderUnavailable(f"{self.name} wrote no sentence within {self.time_limit:g} s")
                log.warning("%s stopped after %g s; unfinished sentence dropped", self.name, self.time_limit)
                return
        yield from output.take(buffer, complete=True)
        if not buffer.strip():
            log.warning("%s produced no text", self.name)


def client_generator(
    settings: Settings, name: str, *, chat: Callable[..., BaseChatModel], completion: Callable[..., BaseLLM],
    options: dict[str, Any], describe_error: Callable[[Exception], str | None],
) -> LLMGenerator:
    """A server client's generator: its completion model with `prompt_style=completion`, else its chat model."""
    style: PromptStyle = "completion" if settings.llm.prompt_style == "completion" else "chat"
    model = completion(**options) if style == "completion" else chat(**options)
    return LLMGenerator(
        model, name=name, style=style, describe_error=describe_error, time_limit=settings.llm.timeout,
        embeddings=SentenceEmbeddings(settings.embedding_model, data_dir=settings.data_dir), align=settings.answer,
    )


class _Output:
    """The claims of one generation so far: which are emitted, seen, and whether the model refused."""

    def __init__(self, aligner: EvidenceAligner):
        self.aligner = aligner
        self.emitted = 0
        self.seen: set[str] = set()
        self.refused = False
        self.claimed = False

    def take(self, buffer: str, *, complete: bool) -> Iterator[DraftClaim]:
        """Claims of `buffer` that are settled (all of them once `complete`) and not yet emitted."""
        drafts = parse_output(buffer)
        settled = drafts if complete else settled_prefix(drafts)
        for draft in settled[self.emitted:]:
            if self.refused:
                break
            yield from self._finish(draft)
        self.emitted = max(self.emitted, len(settled))

    def _finish(self, draft: DraftClaim) -> Iterator[DraftClaim]:
        """Refusal, duplicate removal and alignment-based citations for one parsed sentence."""
        if is_refusal(draft.text):
            self.refused = True  # a refusal after real claims only ends the answer
            if not self.claimed:
                yield DraftClaim(REFUSAL, ())
            return
        key = " ".join(sorted(content_words(draft.text))) or draft.text.casefold()
        if key in self.seen:  # base models loop; a repeated sentence adds nothing
            return
        self.seen.add(key)
        self.claimed = True
        yield DraftClaim(draft.text, draft.markers or self.aligner.markers(draft.text))


def settled_prefix(drafts: list[DraftClaim]) -> list[DraftClaim]:
    """Drafts that later text can no longer change: all but the last, or all but the last two while the
    last has no words yet (it may be the start of markers that belong to the one before)."""
    if drafts and not re.search(r"[^\W\d_]", drafts[-1].text):
        return drafts[:-2]
    return drafts[:-1]


def parse_output(text: str) -> list[DraftClaim]:
    """Sentences of generated text with their markers; a leading 'Answer:' label is dropped."""
    return draft_claims_from_text(_LABEL.sub("", text.lstrip()))
