"""Neutrality benchmark: Crossread briefings vs lead baselines on AllSides events (NeuS, ROUGE, citations).

For each event of raw_dev.jsonl (left / centre / right excerpts and the AllSides editors' neutral roundup)
the three articles are written as files with `Title:` / `Source:` / `Date:` headers, ingested into their own
collection, briefed with the extractive composer, and scored against the roundup (its last paragraph is
dropped when it is AllSides' note on coverage balance). The text scored for Crossread is the briefing's fact
sections (key facts and reported-by-one-outlet); the differences and framing sections quote loaded language
on purpose and are not a summary. Baselines: the first sentence of each outlet concatenated, the centre
outlet's lead paragraph alone, and all three lead paragraphs.

Figures per system, averaged over events: NeuS Arousal+ / Arousal- / total (lower is more neutral) and per
100 words, ROUGE-1/2/L F1 against the roundup, share of sentences whose citations resolve to stored
sentences, loaded terms (our list) outside quotes per event. benchmarks/briefing_quality.py prints the same
table in its run (it imports `event_scores` and `table` from here).

    python benchmarks/neutrality.py [--events 40] [--offset 0] [--length short] [--per-event]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import devdata

SYSTEMS = ("crossread briefing", "crossread briefing, outlet names unscored", "crossread key facts only",
           "first sentence of each outlet",
           "centre outlet's lead alone", "all three leads")
FACT_KINDS = ("key_facts", "single_source")


def fact_claims(briefing, kinds: tuple[str, ...] = FACT_KINDS) -> list:
    """The claims of the fact sections (all non-comparison sections if the kinds were renamed)."""
    sections = [s for s in briefing.sections if str(s.kind) in kinds]
    if not sections:
        sections = [s for s in briefing.sections
                    if not any(w in str(s.kind) for w in ("differ", "framing", "frame"))]
    return [c for s in sections for c in s.claims]


def resolved_share(store, collection: str, claims) -> float:
    ok = 0
    for claim in claims:
        refs = [(c.doc_id, c.sentence_index) for c in claim.citations]
        found = store.docs.get_sentences(collection, refs)
        ok += bool(refs) and all(found.get(r) is not None and found[r].text == c.text
                                 for r, c in zip(refs, claim.citations, strict=True))
    return ok / len(claims) if claims else 0.0


def event_scores(event: dict, briefing, store, collection: str, vad: dict) -> dict[str, dict[str, float]]:
    """Every system's figures on one event, Crossread's from `briefing`."""
    ref = devdata.reference(event)
    claims = fact_claims(briefing)
    # NRC-VAD scores the words of outlet names ("New", "Fox", "Guardian", "Associated"), which attribution must
    # write; the second row shows the same text with the event's outlet names left out of the score.
    names = sorted({c.outlet for claim in claims for c in claim.citations if c.outlet}, key=len, reverse=True)
    plain = " ".join(c.text for c in claims)
    for name in names:
        plain = plain.replace(name, " ")
    texts = {"crossread briefing": " ".join(c.text for c in claims),
             "crossread briefing, outlet names unscored": plain,
             "crossread key facts only": " ".join(c.text for c in fact_claims(briefing, ("key_facts",))),
             **devdata.baselines(event)}
    cited = resolved_share(store, collection, claims)
    out = {}
    for system, text in texts.items():
        figures = devdata.score(text, ref, vad)
        figures["cited"] = cited if system.startswith("crossread") else float("nan")
        out[system] = figures
    return out


def summary(results: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {system: devdata.summarise_scores(rows) for system, rows in results.items()}


def table(now: dict[str, dict[str, float]], last: dict[str, dict[str, float]]) -> list[str]:
    """Markdown rows; each cell `now (last run)`."""
    cols = [("Arousal+", "arousal+", "f"), ("Arousal-", "arousal-", "f"), ("Arousal total", "arousal", "f"),
            ("per 100 words", "arousal per 100 words", "f"), ("ROUGE-1", "rouge1", "f3"),
            ("ROUGE-2", "rouge2", "f3"), ("ROUGE-L", "rougeL", "f3"),
            ("loaded terms outside quotes / event", "loaded", "f"), ("words", "words", "i")]
    lines = ["| system (now / last run) | " + " | ".join(c[0] for c in cols) + " | citations resolve |",
             "|---|" + "---|" * (len(cols) + 1)]
    for system in SYSTEMS:
        if system not in now:
            continue
        row, before = now[system], last.get(system, {})
        cells = [f"{devdata.cell(row.get(k), f)} / {devdata.cell(before.get(k), f)}" for _, k, f in cols]
        cited = (f"{devdata.cell(row.get('cited'), '%')} / {devdata.cell(before.get('cited'), '%')}"
                 if system.startswith("crossread") else "—")
        lines.append(f"| {system} | " + " | ".join(cells) + f" | {cited} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--vad", type=Path, default=devdata.VAD)
    parser.add_argument("--length", default="standard", choices=("short", "standard", "long"))
    parser.add_argument("--per-event", action="store_true", help="Print each event's figures too.")
    args = parser.parse_args()

    from rag.briefing import brief
    from rag.metrics import load_nrc_vad

    vad = load_nrc_vad(args.vad)
    events = devdata.load_events(args.events, args.offset)
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crossread-neutrality-") as tmp:
        store = devdata.fresh_store(Path(tmp))
        for n, event in enumerate(events):
            name = f"ev{n:04d}"
            devdata.ingest_event(store, event, name, Path(tmp))
            briefing = brief(store=store, collection=name, length=args.length)
            for system, figures in event_scores(event, briefing, store, name, vad).items():
                results[system].append(figures)
            if args.per_event:
                c = results["crossread briefing"][-1]
                print(f"{event['id']:>6}  arousal {c['arousal']:.2f}  R1 {c['rouge1']:.3f}  cited {c['cited']:.0%}  "
                      f"loaded {int(c['loaded'])}  | all three leads {results['all three leads'][-1]['arousal']:.2f}")
    now = summary(results)
    last = devdata.load_last("neutrality")
    print(f"\n{len(events)} AllSides events (offset {args.offset}), briefing length {args.length}, "
          f"{time.perf_counter() - started:.0f} s\n")
    print("\n".join(table(now, last.get("systems", {}))))
    devdata.save_results("neutrality", {"events": len(events), "offset": args.offset, "systems": now})


if __name__ == "__main__":
    main()
