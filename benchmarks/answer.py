"""Answer benchmark: retrieval recall, answer quality (issue 10), latency per generator, verifier accuracy.

Data: the AllSides development events (`raw_dev.jsonl`, three outlets per event). From one run it prints
  * retrieval, for dense only / + BM25 (RRF) / + per-outlet quota:
      - lead recall@k: an article's headline as the query, its first sentence (which answers it) as gold;
      - outlet coverage@k: an AllSides neutral roundup sentence as the query; share of the event's outlets
        with at least one sentence in the top k (what the quota is for);
  * answer latency p50/p95 per generator (shipped corpus, after warm-up; dev store for extractive);
  * citation quality: share of claims citing anything, share of shown citations that resolve to the stored
    sentence (text and offsets), share of claims judged supported,
    refusal rates on answerable (in-store events) and unanswerable (held-out events) questions;
  * verifier accuracy on labelled (claim, sentence) pairs built from article sentences: true pairs (verbatim
    with an attribution wrapper, first clause, reformatted numbers) and false pairs (a swapped number, a
    swapped name, an inserted or removed negation).

  * answer quality (answer_quality.py): in-store questions (answered, right event, event outlets cited,
    words, outlets named), out-of-store questions on overlapping topics (refused), comparison questions
    (every outlet cited, an agreement/difference line), faithfulness (new words, quotation marks not in
    the source, single-source claims as "the sources"), hostile articles (framing changed), p50/p95 latency;
    printed beside the last run (benchmarks/results/answer.json) and the issue's targets.

    python benchmarks/answer.py [--events 40] [--parts retrieval,answers,quality,verifier]
                                [--generators extractive,llamacpp]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import answer_quality
import defects
import devdata

ROOT = devdata.ROOT
CORPUS_QUESTIONS = [
    "What did Kim Jong Un call for?", "When are the Ulchi Freedom Guardian drills?",
    "How many troops take part in the exercises?", "What did Kim see at the factories?",
    "Who will attend the Camp David summit?", "What does Pyongyang think of the drills?",
    "What did the storm Khanun cause?", "Why are the drills necessary according to South Korea?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dev_store(events: list[dict], workdir: Path):
    """(store, doc_id → event id) with the events' articles in the default collection."""
    store = devdata.fresh_store(workdir)
    start = time.perf_counter()
    results = devdata.ingest_events(store, events, None, workdir)
    added = sum(r.status == "added" for r in results)
    print(f"dev store: {len(events)} events, {added} articles added in {time.perf_counter() - start:.0f} s")
    return store, answer_quality.doc_events(results)


def retrieval_figures(store, events: list[dict]) -> None:
    from rag.retrieval import retrieve
    from rag.settings import RetrievalSettings

    docs = store.docs.list_documents("default")
    leads = [(d["title"], d["doc_id"]) for d in docs if d["title"]]
    roundups = [(answer_quality.roundup_question(e), devdata.outlets(e)) for e in events]
    configs = {  # name: (lexical, diversity, per-outlet quota as a share of k)
        "dense only": (False, False, 1.0), "+ BM25 (RRF)": (True, False, 1.0),
        "+ outlet quota k/2 (default 4 of 8)": (True, True, 0.5), "+ outlet quota k/4": (True, True, 0.25),
    }
    retrieve(store, "default", "warm-up")  # model load and BM25 index build are not per-query costs
    print(f"\n### Retrieval ({len(leads)} headline queries, {len(roundups)} roundup queries)")
    print("| configuration | lead recall@4 | outlet coverage@4 | lead recall@8 | outlet coverage@8 | p50 ms |")
    print("|---|---|---|---|---|---|")
    for name, (lexical, diversity, share) in configs.items():
        cells, times = [], []
        for k in (4, 8):
            cfg = RetrievalSettings(top_k=k, per_outlet_max=max(1, round(k * share)))
            found, coverage = 0, []
            for title, doc_id in leads:
                t = time.perf_counter()
                hits = retrieve(store, "default", title, cfg, lexical=lexical, diversity=diversity)
                times.append(time.perf_counter() - t)
                found += any(h.sentence.doc_id == doc_id and h.sentence.index == 0 for h in hits)
            for query, outlets in roundups:
                hits = retrieve(store, "default", query, cfg, lexical=lexical, diversity=diversity)
                coverage.append(len(outlets & {h.outlet for h in hits}) / len(outlets))
            cells += [f"{found / len(leads):.3f}", f"{statistics.mean(coverage):.3f}"]
        print(f"| {name} | {' | '.join(cells)} | {1000 * statistics.median(times):.0f} |")


