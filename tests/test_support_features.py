"""What the verifier measures: every feature the shipped weights expect, from texts encoded and parsed once per
request, with long web passages split into sentences so the evidence inside boilerplate is found."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CountingEmbeddings

from rag.claim_units import claim_units, weakest_unit
from rag.embeddings import SentenceEmbeddings
from rag.linguistics import parse
from rag.support_features import CHECKS, FEATURES, TextCache, clean_claim, measure, passage_sentences
from rag.terms import content_terms

pytestmark = pytest.mark.slow  # loads the sentence model and the spaCy pipeline

KIM = ("North Korean leader Kim Jong-un has called for a major boost in the country's production of missiles and "
       "munitions.")


@pytest.fixture(scope="module")
def embeddings() -> SentenceEmbeddings:
    return SentenceEmbeddings()


def test_every_feature_is_measured(embeddings):
    measured = measure("Kim Jong Un called for more missile production.", [KIM], TextCache(embeddings))
    assert list(measured.features) == [*FEATURES, *CHECKS]
    assert all(np.isfinite(v) for v in measured.features.values())
    assert measured.features["sim_best"] > 0.6 and measured.features["coverage"] >= 0.8


def test_a_request_encodes_and_parses_each_text_once(embeddings):
    counting = CountingEmbeddings(embeddings)
    texts = TextCache(counting, {KIM: embeddings.encode([KIM])[0]})  # type: ignore[arg-type]
    claims = ["Kim Jong Un called for more missile production.", "Kim called for more munitions."]
    for claim in claims * 2:
        measure(claim, [KIM], texts)
    assert counting.encoded == claims  # the stored sentence never, each claim once
    assert texts.docs_of([KIM])[0] is texts.docs_of([KIM])[0]


def test_a_web_page_is_split_and_its_urls_dropped():
    page = ("[1] https://example.com/story\nHome | News | Sport\n\nKim Jong-un called for more missiles. The drills "
            "start on Monday.\nSubscribe to our newsletter")
    sentences, origin = passage_sentences([page], limit=50)
    assert "Kim Jong-un called for more missiles." in sentences and set(origin) == {0}
    assert not any("https://" in s for s in sentences)


def test_a_list_number_and_citation_markers_are_no_part_of_the_claim():
    item = "4. Turn on the diffuser and enjoy the benefits! [2]"
    assert clean_claim(item) == "Turn on the diffuser and enjoy the benefits!"
    assert clean_claim("• Drax the Destroyer, played by Dave Bautista") == "Drax the Destroyer, played by Dave Bautista"
    assert clean_claim("2022 was a record year.") == "2022 was a record year."


def test_an_appended_clause_is_the_least_supported_unit():
    source = ("A report into an alleged corruption scandal surrounding Ramaphosa is set to be examined by the "
              "National Assembly.")
    claim = source[:-1] + ", which could further impact the country's economy."
    doc = parse([claim])[0]
    assert len(claim_units(doc)) == 2
    assert weakest_unit(doc, content_terms(source)) == ("which could further impact the country's economy", 0.0)
    assert weakest_unit(parse([source])[0], content_terms(source)) is None
