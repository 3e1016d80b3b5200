"""AllSides development events as a user would have them: article files with `Title:` / `Source:` headers.

Shared by the benchmarks (briefing quality, neutrality, answers, samples): load events from
`../shared/devdata/allsides/raw_dev.jsonl`, write each outlet's excerpt as a text file whose header lines
carry title, outlet and date (the way users' exports look), ingest one event per collection or many into
one, the AllSides roundup as reference, the lead baselines, NeuS/ROUGE scoring, and "last run" results files.

Only public entry points of `rag` are used (`rag.ingest.ingest`, `rag.store.open_store`, `rag.settings.Settings`,
`rag.metrics` for the published NeuS / ROUGE definitions), so the benchmarks keep working while internals change.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "devdata" / "allsides" / "raw_dev.jsonl"
VAD = SHARED / "lexicons" / "NRC-VAD-Lexicon.txt"
DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parent / "results"
SIDES = ("left", "center", "right")
if str(ROOT) not in sys.path:  # `python benchmarks/x.py` from a checkout that is not pip-installed
    sys.path.insert(0, str(ROOT))
_BALANCE_NOTE = re.compile(r"(coverage|outlets|covered).{0,120}(left|right|cent|spectrum)",
                           re.IGNORECASE | re.DOTALL)


# --- events ---------------------------------------------------------------------------------------
def load_events(count: int | None = None, offset: int = 0, path: Path = DEV) -> list[dict]:
    """Usable events (three outlets with text and a roundup) in file order, `count` of them after `offset`."""
    usable = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        news = event.get("news") or {}
        if all((news.get(s) or {}).get("newBody") for s in SIDES) and event.get("roundup"):
            usable.append(event)
    chosen = usable[offset:]
    return chosen[:count] if count is not None else chosen


def events_by_id(path: Path = DEV) -> dict[int, dict]:
    return {e["id"]: e for e in load_events(path=path)}


def outlets(event: dict) -> set[str]:
    """The event's outlets as Crossread names them (the ingest's rule: "Fox News (Online News)" is Fox News)."""
    from rag.metadata import outlet_name

    return {outlet_name(event["news"][s]["newsSource"]) for s in SIDES}


def body(item: dict) -> str:
    return "\n\n".join(p.strip() for p in item["newBody"] if p.strip())


def article_text(event: dict, side: str) -> str:
    """One outlet's excerpt as a user's export: header lines, a blank line, the paragraphs."""
    item = event["news"][side]
    date = str(event.get("date", ""))[:10]
    header = f"Title: {item['newsTitle'].strip()}\nSource: {item['newsSource'].strip()}\n"
    if date:
        header += f"Date: {date}\n"
    return f"{header}\n{body(item)}\n"


def write_event(event: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for side in SIDES:
        path = folder / f"{event['id']}_{side}.txt"
        path.write_text(article_text(event, side), encoding="utf-8")
        paths.append(path)
    return paths


def ingest_event(store: Any, event: dict, collection: str, workdir: Path) -> list[Any]:
    """Ingest one event's three articles into `collection` (a fresh one per event in the briefing benchmarks)."""
    from rag.ingest import ingest

    paths = write_event(event, workdir / collection)
    return ingest([str(p) for p in paths], collection=collection, store=store)


def ingest_events(store: Any, events: Iterable[dict], collection: str | None, workdir: Path) -> list[Any]:
    """Ingest many events into one collection (the answer benchmark's store)."""
    from rag.ingest import ingest

    folder = workdir / f"articles-{collection or 'default'}"
    paths = [str(p) for e in events for p in write_event(e, folder)]
    return ingest(paths, collection=collection, store=store)


def fresh_store(workdir: Path) -> Any:
    from rag.settings import Settings
    from rag.store import open_store

    return open_store(Settings(data_dir=workdir / "data"))


# --- reference and baselines ----------------------------------------------------------------------
def reference(event: dict) -> str:
    """The AllSides roundup without its closing note on coverage balance."""
    paragraphs = list(event["roundup"])
    if len(paragraphs) > 1 and _BALANCE_NOTE.search(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    return " ".join(paragraphs)


def first_sentence(paragraph: str) -> str:
    from rag.sentences import split_sentences

    found = split_sentences("x", paragraph)
    return found[0].text if found else paragraph


def baselines(event: dict) -> dict[str, str]:
    """The lead baselines the neutrality figures compare against."""
    news = event["news"]
    return {
        "first sentence of each outlet": " ".join(first_sentence(news[s]["newBody"][0]) for s in SIDES),
        "centre outlet's lead alone": news["center"]["newBody"][0],
        "all three leads": " ".join(news[s]["newBody"][0] for s in SIDES),
    }


def score(text: str, ref: str, vad: dict) -> dict[str, float]:
    """NeuS arousal (Lee et al. 2022), ROUGE-1/2/L F1 against the roundup, loaded terms outside quotes, words."""
    from rag.framing import unquoted_loaded_terms
    from rag.metrics import framing_bias, rouge
    from rag.sentences import split_sentences

    bias = framing_bias(text, ref, vad)
    loaded = sum(len(unquoted_loaded_terms(s.text)) for s in split_sentences("x", text)) if text else 0
    return {"arousal+": bias.arousal_positive, "arousal-": bias.arousal_negative, "arousal": bias.total,
            **rouge(text, ref), "loaded": float(loaded), "words": float(len(text.split()))}


def summarise_scores(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Means over events; arousal per 100 words pools all words (sum of arousal / sum of words)."""
    if not rows:
        return {}
    out = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
    out["arousal per 100 words"] = 100 * sum(r["arousal"] for r in rows) / max(1.0, sum(r["words"] for r in rows))
    return out


# --- results: every script prints "now" beside "last run" ---------------------------------------
def load_last(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def cell(value: float | None, kind: str = "f") -> str:
    """A figure as printed: `%` shares, `i` counts, `f2`/`f3` decimals; — when missing."""
    if value is None:
        return "—"
    if kind == "%":
        return f"{value:.0%}"
    if kind == "i":
        return f"{value:.0f}"
    if kind == "f3":
        return f"{value:.3f}"
    return f"{value:.2f}"


def compare_table(rows: Sequence[tuple[str, float | None, float | None, str, str]]) -> list[str]:
    """Markdown rows `| figure | now | last run | target |` from (label, now, last, format, target)."""
    lines = ["| figure | now | last run | target |", "|---|---|---|---|"]
    for label, now, last, kind, target in rows:
        lines.append(f"| {label} | {cell(now, kind)} | {cell(last, kind)} | {target} |")
    return lines
