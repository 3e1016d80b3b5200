"""Briefing quality on real three-outlet news (issue 9): would an editor sign these briefings?

One fresh collection per AllSides dev event (articles written with `Title:` / `Source:` headers, see
devdata.py), briefed through the public API (`rag.briefing.brief_stories`, extractive, `--length`). Printed
beside the last run's figures (benchmarks/results/briefing_quality.json) and the issue's targets:

  * whole event briefed: the three articles form one story (stories per event are counted too);
    all three outlets cited; key facts present — numbers and capitalised names of the AllSides roundup's
    first sentence that at least two of the articles also contain, share found in the briefing text;
  * defects per 100 briefing sentences by kind (benchmarks/defects.py: question, headline, boilerplate /
    ALL-CAPS, first person, capital after a frame, double frame, over 60 words, quotation marks not in
    the source, words not in the cited sentences outside the frame);
  * title: copied from an outlet headline, cut off, over 14 words;
  * differences: on the hand-labelled events of benchmarks/data/differences.jsonl that have a conflicting
    number / date / name / attribution, share whose "differences" section names both sides; on those
    labelled without one, share whose differences section still states a number (a false difference);
  * NeuS arousal and ROUGE vs the roundup for Crossread and the lead baselines (neutrality.py's table).

The labelled conflict events are always added to the `--events` selection so the differences share has a
denominator.

    python benchmarks/briefing_quality.py [--events 20] [--offset 0] [--length standard] [--examples 2]

`--length` defaults to the length the app and `crossread brief` write (standard); `short` is about as long as
the first-sentences baseline.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import defects
import devdata
import neutrality

_NAMEISH = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)*|\d[\d,.]*%?)")
_STOP_CAPS = {"The", "A", "An", "On", "In", "After", "Before", "Yet", "But", "And", "Thursday", "Friday",
              "Monday", "Tuesday", "Wednesday", "Saturday", "Sunday"}


def labelled() -> dict[int, dict]:
    path = devdata.DATA / "differences.jsonl"
    return {row["id"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}


def key_facts(event: dict) -> list[str]:
    """Names and numbers of the roundup's first sentence that two or more of the articles also contain."""
    first = devdata.first_sentence(event["roundup"][0])
    bodies = [devdata.body(event["news"][s]).lower() for s in devdata.SIDES]
    found = []
    for match in _NAMEISH.finditer(first):
        term = match.group().strip(".,")
        if term in _STOP_CAPS or len(term) < 2:
            continue
        if sum(term.lower() in b for b in bodies) >= 2:
            found.append(term)
    return list(dict.fromkeys(found))


def is_comparison(section) -> bool:
    return any(w in str(section.kind) for w in ("differ", "framing", "frame"))


def run_briefings(store, collection: str, length: str) -> list:
    from rag import briefing as api

    if hasattr(api, "brief_stories"):
        return list(api.brief_stories(store=store, collection=collection, length=length))
    return [api.brief(store=store, collection=collection, length=length)]


