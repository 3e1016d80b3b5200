"""Pull metadata header lines (title, byline, date, outlet, URL) off the top of plain-text articles.

Plain-text articles in the wild carry their metadata as leading lines. Forms we parse:
  * "Key: value" lines (Title, Source/Outlet/Publisher, By/Author/Byline, Date/Published, URL/Link);
  * a title line followed by a "By ..." byline line (the first shipped article);
  * a leading "date YYYY-MM-DD" marker glued to the first sentence (the second shipped article);
  * a byline naming the outlet after a comma or bar ("By Maria Jansen, Reuters");
  * a wire dateline opening the first paragraph ("ROTTERDAM, March 14, 2024 -", "SEOUL (AP) —").
The header and dateline are removed from the body (the text that is stored and that sentence offsets index),
so they never end up inside the first sentence.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.types import DocumentMeta

_KEYS = {
    "title": "title", "headline": "title",
    "source": "outlet", "outlet": "outlet", "publisher": "outlet", "publication": "outlet",
    "by": "byline", "author": "byline", "authors": "byline", "byline": "byline",
    "date": "date", "published": "date", "dateline": "date",
    "url": "url", "link": "url",
}
_KEY_LINE = re.compile(r"^\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.+?)\s*$")
_BYLINE = re.compile(r"^\s*By\s+(?P<byline>[^\n]{2,120}?)\s*$")
_DATE_PREFIX = re.compile(r"^\s*date\s*[:=]?\s*(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*\n?[ \t]*", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TERMINAL = re.compile(r"[.!?…\"”’]\s*$")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# An all-caps place (optionally ", Region"), then a date and/or "(Outlet)", then a dash.
_DATELINE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)*(?:, [A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)*)?)"
    rf"(?:,? (?P<date>{_MONTH} \d{{1,2}}(?:, \d{{4}})?))?"
    r"(?: \((?P<outlet>[A-Z][\w .&'-]{0,40})\))?"
    r"(?:[ \t]+-+[ \t]+|[ \t]*[–—]+[ \t]*)(?=\S)"  # a hyphen needs spaces round it: "COVID-19 cases" is no dateline
)
# A place in title case before a long dash, opening the body: "Washington — The Senate voted ..." (CBS style).
_PLACE_DASH = re.compile(r"^[ \t]*(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}(?:, [A-Z][A-Za-z.]+)?)[ \t]*[–—][ \t]*"
                         r"(?=[A-Z])")
# Words that follow a byline's comma without being an outlet ("By Staff, Agencies", "By Jo Lee, Staff Writer").
_NOT_OUTLET = {
    "staff", "agencies", "agency", "wires", "writer", "reporter", "correspondent", "editor", "contributor",
    "columnist", "producer", "analyst", "jr", "sr", "phd", "md", "ii", "iii", "and", "special", "senior",
    "chief", "bureau", "contributing", "political", "news",
}


# A section or medium an outlet label names after its name, as aggregators write it ("Fox News (Online News)",
# "New York Times (News)"): not part of the outlet's name, so frames say "Fox News reported".
_SECTION_SUFFIX = re.compile(r"\s*\((?:online news|online|news|print|digital|web|wire)\)\s*$", re.IGNORECASE)


def outlet_name(label: str) -> str:
    """The outlet's name from a Source/Outlet line: trimmed, without a trailing medium such as "(Online News)"."""
    return _SECTION_SUFFIX.sub("", label).strip() or label.strip()


def normalise_date(value: str) -> str | None:
    """ISO date (YYYY-MM-DD) for a date written in any common form; None when it is not a date."""
    match = _ISO_DATE.search(value)
    if match:
        return match.group()
    import dateparser  # slow to import; only needed for non-ISO dates

    strict = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["year", "month", "day"]}
    parsed = dateparser.parse(value, settings=strict)  # type: ignore[arg-type]
    return parsed.date().isoformat() if parsed else None


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 25 and not _TERMINAL.search(line)


def split_header(text: str) -> tuple[str, DocumentMeta]:
    """Return (body, metadata found in the header). The body is the text with header lines removed."""
    found: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    # "Key: value" lines
    while i < len(lines):
        match = _KEY_LINE.match(lines[i])
        field = _KEYS.get(match.group("key").lower()) if match else None
        if not match or not field or field in found:
            break
        found[field] = match.group("value")
        i += 1
    # Title line followed by a byline line
    titled = i + 1 < len(lines) and _looks_like_title(lines[i]) and _BYLINE.match(lines[i + 1])
    if "title" not in found and titled:
        found["title"] = lines[i].strip()
        found["byline"] = _BYLINE.match(lines[i + 1]).group("byline")  # type: ignore[union-attr]
        i += 2
    elif "byline" not in found and i < len(lines) and _BYLINE.match(lines[i]) and len(lines[i]) < 80:
        found["byline"] = _BYLINE.match(lines[i]).group("byline")  # type: ignore[union-attr]
        i += 1
    body = "\n".join(lines[i:]).strip()
    prefix = _DATE_PREFIX.match(body)
    if prefix and "date" not in found:
        found["date"] = prefix.group("date")
        body = body[prefix.end():]
    body = _strip_dateline(body, found)
    if "byline" in found and "outlet" not in found:
        found.update(byline_outlet(found["byline"]))
    if "outlet" in found and found["outlet"].lower().startswith(("http://", "https://")):
        found.setdefault("url", found["outlet"])
        found["outlet"] = site_name(found["outlet"]) or found["outlet"]
    if "outlet" in found:
        found["outlet"] = outlet_name(found["outlet"])
    date = normalise_date(found["date"]) if "date" in found else None
    meta = DocumentMeta(
        outlet=found.get("outlet"), title=found.get("title"), byline=found.get("byline"),
        date=date, url=found.get("url"),
    )
    return body.strip(), meta


def _strip_dateline(body: str, found: dict[str, str]) -> str:
    """Body without a wire dateline; its date and outlet fill what the header did not give."""
    match = _DATELINE.match(body)
    if not match or (not match["date"] and not match["outlet"] and len(match["place"]) < 4):
        place = _PLACE_DASH.match(body)
        return body[place.end():] if place else body
    if match["date"] and "date" not in found and normalise_date(match["date"]):
        found["date"] = match["date"]
    if match["outlet"] and "outlet" not in found:
        found["outlet"] = match["outlet"].strip()
    return body[match.end():]


def byline_outlet(byline: str) -> dict[str, str]:
    """{"byline": name, "outlet": outlet} when a byline ends with an outlet ("Maria Jansen, Reuters"), else {}."""
    for separator in (" | ", ", ", " - ", " — "):
        name, sep, tail = byline.rpartition(separator)
        if not sep or not name.strip():
            continue
        words = tail.strip().split()
        plain = {w.strip(".").lower() for w in words}
        if 1 <= len(words) <= 5 and all(w[:1].isupper() for w in words if w.lower() not in {"of", "the"}) \
                and not plain & _NOT_OUTLET:
            return {"byline": name.strip(), "outlet": tail.strip()}
        return {}
    return {}


def site_name(url: str) -> str | None:
    """A URL's site as a fallback outlet name: its host without "www."."""
    from urllib.parse import urlparse

    try:
        host = urlparse(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def merge_meta(base: DocumentMeta, override: DocumentMeta) -> DocumentMeta:
    """Fields set in `override` win; the rest come from `base`."""
    changes = {k: v for k, v in vars(override).items() if v}
    return replace(base, **changes)
