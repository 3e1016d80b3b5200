from hypothesis import given, settings
from hypothesis import strategies as st

from rag.sentences import split_sentences

NEWS = (
    'Kim met U.S. officials and Col. Lee Sung-jun on Aug. 21-31. "We will win," he said. '
    "The report [KCNA] said so — again. “Curly quotes,” she added… Then more.\nA new paragraph here."
)


def test_news_abbreviations_do_not_end_sentences():
    texts = [s.text for s in split_sentences("d", NEWS)]
    assert texts[0] == "Kim met U.S. officials and Col. Lee Sung-jun on Aug. 21-31."
    assert '"We will win," he said.' in texts
    assert "The report [KCNA] said so — again." in texts
    assert texts[-1] == "A new paragraph here."


def test_line_breaks_are_hard_boundaries():
    texts = [s.text for s in split_sentences("d", "Headline without stop\nBody sentence one. Two.")]
    assert texts == ["Headline without stop", "Body sentence one.", "Two."]


def test_indices_are_dense_and_ordered():
    sentences = split_sentences("doc", NEWS)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))


_alphabet = st.sampled_from(
    list("abcXYZ .?!\"'“”‘’[]()—–-…\n\t0123456789") + ["U.S.", "Col.", "Aug.", " Mr. "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=80).map("".join) | st.text(max_size=200))
def test_offsets_always_slice_to_the_sentence_text(text):
    sentences = split_sentences("doc", text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    covered = "".join(text[s.start : s.end] for s in sentences)
    assert "".join(covered.split()) == "".join(text.split())


def test_fast_path_cuts_clear_boundaries_and_keeps_quotes_whole():
    text = (
        'Kudlow spoke on “Fox News Sunday.” The deal was close. "We are not done. Talks go on," he said. '
        "Rep. Nancy Pelosi, D-Calif., said no. Shake Shack Inc. returned the loan in 2020. Then it grew."
    )
    assert [s.text for s in split_sentences("d", text)] == [
        "Kudlow spoke on “Fox News Sunday.”", "The deal was close.",
        '"We are not done. Talks go on," he said.', "Rep. Nancy Pelosi, D-Calif., said no.",
        "Shake Shack Inc. returned the loan in 2020.", "Then it grew.",
    ]


def test_a_megabyte_line_without_punctuation_is_cut_at_the_maximum_sentence_length():
    from rag.sentences import MAX_SENTENCE_CHARS

    text = "word " * 200_000 + "\nA last sentence."
    sentences = split_sentences("d", text)
    assert len(sentences) > 900 and max(len(s.text) for s in sentences) <= MAX_SENTENCE_CHARS
    assert all(text[s.start : s.end] == s.text for s in sentences) and sentences[-1].text == "A last sentence."
    assert split_sentences("d", "x" * 2500)[1].text == "x" * 1000  # no space at all: a hard cut


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["aaaa", " ", "bb.", "  ", "\n", "Zz", "x" * 300]), max_size=40).map("".join))
def test_long_runs_keep_exact_offsets_and_lose_nothing(text):
    from rag.sentences import MAX_SENTENCE_CHARS

    sentences = split_sentences("doc", text)
    for s in sentences:
        assert text[s.start : s.end] == s.text and s.text == s.text.strip() and s.text
        assert len(s.text) <= MAX_SENTENCE_CHARS
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))
    covered = "".join(text[s.start : s.end] for s in sentences)
    assert "".join(covered.split()) == "".join(text.split())


def test_kept_patterns_split_as_pysbd_does_on_its_own():
    """pysbd's compiled patterns are kept in a bigger cache (rag.sentences._KeptPatterns): same sentences."""
    import importlib
    import re

    import pysbd

    from rag.sentences import _PYSBD_MODULES, _segmenter

    text = NEWS + " Mr. Smith met Sen. Jones at 5 p.m. on Jan. 3. No. 5 is next. Gov. Lee (D-Calif.) said no."
    kept = _segmenter().segment(text)
    modules = [importlib.import_module(f"pysbd.{name}") for name in _PYSBD_MODULES]
    patched = [module.re for module in modules]
    for module in modules:
        module.re = re
    try:
        assert kept == pysbd.Segmenter(language="en", clean=False).segment(text)
    finally:
        for module, kept_re in zip(modules, patched, strict=True):
            module.re = kept_re


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["He said no.", "Mr. Smith left.", "“Yes,” she said.", "It rose 5 p.m. Jan. 3.",
                                  "No.", "  ", "\n", " \u00a0", "Gov. Lee (D-Calif.) said no."]), max_size=12))
def test_segment_spans_found_without_a_pattern_per_sentence_are_pysbds(parts: list[str]) -> None:
    """The segmenter finds each sentence's span with str.find (repeated sentences, trailing whitespace of any
    kind) exactly where pysbd's escaped-sentence pattern does."""
    import pysbd

    from rag.sentences import _segmenter

    text = " ".join(parts)
    assert _segmenter().segment(text) == pysbd.Segmenter(language="en", clean=False).segment(text)