def measure_event(event: dict, briefings: list, label: dict | None) -> dict:
    """Figures of one event's briefings (the largest story's briefing first)."""
    main = briefings[0] if briefings else None
    headlines = [event["news"][s]["newsTitle"] for s in devdata.SIDES]
    wanted = {o.lower() for o in devdata.outlets(event)}
    # cited for what it reports: outside the comparison sections, or as a side of a substantive difference (a
    # framing contrast cites an outlet for a word it used, not for a report)
    cited = {c.outlet.lower() for b in briefings for s in b.sections
             if not is_comparison(s) or "differ" in str(s.kind)
             for cl in s.claims if not (cl.label or "").lower().startswith("framing")
             for c in cl.citations}
    texts = " ".join(cl.text for b in briefings for s in b.sections for cl in s.claims)
    facts = key_facts(event)
    sentence_defects, examples = Counter(), defaultdict(list)
    sentences = 0
    for b in briefings:
        for section in b.sections:
            for claim in section.claims:
                sentences += 1
                sources = [c.text for c in claim.citations]
                outlets = [c.outlet for c in claim.citations]
                for kind in defects.sentence_defects(claim.text, sources, outlets, headlines, is_comparison(section)):
                    sentence_defects[kind] += 1
                    examples[kind].append(claim.text)
    # A title may be cut from any article sentence, cited or not.
    article_sentences = [x for side in devdata.SIDES for p in event["news"][side]["newBody"]
                         for x in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", p.replace("\u00a0", " "))]
    titles = [defects.title_defects(b.title.replace("\u00a0", " "), headlines,
                                    [c.text for s in b.sections for cl in s.claims for c in cl.citations]
                                    + article_sentences) for b in briefings]
    diff_text = " ".join(cl.text for b in briefings for s in b.sections if "differ" in str(s.kind) for cl in s.claims)
    return {
        "id": event["id"], "stories": len(briefings), "whole": len(briefings) == 1,
        "all outlets cited": wanted <= cited, "outlets cited": len(wanted & cited),
        "key facts": (sum(f.lower() in texts.lower() for f in facts) / len(facts)) if facts else None,
        "sentences": sentences, "defects": dict(sentence_defects), "examples": dict(examples),
        "title": main.title if main else "", "title defects": sorted({d for t in titles for d in t}),
        "conflict": bool(label and label.get("conflict")),
        "no conflict": bool(label and not label.get("conflict")),
        "number difference": any(re.search(r"\d", cl.text) for b in briefings for s in b.sections
                                 if "differ" in str(s.kind) for cl in s.claims),
        "conflict named": bool(label and label.get("conflict") and defects.names_conflict(diff_text, label["sides"])),
    }


def summarise(per_event: list[dict]) -> dict[str, float]:
    n = len(per_event)
    sentences = sum(e["sentences"] for e in per_event) or 1
    out: dict[str, float] = {
        "events": n, "sentences": sentences,
        "whole event": sum(e["whole"] for e in per_event) / n,
        "stories per event": statistics.fmean(e["stories"] for e in per_event),
        "all outlets cited": sum(e["all outlets cited"] for e in per_event) / n,
        "key facts present": statistics.fmean([e["key facts"] for e in per_event if e["key facts"] is not None]
                                              or [0.0]),
    }
    for kind in defects.DEFECT_KINDS:
        out[f"defects/100: {kind}"] = 100 * sum(e["defects"].get(kind, 0) for e in per_event) / sentences
    out["defects/100: all"] = sum(out[f"defects/100: {k}"] for k in defects.DEFECT_KINDS)
    for kind in ("copied", "cut off", "over 14 words", "meaning deleted"):
        out[f"title {kind}"] = sum(kind in e["title defects"] for e in per_event) / n
    conflicts = [e for e in per_event if e["conflict"]]
    out["conflict events"] = len(conflicts)
    out["differences name the conflict"] = (sum(e["conflict named"] for e in conflicts) / len(conflicts)
                                            if conflicts else float("nan"))
    calm = [e for e in per_event if e.get("no conflict")]
    out["no-conflict events"] = len(calm)
    out["differences state a number without a conflict"] = (sum(e["number difference"] for e in calm) / len(calm)
                                                             if calm else float("nan"))
    return out


TARGETS = {"whole event": ("%", "≥ 95%"), "stories per event": ("f", "1"), "all outlets cited": ("%", "≥ 90%"),
           "key facts present": ("%", "—"), "defects/100: all": ("f", "≤ 2"),
           "defects/100: quote": ("f", "0"), "defects/100: new words": ("f", "0"),
           "title copied": ("%", "0%"), "title cut off": ("%", "0%"), "title over 14 words": ("%", "0%"),
           "title meaning deleted": ("%", "0%"), "defects/100: meaning deleted": ("f", "0"),
           "differences name the conflict": ("%", "—"),
           "differences state a number without a conflict": ("%", "0%")}


def print_report(now: dict, last: dict) -> None:
    rows = []
    for key in ["whole event", "stories per event", "all outlets cited", "key facts present", "defects/100: all",
                *[f"defects/100: {k}" for k in defects.DEFECT_KINDS], "title copied", "title cut off",
                "title over 14 words", "title meaning deleted", "differences name the conflict",
                "differences state a number without a conflict"]:
        kind, target = TARGETS.get(key, ("f", "—" if key != "defects/100: all" else "≤ 2"))
        if key.startswith("defects/100:") and key not in TARGETS:
            target = "(in the ≤ 2 total)"
        label = key
        if key == "differences name the conflict":
            label += f" ({now['conflict events']:.0f} labelled events)"
        elif key.startswith("differences state"):
            label += f" ({now['no-conflict events']:.0f} labelled events)"
        rows.append((label, now.get(key), last.get(key), kind, target))
    print("\n".join(devdata.compare_table(rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--offset", type=int, default=0)
    # the length users get by default
    parser.add_argument("--length", default="standard", choices=("short", "standard", "long"))
    parser.add_argument("--examples", type=int, default=2, help="defective sentences printed per kind")
    parser.add_argument("--no-save", action="store_true", help="do not overwrite the last-run figures")
    args = parser.parse_args()

    from rag.metrics import load_nrc_vad

    labels = labelled()
    events = devdata.load_events(args.events, args.offset)
    chosen = {e["id"] for e in events}
    events += [e for e in devdata.load_events() if labels.get(e["id"], {}).get("conflict") and e["id"] not in chosen]
    vad = load_nrc_vad(devdata.VAD)
    per_event, scores = [], defaultdict(list)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crossread-briefing-") as tmp:
        store = devdata.fresh_store(Path(tmp))
        for n, event in enumerate(events):
            name = f"ev{n:04d}"
            devdata.ingest_event(store, event, name, Path(tmp))
            briefings = run_briefings(store, name, args.length)
            per_event.append(measure_event(event, briefings, labels.get(event["id"])))
            if briefings:
                for system, figures in neutrality.event_scores(event, briefings[0], store, name, vad).items():
                    scores[system].append(figures)
    now = summarise(per_event)
    last = devdata.load_last("briefing_quality")
    print(f"\n{len(events)} AllSides events ({args.events} from offset {args.offset} + labelled conflict events), "
          f"{now['sentences']:.0f} briefing sentences, length {args.length}, "
          f"{time.perf_counter() - started:.0f} s\n")
    print_report(now, last.get("figures", {}))
    print("\nNeuS arousal and ROUGE vs the AllSides roundup, same events (cells: now / last run)\n")
    neutral_now = neutrality.summary(scores)
    print("\n".join(neutrality.table(neutral_now, last.get("neutrality", {}))))
    if args.examples:
        print("\nExamples of each defect kind (first found):")
        for kind in defects.DEFECT_KINDS:
            found = [t for e in per_event for t in e["examples"].get(kind, [])][: args.examples]
            for text in found:
                print(f"  [{kind}] {text[:220]}")
        missed = [e for e in per_event if e["conflict"] and not e["conflict named"]]
        for e in missed:
            print(f"  [conflict not named] event {e['id']}: {labels[e['id']]['note']}")
    if not args.no_save:
        for e in per_event:
            e.pop("examples")
        devdata.save_results("briefing_quality", {"figures": now, "neutrality": neutral_now, "events": per_event})


if __name__ == "__main__":
    main()
