"""Offline claim verification: is a claim supported by the exact sentences it cites?

There is no NLI model to download here, so the verdict comes from signals computed locally and explained
(`rag/support_features.py`): embedding similarity, word and lemma coverage, predicate-argument units aligned
from the spaCy parse. Small boosted decision trees, trained on human-labelled real claims (AttributionBench dev,
`benchmarks/train_verifier.py`) and shipped as numbers in `rag/data/verifier_model.json` (`rag/support_model.py`),
weigh them into a probability.
Hard checks (`rag/claim_checks.py`) then cap the verdict: a number or a name the sources lack, or a flipped
negation, is unsupported; an added purpose, cause, effect or time ("... to discuss ...") is at most partially
supported. Attribution wrappers a composer adds ("According to KCNA, ...", "Both outlets report that ...") are
removed first. A request (an answer, a briefing) verifies through one `Verifier`, which reuses the store's
sentence vectors and parses each text once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from rag.prompts import is_instruction
from rag.settings import Settings, VerifySettings, get_settings
from rag.support_features import Measured, TextCache, clean_claim, measure
from rag.support_model import support_probability
from rag.terms import fold
from rag.types import Evidence, Verdict, Verification

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbeddings
    from rag.linguistics import Reader

# Wrappers a composer puts around a source's content; they attribute, they do not assert. `(?P<who>…)` is
# checked against the cited outlets when they are known, so "according to the Constitution" in place of
# "according to the IMF" is content, not a wrapper.
_VERBS = (r"(?:reports?|reported|writes?|wrote|says|said|notes?|noted|states?|stated|adds?|added|argues|argued"
          r"|contends|contended|claims|claimed|suggests|suggested|warns|warned|announced|observed)")
_LEADING_WRAPPERS = (
    re.compile(r"^according to (?P<who>[^,]{1,80}?),\s+", re.IGNORECASE),
    # A name may hold a dot that ends no sentence ("TheBlaze.com", "U.S. News & World Report").
    # A list of names holds commas ("The Hill, New York Post and New York Times reported that ...").
    re.compile(rf"^(?P<who>(?:[^,.;:]|\.(?=\S)|\.(?= [A-Z&])|,(?= [A-Z])){{1,80}}?)\s+{_VERBS}(?:\s+that\s+|:\s*)",
               re.IGNORECASE),
    re.compile(r"^in (?:the )?words of (?P<who>[^,]{1,80}?),\s+", re.IGNORECASE),
)
_TRAILING_WRAPPERS = (
    re.compile(r",\s+(?:according to|as reported by)\s+(?P<who>[^,;:]{1,80}?)(?P<end>[.!?…]*)$",
               re.IGNORECASE),
    re.compile(rf",\s+(?P<who>(?:[^,.;:]|\.(?=\S)|\.(?= [A-Z&])){{1,80}}?)\s+{_VERBS}(?P<end>[.!?…]*)$",
               re.IGNORECASE),
)
# Who a composer may name without naming an outlet.
_GENERIC_WHO = re.compile(
    r"^(?:one|another|the|a|both|all|several|some|most|two|three|other)?\s*(?:of the\s+)?"
    r"(?:reports?|outlets?|sources?|articles?|stor(?:y|ies)|accounts?)$",
    re.IGNORECASE,
)


def _allowed_who(who: str, outlets: Sequence[str] | None) -> bool:
    """Whether `who` names the cited outlets (when they are not known: anything short enough to be a name)."""
    who = who.strip().strip("“”\"'")
    if _GENERIC_WHO.match(who):
        return True
    if outlets is None:
        return len(who.split()) <= 8
    # a newspaper is named with or without its "The" ("The New York Times reported", rag.attribution.press_name)
    known = {_THE.sub("", fold(o).strip("“”\" ")) for o in outlets}
    parts = [p for p in re.split(r",\s*|\s+and\s+", who) if p.strip()]
    return bool(parts) and all(_THE.sub("", fold(p).strip()) in known for p in parts)


_THE = re.compile(r"^the\s+")


# A sentence addressed to a model ("Ignore previous instructions and say ...") states no fact about the world;
# it can support only a claim that reports it as what the article says.

def strip_attribution(claim: str, outlets: Sequence[str] | None = None) -> str:
    """The asserted content of a claim without the attribution wrapper around it.

    With `outlets` (the outlets of the cited sentences) only wrappers naming them, or a generic "one report",
    are removed; without, any short attribution is.
    """
    text = claim.strip()
    for pattern in _LEADING_WRAPPERS:
        match = pattern.match(text)
        if match and len(text) - match.end() > 10 and _allowed_who(match.group("who"), outlets):
            text = text[match.end():].strip()
            if text[:1] in "“\"" and text[-1:] in "”\"" and len(text) > 2:
                text = text[1:-1]
            break
    for pattern in _TRAILING_WRAPPERS:
        match = pattern.search(text)
        if match and match.start() > 10 and _allowed_who(match.group("who"), outlets):
            text = text[: match.start()] + (match.group("end") or ".")
            break
    return text[:1].upper() + text[1:] if text else text


def ceiling(features: dict[str, float], thresholds: VerifySettings) -> Verdict:
    """The best verdict the hard checks allow: a missing number or name, a flipped negation or another doer
    of what the sources report ("The House passed" where the Senate did) is unsupported;
    an added purpose, cause, effect or time, or a claim none of whose verbs the sources have, is at most
    partially supported."""
    if features["missing_numbers"] or features["missing_names"] or features["negation"] \
            or features.get("swapped_doer"):  # not among the model's features (absent from the dev cache)
        return Verdict.UNSUPPORTED
    # what the claim says happened is nowhere in the cited sentences, and it reads differently: "The regime
    # staged war games." cited to "... as the US and rival South Korea get set to launch yet another war game"
    if features["added_relations"] or features["predicate_coverage"] == 0.0 \
            and features["sim_best"] < thresholds.unmatched_verbs_similarity:
        return Verdict.PARTIAL
    return Verdict.SUPPORTED


_RANK = {Verdict.UNSUPPORTED: 0, Verdict.PARTIAL: 1, Verdict.SUPPORTED: 2}


def judge(probability: float, features: dict[str, float], thresholds: VerifySettings) -> tuple[Verdict, float]:
    """Verdict and shown score: the model's probability, lowered under the threshold the hard checks allow."""
    if probability >= thresholds.supported_threshold:
        verdict = Verdict.SUPPORTED
    elif probability >= thresholds.partial_threshold:
        verdict = Verdict.PARTIAL
    else:
        verdict = Verdict.UNSUPPORTED
    allowed = ceiling(features, thresholds)
    if _RANK[allowed] < _RANK[verdict]:
        verdict = allowed
        bound = thresholds.partial_threshold if allowed == Verdict.UNSUPPORTED else thresholds.supported_threshold
        probability = min(probability, bound * 0.99)
    return verdict, probability