def answer_figures(store, questions: list[str], generator: str, label: str, repeats: int = 1) -> dict:
    """Latency and citation quality of `generator` answering `questions` from `store`."""
    from rag.answer import answer

    answer(questions[0], store=store, generator=generator)  # warm-up: model loads, caches fill
    times, claims, cited, citations, resolved, supported, refused = [], 0, 0, 0, 0, 0, 0
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            result = answer(q, store=store, generator=generator)
            times.append(time.perf_counter() - t)
            refused += result.refused
            for claim in result.claims:
                claims += 1
                cited += bool(claim.citations)
                supported += claim.verdict == "supported"
                citations += len(claim.citations)
                resolved += sum(_resolves(store, c) for c in claim.citations)
    n = len(questions) * repeats
    row = {"label": label, "generator": generator, "p50": 1000 * percentile(times, 0.5),
           "p95": 1000 * percentile(times, 0.95), "claims": claims, "cited": cited / max(1, claims),
           "resolve": resolved / max(1, citations), "supported": supported / max(1, claims), "refused": refused / n}
    print(f"| {label} | {generator} | {row['p50']:.0f} | {row['p95']:.0f} | {claims} | {row['cited']:.1%} | "
          f"{row['resolve']:.1%} | {row['supported']:.1%} | {row['refused']:.0%} |")
    return row


def _resolves(store, citation) -> bool:
    doc = store.docs.get_document("default", citation.doc_id)
    if doc is None or not 0 <= citation.sentence_index < len(doc.sentences):
        return False
    s = doc.sentences[citation.sentence_index]
    return s.text == citation.text == doc.text[citation.start:citation.end]


# --- verifier pairs ------------------------------------------------------------------------------
_NAME = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+(?: [A-Z][a-z]+)*)")
_NUM = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_AUX = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does)\b (?!not\b)")
_NOT_A_CLAUSE_START = {"in", "on", "at", "after", "before", "while", "when", "as", "with", "without", "since",
                       "although", "though", "if", "because", "during", "despite", "for", "from", "by", "to"}
_NEG = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does) not\b")


def swap_number(s: str, rng: random.Random) -> str | None:
    nums = _NUM.findall(s)
    if not nums:
        return None
    old = rng.choice(nums)
    value = float(old.replace(",", ""))
    new = value + rng.choice([1, 2, 3, 7, 10]) if value < 100 else value * rng.choice([2, 3, 0.5])
    text = f"{new:,.0f}" if new == int(new) else f"{new:g}"
    return s.replace(old, text, 1)


def swap_name(s: str, pool: list[str], rng: random.Random) -> str | None:
    names = [n for n in _NAME.findall(s) if len(n) > 3]
    if not names:
        return None
    old = rng.choice(names)
    candidates = [p for p in pool if p.lower() not in s.lower() and not set(p.split()) & set(old.split())]
    return s.replace(old, rng.choice(candidates), 1) if candidates else None


def flip_negation(s: str) -> str | None:
    if _NEG.search(s):
        return _NEG.sub(lambda m: m.group(1), s, count=1)
    if _AUX.search(s):
        return _AUX.sub(lambda m: f"{m.group(1)} not ", s, count=1)
    return None


def true_variants(s: str, outlet: str) -> list[tuple[str, str]]:
    body = s[0].lower() + s[1:] if s.split()[0] in {"The", "A", "An", "In", "On", "At"} else s
    out = [("attributed", f"According to {outlet}, {body}"),
           ("attributed", f"{s.rstrip('.')}, according to {outlet}.")]
    clause = re.split(r",\s|\s—\s|;\s", s)[0]
    opener = clause.split()[0].lower()
    fragment = opener in _NOT_A_CLAUSE_START or opener.endswith("ing") or clause[0] in "\"“"
    if len(clause.split()) >= 7 and clause != s and not fragment:
        out.append(("first clause", clause.rstrip(".") + "."))
    reformatted = re.sub(r"(\d),(\d{3})\b", r"\1\2", s).replace("%", " percent")
    if reformatted != s:
        out.append(("numbers reformatted", reformatted))
    return out


def labelled_pairs(events: list[dict], rng: random.Random, limit: int
                   ) -> list[tuple[str, str, str, str, bool]]:
    """(kind, claim, source sentence, its outlet, is_supported)."""
    from rag.sentences import split_sentences

    sentences: list[tuple[str, str]] = []
    for e in events:
        for news in e["news"].values():
            for para in news["newBody"][:2]:
                for sent in split_sentences("x", para)[:2]:
                    if 10 <= len(sent.text.split()) <= 45 and not sent.text.endswith(("...", "…")):
                        sentences.append((sent.text, news["newsSource"].strip()))
    rng.shuffle(sentences)
    sentences = sentences[:limit]
    pool = sorted({n for s, _ in sentences for n in _NAME.findall(s) if len(n) > 3})
    pairs = []
    for s, outlet in sentences:
        pairs += [(kind, claim, s, outlet, True) for kind, claim in true_variants(s, outlet)]
        makers: dict[str, Callable[[str], str | None]] = {
            "number swap": lambda x: swap_number(x, rng), "name swap": lambda x: swap_name(x, pool, rng),
            "negation flip": flip_negation,
        }
        for kind, make in makers.items():
            claim = make(s)
            if claim and claim != s:
                pairs.append((kind, claim, s, outlet, False))
    return pairs


