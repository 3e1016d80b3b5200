"""Write briefings and answers on AllSides dev events into one Markdown file for a human to read.

N briefings (one fresh collection per event, every story of the event via `rag.briefing.brief_stories`)
and N answers (events N..2N-1 in one collection; a hand-written comparison question from
benchmarks/data/comparison_questions.jsonl where the event has one, else the roundup's first sentence as a
question), each as plain text with numbered citations followed by the cited sentences, the outlet and
the headline of each article so a reader can check every sentence against its source.

    python benchmarks/read_samples.py [--events 20] [--offset 0] [--out /tmp/crossread_samples.md]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import answer_quality
import devdata
from briefing_quality import run_briefings


def citations_block(claims) -> list[str]:
    seen, lines = set(), []
    for claim in claims:
        for c in claim.citations:
            if c.marker not in seen:
                seen.add(c.marker)
                lines.append(f"[{c.marker}] {c.outlet}, sentence {c.sentence_index + 1}: “{c.text}”")
    return lines


def markers(claim) -> str:
    return "".join(f"[{c.marker}]" for c in claim.citations)


def event_header(event: dict) -> list[str]:
    lines = [f"AllSides event {event['id']} ({event['date'][:10]}, {event['topic']}): {event['issue']}"]
    for side in devdata.SIDES:
        item = event["news"][side]
        lines.append(f"  {side}: {item['newsSource']} — {item['newsTitle']}")
    return lines


def briefing_text(briefings) -> list[str]:
    lines = []
    for n, b in enumerate(briefings, 1):
        if len(briefings) > 1:
            lines.append(f"--- story {n} of {len(briefings)}")
        lines.append(f"TITLE: {b.title}")
        if b.notice:
            lines.append(f"NOTICE: {b.notice}")
        for section in b.sections:
            lines.append(f"\n{section.title}")
            lines += [f"- {claim.text} {markers(claim)} ({claim.verdict})" for claim in section.claims]
        lines.append("\nSources cited:")
        lines += citations_block([c for s in b.sections for c in s.claims])
    return lines


def answer_text(result) -> list[str]:
    if result.refused:
        lines = ["REFUSED. Closest sentences:"]
        lines += [f"  {h.outlet}: “{h.sentence.text}” ({h.score:.2f})" for h in result.closest]
        return lines
    lines = [f"{claim.text} {markers(claim)} ({claim.verdict})" for claim in result.claims]
    if result.notice:
        lines.append(f"NOTICE: {result.notice}")
    return [*lines, "", "Sources cited:", *citations_block(result.claims)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20, help="briefings, and answers, to write")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--length", default="short", choices=("short", "standard", "long"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/crossread_samples.md"))
    args = parser.parse_args()

    started = time.perf_counter()
    events = devdata.load_events(2 * args.events, args.offset)
    brief_events, answer_events = events[: args.events], events[args.events:]
    comparison = {q["id"]: q["question"] for q in answer_quality.read_jsonl("comparison_questions.jsonl")}
    out = [f"# Crossread samples: {len(brief_events)} briefings and {len(answer_events)} answers",
           f"AllSides dev events from offset {args.offset}; extractive; briefing length {args.length}.", ""]
    with tempfile.TemporaryDirectory(prefix="crossread-samples-") as scratch:
        tmp = Path(scratch)
        store = devdata.fresh_store(tmp)
        for n, event in enumerate(brief_events, 1):
            name = f"ev{n:04d}"
            devdata.ingest_event(store, event, name, tmp)
            out += [f"## Briefing {n}", "```text", *event_header(event), "",
                    *briefing_text(run_briefings(store, name, args.length)), "```", ""]
        asker = answer_quality.Asker(store, "answers", {})
        devdata.ingest_events(store, answer_events, "answers", tmp)
        for n, event in enumerate(answer_events, 1):
            question = comparison.get(event["id"]) or answer_quality.roundup_question(event)
            result = asker.ask(question)
            out += [f"## Answer {n}", "```text", *event_header(event), "", f"Q: {question}", "",
                    *answer_text(result), "```", ""]
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(brief_events)} briefings, {len(answer_events)} answers) in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