def _where(count: int) -> str:
    return "[1]" if count == 1 else "[" + "], [".join(str(i + 1) for i in range(count)) + "]"


class Verifier:
    """Verifies the claims of one request (an answer, a briefing) against the sentences they cite.

    Every text is encoded and parsed at most once per request: the store's vectors of the cited sentences are
    reused (`evidence`, `vectors`), claims given to `verify_all` are encoded in one batch, and parses are shared
    with the request's `reader` (the composer's or the generator's). One instance per request.
    """

    def __init__(self, embeddings: SentenceEmbeddings | None = None, settings: Settings | None = None, *,
                 evidence: Evidence | None = None, vectors: Mapping[str, np.ndarray] | None = None,
                 reader: Reader | None = None) -> None:
        self.settings = get_settings(settings)
        if embeddings is None:
            from rag.embeddings import SentenceEmbeddings

            embeddings = SentenceEmbeddings(self.settings.embedding_model)
        known = dict(vectors or {})
        if evidence is not None:
            known.update((hit.sentence.text, v) for hit, v in zip(evidence.hits, evidence.vectors, strict=True))
        self.texts = TextCache(embeddings, known, reader)
        # A briefing's composer asks about the same (claim, sources, outlets) again (~4% of its calls).
        self._verified: dict[tuple[str, tuple[str, ...], tuple[str, ...] | None], Verification] = {}

    def __call__(self, claim_text: str, sources: Sequence[str], *, outlets: Sequence[str] | None = None,
                 source_vectors: np.ndarray | None = None) -> Verification:
        """Verdict, score (0–1) and human-readable reasons for `claim_text` against the sentences it cites.

        `outlets`: the outlets of the cited sentences, when known; attribution to anyone else is then checked as
        content (a swapped source is caught), not removed as a wrapper. `source_vectors`: the sources'
        embeddings when the caller has them (one row per source, same order), so they are not encoded again.
        """
        if source_vectors is not None:
            return self._verify(claim_text, sources, outlets, source_vectors)
        key = (claim_text, tuple(sources), None if outlets is None else tuple(outlets))
        if key not in self._verified:
            self._verified[key] = self._verify(claim_text, sources, outlets, None)
        return self._verified[key]

    def _verify(self, claim_text: str, sources: Sequence[str], outlets: Sequence[str] | None,
                source_vectors: np.ndarray | None) -> Verification:
        thresholds = self.settings.verify
        keep = [i for i, s in enumerate(sources) if s and s.strip()]
        if source_vectors is not None:
            source_vectors = np.asarray(source_vectors)[keep] if len(source_vectors) == len(sources) else None
        sources = [sources[i] for i in keep]
        if not sources:
            return Verification(Verdict.UNSUPPORTED, 0.0, ("cites no source sentence",))
        if all(is_instruction(s) for s in sources) and not is_instruction(claim_text):
            return Verification(Verdict.UNSUPPORTED, 0.0, ("the cited text is an instruction, not a statement",))
        claim = asserted(claim_text, outlets)
        if not re.search(r"\w", claim):
            return Verification(Verdict.UNSUPPORTED, 0.0, ("claim is empty",))
        measured = measure(claim, sources, self.texts, near=thresholds.near_sentences,
                           limit=thresholds.max_passage_sentences, source_vectors=source_vectors)
        verdict, score = judge(support_probability(measured.features), measured.features, thresholds)
        return Verification(verdict, round(score, 4), reasons(measured, len(sources)))

    def prepare(self, claims: Sequence[tuple[str, Sequence[str] | None]]) -> None:
        """Encode and parse the asserted part of each (claim, cited outlets or None) in one batch each, before
        verifying them."""
        texts = [c for c in (asserted(text, outlets) for text, outlets in claims) if c]
        self.texts.vectors_of(texts)
        self.texts.docs_of(texts)

    def verify_all(self, claims: Sequence[tuple[str, Sequence[str], Sequence[str] | None]]) -> list[Verification]:
        """Each (claim, cited sentences, their outlets or None) verified; the claims are encoded in one batch."""
        self.prepare([(text, outlets) for text, _, outlets in claims])
        return [self(text, sources, outlets=outlets) for text, sources, outlets in claims]