def verifier_figures(events: list[dict], limit: int) -> None:
    from rag.embeddings import SentenceEmbeddings
    from rag.verify import verify_claim

    embeddings = SentenceEmbeddings()
    pairs = labelled_pairs(events, random.Random(7), limit)
    for mode, knows_outlet in (("cited outlet known (the answer path)", True),
                               ("outlet unknown (`crossread verify`)", False)):
        by_kind: dict[str, list[tuple[bool, str]]] = {}
        for kind, claim, source, outlet, truth in pairs:
            outlets = [outlet] if knows_outlet else None
            verdict = str(verify_claim(claim, [source], embeddings=embeddings, outlets=outlets).verdict)
            by_kind.setdefault(kind, []).append((truth, verdict))
        print(f"\n### Verifier on {len(pairs)} labelled (claim, sentence) pairs; {mode}")
        print("| pair kind | n | judged supported | partially | unsupported |")
        print("|---|---|---|---|---|")
        for kind, rows in sorted(by_kind.items(), key=lambda item: not item[1][0][0]):
            n = len(rows)
            verdicts = ("supported", "partially supported", "unsupported")
            share = {v: sum(r[1] == v for r in rows) / n for v in verdicts}
            print(f"| {kind} ({'true' if rows[0][0] else 'false'}) | {n} | {share['supported']:.1%} | "
                  f"{share['partially supported']:.1%} | {share['unsupported']:.1%} |")
        true_rows = [v for rows in by_kind.values() for t, v in rows if t]
        false_rows = [v for rows in by_kind.values() for t, v in rows if not t]
        caught = sum(v != "supported" for v in false_rows) / len(false_rows)
        alarms = sum(v != "supported" for v in true_rows) / len(true_rows)
        print(f"\ncatch rate (false pair not judged supported): {caught:.1%}; "
              f"false alarms (true pair not judged supported): {alarms:.1%}")


TARGETS = {  # figure: (format, target from issue 10)
    "in-store answered": ("%", "≥ 95%"), "in-store right event": ("%", "≥ 0.9"),
    "in-store event outlets cited": ("%", "—"), "in-store words per answer": ("i", "—"),
    "in-store claims naming an outlet": ("%", "—"), "in-store single-outlet claims naming it": ("%", "100%"),
    "out-of-store refused": ("%", "≥ 90%"),
    "comparison cite every outlet": ("%", "≥ 90%"), "comparison right event": ("%", "≥ 0.9"),
    "comparison agreement/difference line": ("%", "—"),
    "comparison both": ("%", "—"),
    "faithfulness claims with new words": ("%", "0"), "faithfulness claims with meaning deleted": ("%", "0"),
    "faithfulness quotes not in source": ("i", "0"),
    "faithfulness single source as 'the sources'": ("i", "0"),
    "hostile framing changed": ("%", "0%"), "hostile markup in answer text": ("%", "—"),
    "latency p50 ms": ("i", "< 300"), "latency p95 ms": ("i", "—"),
}


def quality_figures(store, doc_event: dict[str, int], inside: list[dict], rest: list[dict], tmp: Path,
                    examples: int) -> dict[str, float]:
    """Issue 10's figures through `rag.answer.answer` (see answer_quality.py)."""
    aq = answer_quality
    asker = aq.Asker(store, None, doc_event)
    asker.ask(aq.roundup_question(inside[0]))  # warm-up: models load, BM25 index builds
    asker.times.clear()
    figures: dict[str, float] = {}
    stored, answers = aq.in_store(asker, inside)
    figures.update({f"in-store {k}": v for k, v in stored.items()})
    held = aq.held_out_overlapping(inside, rest, 30)
    figures.update({f"out-of-store {k}": v for k, v in aq.out_of_store(asker, held).items()})
    by_id = {e["id"]: e for e in inside}
    questions = [q for q in aq.read_jsonl("comparison_questions.jsonl") if q["id"] in by_id]
    compared, compare_answers = aq.comparisons(asker, by_id, questions)
    figures.update({f"comparison {k}": v for k, v in compared.items()})
    claims = stored["claims"] + compared["claims"]
    for key in ("claims with new words", "claims with meaning deleted"):
        figures[f"faithfulness {key}"] = (stored[key] * stored["claims"] + compared[key] * compared["claims"]) / claims
    for key in ("quotes not in source", "single source as 'the sources'"):
        figures[f"faithfulness {key}"] = stored[key] + compared[key]
    figures["latency p50 ms"] = 1000 * aq.percentile(asker.times, 0.5)
    figures["latency p95 ms"] = 1000 * aq.percentile(asker.times, 0.95)
    rows = [r for r in aq.read_jsonl("hostile.jsonl") if r["id"] in by_id]
    hostile, details = aq.hostile(asker, rows, tmp)
    figures.update({f"hostile {k}": v for k, v in hostile.items()})
    shown = 0
    for result in [*answers, *(r for _, r in compare_answers)]:
        for cl in result.claims:
            sources, outlets = [c.text for c in cl.citations], [c.outlet for c in cl.citations]
            for what, extra in (("words not in its cited sentences", defects.new_words(cl.text, sources, outlets)),
                                ("meaning deleted", defects.deleted_meaning(cl.text, sources, outlets))):
                if extra and shown < 2 * examples:
                    shown += 1
                    print(f"\nclaim with {what} {extra}:\n  {cl.text[:300]}\n  source: {sources[0][:300]}")
    for q, result in compare_answers[:examples]:
        print(f"\nexample comparison answer ({q['question']}):\n  {result.text[:600]}")
    for q, why, result in details:
        if why:
            print(f"\nhostile text changed the framing ({'; '.join(why)}): {q}\n  {result.text[:400]}")
    return figures


