"""Citation markers resolve only to evidence actually given; everything else is dropped and reported."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.citations import (
    MarkerNumbering,
    draft_claims_from_text,
    extract_markers,
    malformed_markers,
    resolve_claim,
    resolve_markers,
)
from rag.types import DraftClaim, Sentence, SentenceHit


def evidence(n: int) -> list[SentenceHit]:
    return [
        SentenceHit(Sentence(f"doc{i % 3}", i, f"Sentence number {i}.", i * 20, i * 20 + 17), 0.5,
                    f"Outlet {i % 3}")
        for i in range(n)
    ]


def test_extract_markers_handles_single_lists_adjacent_and_ranges():
    clean, markers = extract_markers("Kim called for missiles [1, 3][2] and more drills [4-5].")
    assert clean == "Kim called for missiles and more drills."
    assert markers == (1, 3, 2, 4, 5)


def test_bracketed_prose_is_not_a_marker():
    clean, markers = extract_markers("the official Korean Central News Agency [KCNA] said [2].")
    assert markers == (2,)
    assert "[KCNA]" in clean


def test_malformed_markers_are_reported():
    assert malformed_markers("a [3a] b [KCNA] [ ] [1] [Source 2]") == ["[3a]", "[ ]", "[Source 2]"]


def test_out_of_range_and_zero_markers_are_dropped_with_a_reason():
    ev = evidence(3)
    res = resolve_markers([0, 2, 4, -1], ev)
    assert [c.marker for c in res.citations] == [2]
    assert res.citations[0].text == ev[1].sentence.text
    assert len(res.problems) == 3 and all("out of range" in p for p in res.problems)


def test_claim_without_markers_is_reported_missing():
    res = resolve_claim(DraftClaim("An uncited sentence.", ()), evidence(2))
    assert res.citations == ()
    assert res.problems == ("claim cites no evidence",)


def test_citation_carries_offsets_and_outlet_of_the_evidence():
    ev = evidence(2)
    (c,) = resolve_markers([2], ev).citations
    assert (c.doc_id, c.sentence_index, c.start, c.end, c.outlet) == ("doc1", 1, 20, 37, "Outlet 1")


def test_markers_opening_a_sentence_belong_to_the_previous_one():
    claims = draft_claims_from_text("Kim called for missiles. [1][2] He visited factories [3]. [4]")
    assert claims == [
        DraftClaim("Kim called for missiles.", (1, 2)), DraftClaim("He visited factories.", (3, 4))
    ]


def test_numbering_is_by_first_use_and_stable_for_a_repeated_sentence():
    ev = evidence(5)
    numbering = MarkerNumbering()
    first = numbering.apply(resolve_markers([4, 2], ev).citations)
    second = numbering.apply(resolve_markers([2, 5], ev).citations)
    assert [c.marker for c in first] == [1, 2]
    assert [c.marker for c in second] == [2, 3]
    assert second[0].sentence_index == first[1].sentence_index


marker_text = st.lists(
    st.one_of(
        st.integers(-5, 40).map(lambda n: f"[{n}]"),
        st.lists(st.integers(0, 40), min_size=1, max_size=4).map(lambda ns: f"[{', '.join(map(str, ns))}]"),
        st.tuples(st.integers(0, 30), st.integers(0, 30)).map(lambda ab: f"[{ab[0]}-{ab[1]}]"),
        st.text(alphabet="[]0123456789,- abc", max_size=12),
    ),
    max_size=8,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(n_evidence=st.integers(0, 12), text=marker_text)
def test_any_marker_string_resolves_only_to_given_evidence(n_evidence: int, text: str):
    ev = evidence(n_evidence)
    given_refs = {(h.sentence.doc_id, h.sentence.index, h.sentence.text) for h in ev}
    inline = DraftClaim(f"Claim {text}", extract_markers(text)[1])
    drafts = [inline, *draft_claims_from_text(f"Claim. {text}")]
    for draft in drafts:
        res = resolve_claim(draft, ev)
        for c in res.citations:
            assert (c.doc_id, c.sentence_index, c.text) in given_refs
            assert 1 <= c.marker <= n_evidence
            assert ev[c.marker - 1].sentence.text == c.text
        assert len({(c.doc_id, c.sentence_index) for c in res.citations}) == len(res.citations)