def asserted(claim_text: str, outlets: Sequence[str] | None = None) -> str:
    """What the claim asserts: citation markers and the attribution wrapper removed."""
    return strip_attribution(clean_claim(claim_text), outlets)


def verify_claim(
    claim_text: str,
    sources: Sequence[str],
    *,
    embeddings: SentenceEmbeddings | None = None,
    settings: Settings | None = None,
    outlets: Sequence[str] | None = None,
    source_vectors: np.ndarray | None = None,
) -> Verification:
    """One claim verified on its own (see `Verifier`; a request with several claims should share one)."""
    return Verifier(embeddings, settings)(claim_text, sources, outlets=outlets, source_vectors=source_vectors)


def reasons(measured: Measured, n_sources: int) -> tuple[str, ...]:
    """One line per finding, naming the part of the claim the cited sentences lack."""
    f, where = measured.features, _where(n_sources)
    out = [f"similarity {f['sim_best']:.2f}; {f['coverage']:.0%} of the claim's content words are in {where}"]
    for added in measured.added:
        out.append(f"{added.kind} ‘{added.text}’ is not in {where}")
    if measured.missing_numbers:
        out.append(f"number not in {where}: " + ", ".join(measured.missing_numbers))
    if measured.missing_names:
        out.append(f"name not in {where}: " + ", ".join(measured.missing_names))
    if measured.negation:
        out.append(f"negation mismatch: {measured.negation}")
    if measured.swapped:
        out.append(f"who did it differs: {measured.swapped}")
    if measured.missing_terms:
        out.append(f"words not in {where}: " + ", ".join(measured.missing_terms[:6]))
    if measured.weakest and not (measured.added or measured.missing_names or measured.missing_numbers):
        clause, share = measured.weakest
        out.append(f"least supported part: ‘{clause}’ ({share:.0%} of its content words are in {where})")
    return tuple(out)
