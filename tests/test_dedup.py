"""Near-duplicate detection: re-published wire stories score high, different stories low."""

from __future__ import annotations

from rag.dedup import SignatureIndex, signature, similarity

STORY = (
    "North Korean leader Kim Jong Un called for a major boost in the production of missiles and munitions "
    "as the United States and South Korea prepared to begin their annual joint military drills next week. "
    "State media said Kim toured several factories and told workers that the army must be ready for war at "
    "any time. Analysts in Seoul said the visit was meant as a warning ahead of the exercises."
)
OTHER = (
    "The city council approved a new budget on Tuesday that raises spending on parks and public transport. "
    "Several members objected to the cost, but the measure passed by a wide margin after a long debate."
)


def test_identical_and_reformatted_texts_match():
    assert similarity(signature(STORY), signature(STORY)) == 1.0
    assert similarity(signature(STORY), signature(STORY.upper().replace(" ", "  "))) == 1.0


def test_one_changed_sentence_is_still_a_near_duplicate():
    edited = STORY.replace("Analysts in Seoul said the visit was meant as a warning ahead of the exercises.",
                           "A Yonhap report added that the drills would involve thousands of troops.")
    assert 0.5 < similarity(signature(STORY), signature(edited)) < 1.0


def test_different_stories_do_not_match():
    assert similarity(signature(STORY), signature(OTHER)) < 0.1


def test_index_agrees_with_pairwise_search_and_grows():
    items = [("story", signature(STORY)), ("other", signature(OTHER))]
    index = SignatureIndex(items)
    probe = signature(STORY + " One more closing sentence.")
    assert index.most_similar(probe) == ("story", similarity(probe, items[0][1]))
    for i in range(100):  # past the initial capacity
        index.add(f"filler-{i}", signature(f"filler text number {i} about nothing in particular at all"))
    assert len(index) == 102 and index.most_similar(probe)[0] == "story"  # type: ignore[index]
    assert SignatureIndex().most_similar(probe) is None


def test_signature_streams_shingles_and_is_stable():
    """The streamed signature equals the one computed from the set of shingles (stored signatures stay valid)."""
    import hashlib
    import re

    import numpy as np

    from rag.dedup import _A, _B, _PRIME, signature

    def reference(text: str) -> bytes:
        words = re.findall(r"\w+", text.lower())
        shingles = {" ".join(words[i : i + 5]) for i in range(max(len(words) - 4, 1))}
        hashes = np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") >> 3
                           for s in shingles], dtype=np.uint64)
        return ((hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)).min(axis=0).tobytes()

    long_text = " ".join(f"word{n % 997} other{n % 13}" for n in range(20_000))  # more shingles than one chunk
    lines = "\n".join(f"Line {n} ΟΔΟΣ İstanbul\n\nΣΟΦΟΣ says" for n in range(400))  # per-line lower-casing
    for text in ("", "Two words", "Exactly five words right here", "Officials said on Monday. " * 3, long_text,
                 lines):
        assert signature(text) == reference(text)
