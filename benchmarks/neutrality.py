"""Neutrality benchmark: Crossread briefings vs lead baselines on AllSides events (NeuS, ROUGE, citations).

For each event of raw_dev.jsonl (left / centre / right excerpts and the AllSides editors' neutral roundup)
the three articles are ingested into their own collection (outlet and date from a header), briefed with the
extractive composer, and scored against the roundup (its last paragraph is dropped when it is AllSides'
note on coverage balance). The text scored for Crossread is the briefing's fact sections (key facts and
reported-by-one-outlet); the differences and framing sections quote loaded language on purpose and are not
a summary. Baselines: the first sentence of each outlet concatenated, the centre outlet's lead paragraph
alone, and all three lead paragraphs.

Figures per system, averaged over events: NeuS Arousal+ / Arousal- / total (lower is more neutral) and per
100 words, ROUGE-1/2/L F1 against the roundup, share of sentences whose citations resolve to stored
sentences, loaded terms (our list) outside quotes per event.

    python benchmarks/neutrality.py [--events 60] [--length short] [--per-event]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_EVENTS = SHARED / "devdata" / "allsides" / "raw_dev.jsonl"
DEFAULT_VAD = SHARED / "lexicons" / "NRC-VAD-Lexicon.txt"
SIDES = ("left", "center", "right")
_BALANCE_NOTE = re.compile(r"(coverage|outlets|covered).{0,120}(left|right|cent|spectrum)",
                           re.IGNORECASE | re.DOTALL)
SYSTEMS = ("crossread", "crossread key facts only", "first sentences", "centre lead", "three leads")


def load_events(path: Path, count: int) -> list[dict]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        news = event.get("news") or {}
        if all(news.get(s, {}).get("newBody") for s in SIDES) and event.get("roundup"):
            events.append(event)
        if len(events) == count:
            break
    return events


def reference(event: dict) -> str:
    paragraphs = list(event["roundup"])
    if len(paragraphs) > 1 and _BALANCE_NOTE.search(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    return " ".join(paragraphs)


def first_sentence(paragraph: str) -> str:
    from rag.sentences import split_sentences

    found = split_sentences("x", paragraph)
    return found[0].text if found else paragraph


def write_articles(event: dict, folder: Path) -> None:
    date = str(event.get("date", ""))[:10]
    for side in SIDES:
        item = event["news"][side]
        body = "\n".join(p.strip() for p in item["newBody"] if p.strip())
        header = f"Title: {item['newsTitle']}\nSource: {item['newsSource']}\nDate: {date}\n\n"
        (folder / f"{side}.txt").write_text(header + body + "\n", encoding="utf-8")


def crossread_summary(store, name: str, length: str) -> tuple[str, str, float, int]:
    """(fact-section text, key-facts text, share of sentences with resolvable citations, claims)."""
    from rag.briefing import brief
    from rag.types import SectionKind

    result = brief(store=store, collection=name, length=length)  # type: ignore[arg-type]
    claims = [c for s in result.sections if s.kind in (SectionKind.KEY_FACTS, SectionKind.SINGLE_SOURCE)
              for c in s.claims]
    resolved = 0
    for claim in claims:
        refs = [(c.doc_id, c.sentence_index) for c in claim.citations]
        found = store.docs.get_sentences(name, refs)
        if refs and all(found.get(r) is not None and found[r].text == c.text
                        for r, c in zip(refs, claim.citations, strict=True)):
            resolved += 1
    key = " ".join(c.text for s in result.sections if s.kind == SectionKind.KEY_FACTS for c in s.claims)
    return " ".join(c.text for c in claims), key, (resolved / len(claims) if claims else 0.0), len(claims)


def score(text: str, ref: str, vad: dict) -> dict[str, float]:
    from rag.framing import unquoted_loaded_terms
    from rag.metrics import framing_bias, rouge
    from rag.sentences import split_sentences

    bias = framing_bias(text, ref, vad)
    loaded = sum(len(unquoted_loaded_terms(s.text)) for s in split_sentences("x", text))
    return {"arousal+": bias.arousal_positive, "arousal-": bias.arousal_negative, "arousal": bias.total,
            **rouge(text, ref), "loaded": float(loaded), "words": float(len(text.split()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--source", type=Path, default=DEFAULT_EVENTS)
    parser.add_argument("--vad", type=Path, default=DEFAULT_VAD)
    parser.add_argument("--length", default="short", choices=("short", "standard", "long"))
    parser.add_argument("--per-event", action="store_true", help="Print each event's figures too.")
    args = parser.parse_args()

    from rag.ingest import ingest
    from rag.metrics import load_nrc_vad
    from rag.settings import Settings
    from rag.store import open_store

    vad = load_nrc_vad(args.vad)
    events = load_events(args.source, args.events)
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crossread-neutrality-") as tmp:
        store = open_store(Settings(data_dir=Path(tmp) / "data"))
        for n, event in enumerate(events):
            name = f"ev{n:04d}"
            folder = Path(tmp) / name
            folder.mkdir()
            write_articles(event, folder)
            ingest([str(folder)], collection=name, store=store)
            ref = reference(event)
            news = event["news"]
            text, key, cited, claims = crossread_summary(store, name, args.length)
            texts = {
                "crossread": text,
                "crossread key facts only": key,
                "first sentences": " ".join(first_sentence(news[s]["newBody"][0]) for s in SIDES),
                "centre lead": news["center"]["newBody"][0],
                "three leads": " ".join(news[s]["newBody"][0] for s in SIDES),
            }
            for system, candidate in texts.items():
                figures = score(candidate, ref, vad)
                figures["cited"] = cited if system.startswith("crossread") else 0.0
                results[system].append(figures)
            if args.per_event:
                c = results["crossread"][-1]
                print(f"{event['id']:>6}  claims {claims:>2}  arousal {c['arousal']:.2f}  "
                      f"R1 {c['rouge1']:.3f}  "
                      f"cited {cited:.0%}  loaded {int(c['loaded'])}  | baseline-3-leads arousal "
                      f"{results['three leads'][-1]['arousal']:.2f}")
    elapsed = time.perf_counter() - started
    print(f"\n{len(events)} AllSides events from {args.source.name}, briefing length {args.length}, "
          f"{elapsed:.0f} s total\n")
    print("| system | Arousal+ | Arousal- | Arousal total | per 100 words | ROUGE-1 | ROUGE-2 | ROUGE-L | "
          "sentences with resolvable citations | loaded terms outside quotes / event | words |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for system in SYSTEMS:
        rows = results[system]

        def mean(key: str, rows: list[dict[str, float]] = rows) -> float:
            return statistics.fmean(r[key] for r in rows)

        cited = f"{mean('cited'):.0%}" if system.startswith("crossread") else "— (no citations)"
        density = 100 * sum(r["arousal"] for r in rows) / max(1.0, sum(r["words"] for r in rows))
        print(f"| {system} | {mean('arousal+'):.2f} | {mean('arousal-'):.2f} | {mean('arousal'):.2f} | "
              f"{density:.2f} | "
              f"{mean('rouge1'):.3f} | {mean('rouge2'):.3f} | {mean('rougeL'):.3f} | {cited} | "
              f"{mean('loaded'):.2f} | {mean('words'):.0f} |")


if __name__ == "__main__":
    main()
