"""Grounded Q&A: retrieve sentences, generate claims, resolve citations, verify every claim.

`answer()` returns the finished `Answer`; `stream_answer()` yields each `Claim` as it is verified, then the
`Answer`. A question the sources cannot answer gets the refusal (REFUSAL) and the closest sentences found.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

from rag.citations import MarkerNumbering, resolve_claim
from rag.comparison import is_comparison, names_outlet
from rag.errors import InvalidQuestion, StoreError
from rag.linguistics import answer_types, gives_answer_type, parse, what_is_asked
from rag.prompts import is_refusal
from rag.providers import Generator, resolve_generator
from rag.refusal import judge
from rag.retrieval import lead_vectors, retrieve, with_articles_of
from rag.settings import Settings, get_settings
from rag.store import Store, open_store
from rag.stories import days_apart, group_stories
from rag.types import Answer, Claim, DraftClaim, Evidence, SentenceHit, Verdict
from rag.verify import Verifier

MAX_QUESTION_CHARS = 2_000
CLOSEST_SHOWN = 3


def validate_question(question: str | None) -> str:
    """The question stripped, or InvalidQuestion with a message the user can act on."""
    text = (question or "").strip()
    if not text:
        raise InvalidQuestion("the question is empty; ask something about the articles in the collection")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Ask a shorter question (paste articles with `crossread ingest`, not into the question)"
        )
    return text


def closest_sentences(hits: Sequence[SentenceHit]) -> tuple[SentenceHit, ...]:
    """What to show with a refusal: the most similar sentences found, most similar first."""
    return tuple(sorted(hits, key=lambda h: -h.score)[:CLOSEST_SHOWN])


def same_story(store: Store, collection: str, anchor: str, evidence: Evidence, settings: Settings,
               on_question: Sequence[str] = ()) -> tuple[str, ...]:
    """The documents of `evidence` on the story `anchor` is on: those rag.stories groups with it (no lone
    article attached: among a few candidates every article of another event is alone), those of the articles
    on the question (`on_question`, the gate's) grouped with it when a lone one joins its closest story, and
    those with a retrieved sentence stating what one of the story's retrieved sentences states
    (same_fact_cosine)."""
    doc_ids = list(dict.fromkeys((anchor, *(h.sentence.doc_id for h in evidence))))
    cfg = settings.stories
    story: set[str] = set()
    for candidates, attach in ((doc_ids, False), (list(dict.fromkeys((anchor, *on_question))), True)):
        docs = [store.document(collection, d) for d in candidates]
        stories = group_stories(docs, lead_vectors(store, collection, docs, cfg.lead_sentences), cfg, attach=attach)
        story |= {d.doc_id for d in next(st for st in stories if any(d.doc_id == anchor for d in st.docs)).docs}
    cos = evidence.cosines()
    rows = [i for i, h in enumerate(evidence) if h.sentence.doc_id in story]
    dated = store.document(collection, anchor).meta.date
    for i, h in enumerate(evidence):
        apart = days_apart(dated, h.meta.date)  # the same words two weeks later are the next event's
        if h.sentence.doc_id not in story and rows and max(float(cos[i, r]) for r in rows) \
                >= settings.answer.same_fact_cosine and (apart is None or apart <= cfg.max_days_apart):
            story.add(h.sentence.doc_id)
    return tuple(d for d in doc_ids if d in story)


def near_in_time(store: Store, collection: str, doc_ids: Sequence[str], settings: Settings) -> tuple[str, ...]:
    """The documents dated within stories.max_days_apart of the first (undated ones stay): a story's words two
    weeks later ("the Senate passed the bill") are the next event's, not an answer about the vote to advance it."""
    if not doc_ids:
        return ()
    first = store.document(collection, doc_ids[0]).meta.date
    return tuple(d for d in doc_ids if (apart := days_apart(first, store.document(collection, d).meta.date)) is None
                 or apart <= settings.stories.max_days_apart)


def check_claim(draft: DraftClaim, evidence: Sequence[SentenceHit], numbering: MarkerNumbering,
                store: Store, settings: Settings, verifier: Verifier | None = None) -> Claim:
    """Resolve a draft's markers against the evidence and verify it against the sentences it cites (with the
    request's `verifier`, which holds the evidence's stored vectors and the parses made so far)."""
    resolution = resolve_claim(draft, evidence)
    citations = numbering.apply(resolution.citations)
    verify = verifier or Verifier(store.embeddings, settings)
    verification = verify(draft.text, [c.text for c in citations], outlets=[c.outlet for c in citations])
    # Without citations the resolution problems say why; the verifier's "cites no source" would repeat it.
    reasons = resolution.problems if not citations and resolution.problems else (
        verification.reasons + resolution.problems)
    return Claim(draft.text, citations, verification.verdict, verification.score, reasons, draft.label)


def stream_answer(
    question: str,
    *,
    collection: str | None = None,
    settings: Settings | None = None,
    store: Store | None = None,
    generator: Generator | str | None = None,
) -> Iterator[Claim | Answer]:
    """Yield each verified claim as it is produced, then the final Answer."""
    s = get_settings(settings)
    question = validate_question(question)
    store = store or open_store(s)
    name = store.collection_name(collection)
    if store.docs.version(name)[0] == 0:
        raise StoreError(f"collection {name!r} has no articles yet; add some with `crossread ingest PATH`")
    comparison = is_comparison(question)
    found = retrieve(store, name, question, s, k=s.retrieval.top_k + s.retrieval.top_k // 2 if comparison else None)
    if comparison:
        found = with_articles_of(store, name, found, partial(names_outlet, question))
    chosen = resolve_generator(generator, s) if isinstance(generator, str) or generator is None else generator

    gate = judge(question, found, store, name, s, wide=comparison)
    if not gate.answerable:
        yield Answer(question, (), True, chosen.name, closest_sentences(found), getattr(chosen, "notice", None))
        return
    # Only articles on the question may be cited: those the gate found covering it, and the other articles of
    # the story the best of them is on (their sentences may answer in other words: "voted 94-1" for "how many
    # senators voted against"); a neighbouring story's articles stay out.
    story = same_story(store, name, gate.doc_ids[0], found, s, gate.doc_ids)
    hits = found.only(tuple(dict.fromkeys(near_in_time(store, name, gate.doc_ids, s) + story))
                      if not comparison else story)
    numbering = MarkerNumbering()
    verifier = Verifier(store.embeddings, s, evidence=hits)
    claims: list[Claim] = []
    refused = False
    for draft in chosen.generate("answer", question, hits):
        if is_refusal(draft.text):
            refused = not claims
            break
        claim = check_claim(draft, hits, numbering, store, s, verifier)
        if claim.verdict == Verdict.UNSUPPORTED and s.verify.unsupported_policy == "remove":
            continue
        claims.append(claim)
        yield claim
    refused = refused or not claims
    closest = closest_sentences(hits) if refused else ()
    notice = getattr(chosen, "notice", None)
    missing = None if refused or comparison else unstated(question, claims)
    if missing:
        notice = f"{notice}. {missing}" if notice else missing
    yield Answer(question, tuple(claims), refused, chosen.name, closest, notice)


def unstated(question: str, claims: Sequence[Claim]) -> str | None:
    """A note when the question asks for a number, date, person or place that no sentence of the answer gives
    ("How many people died?" answered with what the sources say around it): the sources found don't say."""
    wanted = answer_types(question)
    if not wanted or any(gives_answer_type(doc, wanted) for doc in parse([c.text for c in claims])):
        return None
    return f"No sentence of this answer gives {what_is_asked(wanted)}: the sources found don't say it plainly."


def answer(
    question: str,
    *,
    collection: str | None = None,
    settings: Settings | None = None,
    store: Store | None = None,
    generator: Generator | str | None = None,
) -> Answer:
    """Answer a question from the collection with verified, cited claims (or the refusal)."""
    for item in stream_answer(question, collection=collection, settings=settings, store=store,
                              generator=generator):
        if isinstance(item, Answer):
            return item
    raise AssertionError("stream_answer always ends with an Answer")