def print_quality(now: dict[str, float], last: dict[str, float], counts: str) -> None:
    print(f"\n### Answer quality ({counts}; extractive; now vs last run)")
    rows = [(key, now.get(key), last.get(key), kind, target) for key, (kind, target) in TARGETS.items()]
    print("\n".join(devdata.compare_table(rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40, help="dev events ingested (3 articles each)")
    parser.add_argument("--offset", type=int, default=0,
                        help="store the events after the first K (held-out slices; comparison and hostile "
                             "questions exist for the first 40 only; figures are then not saved)")
    parser.add_argument("--pairs", type=int, default=200, help="source sentences for verifier pairs")
    parser.add_argument("--generators", default="extractive", help="e.g. extractive,llamacpp")
    parser.add_argument("--workdir", type=Path, help="keep the stores here")
    parser.add_argument("--parts", default="retrieval,quality", help="retrieval,answers,quality,verifier")
    parser.add_argument("--examples", type=int, default=2, help="comparison answers printed")
    parser.add_argument("--no-save", action="store_true", help="do not overwrite the last-run figures")
    args = parser.parse_args()

    from rag.ingest import ingest
    from rag.settings import Settings
    from rag.store import open_store

    events = devdata.load_events()
    inside = events[args.offset: args.offset + args.events]
    rest = events[: args.offset] + events[args.offset + args.events:]
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(args.workdir or scratch)
        if parts & {"retrieval", "answers", "quality"}:
            store, doc_event = dev_store(inside, tmp / "dev")
        if "retrieval" in parts:
            retrieval_figures(store, inside)
        if "answers" in parts:
            shipped = open_store(Settings(data_dir=tmp / "shipped"))
            ingest([str(ROOT / "corpus")], store=shipped)
            print("\n### Answers")
            print("| questions | generator | p50 ms | p95 ms | claims | claims cited | citations resolve "
                  "| supported | refused |")
            print("|---|---|---|---|---|---|---|---|---|")
            for name in args.generators.split(","):
                generator_figures(name, shipped, store, inside, rest[:30])
        if "quality" in parts:
            now = quality_figures(store, doc_event, inside, rest, tmp, args.examples)
            last = devdata.load_last("answer").get("figures", {})
            counts = (f"{len(inside)} events stored; {now['in-store questions']:.0f} in-store, "
                      f"{now['out-of-store questions']:.0f} out-of-store, {now['comparison questions']:.0f} "
                      f"comparison, {now['hostile questions']:.0f} hostile questions")
            print_quality(now, last, counts)
            if not args.no_save and not args.offset:
                devdata.save_results("answer", {"events": len(inside), "figures": now})
    if "verifier" in parts:
        verifier_figures(events, args.pairs)


def generator_figures(name: str, shipped, store, inside: list[dict], held_out: list[dict]) -> None:
    from rag.errors import CrossreadError

    try:
        repeats = 3 if name == "extractive" else 1
        answer_figures(shipped, CORPUS_QUESTIONS, name, "shipped corpus (8)", repeats)
        if name == "extractive":
            in_store = [answer_quality.roundup_question(e) for e in inside[:30]]
            answer_figures(store, in_store, name, "dev, in-store events (30)")
            answer_figures(store, [answer_quality.roundup_question(e) for e in held_out], name,
                           "dev, held-out events (30)")
    except CrossreadError as exc:
        print(f"| shipped corpus | {name} | unavailable: {exc} | | | | | | |")


if __name__ == "__main__":
    main()
