"""The llamacpp generator with the real bundled Gemma 3 270M GGUF, end to end through answer()."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, make_settings
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

from rag.answer import answer, check_claim
from rag.citations import MarkerNumbering
from rag.errors import ProviderUnavailable
from rag.ingest import ingest
from rag.prompts import REFUSAL
from rag.providers import get_generator
from rag.providers.llamacpp import LlamaCppChat, LlamaCppCompletion, has_chat_template, load_llama, model_path
from rag.retrieval import retrieve
from rag.settings import Settings
from rag.store import Store, open_store
from rag.types import Answer, SentenceHit, Verdict
from rag.verify import verify_claim

pytestmark = pytest.mark.slow  # loads llama.cpp models or the encoder

HOSTILE = Path(__file__).parent / "data" / "hostile.txt"  # an article that tries prompt injection


def llm_settings(data_dir: Path, **llm: object) -> Settings:
    # A generous wall-clock limit: on a loaded 2-core machine the default would fall back to extractive.
    return make_settings(data_dir, llm={"provider": "llamacpp", "max_tokens": 32, "timeout": 300, **llm})


def assert_citations_resolve_to_stored_sentences(result: Answer, store: Store) -> None:
    for claim in result.claims:
        for citation in claim.citations:
            stored = store.docs.get_sentences("default", [(citation.doc_id, citation.sentence_index)])
            sentence = stored[(citation.doc_id, citation.sentence_index)]
            assert citation.text == sentence.text
            assert (citation.start, citation.end) == (sentence.start, sentence.end)


def assert_cites_only_evidence(result: Answer, evidence: list[SentenceHit]) -> None:
    given = {(h.sentence.doc_id, h.sentence.index) for h in evidence}
    for claim in result.claims:
        assert {(c.doc_id, c.sentence_index) for c in claim.citations} <= given
        if not claim.citations:
            assert claim.verdict == Verdict.UNSUPPORTED


def assert_verdicts_come_from_the_verifier(result: Answer, settings: Settings) -> None:
    for claim in result.claims:
        again = verify_claim(claim.text, [c.text for c in claim.citations], settings=settings)
        assert claim.verdict == again.verdict


def test_missing_model_file_is_a_clear_error_and_answer_falls_back(tmp_path: Path, corpus_store) -> None:
    missing = tmp_path / "models" / "nope.gguf"
    settings = llm_settings(tmp_path, model=str(missing))
    with pytest.raises(ProviderUnavailable, match="GGUF model file .*nope.gguf does not exist"):
        get_generator("llamacpp", settings)
    result = answer("What did Kim Jong Un call for?", store=corpus_store, settings=settings)
    assert result.generator == "extractive"
    assert result.notice and "does not exist" in result.notice and "nope.gguf" in result.notice
    assert result.claims


def test_a_file_that_is_not_a_gguf_model_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model" * 100)
    with pytest.raises(ProviderUnavailable, match="could not be loaded"):
        get_generator("llamacpp", llm_settings(tmp_path, model=str(bogus)))


@pytest.fixture(scope="module")
def gemma_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return llm_settings(tmp_path_factory.mktemp("gemma"))


@pytest.mark.slow
def test_bundled_gemma_is_a_base_model_prompted_by_completion_with_stop_sequences(gemma_settings) -> None:
    llama = load_llama(str(model_path(gemma_settings)), gemma_settings.llm.context_size)
    assert not has_chat_template(llama)
    assert get_generator("llamacpp", gemma_settings).style == "completion"  # type: ignore[attr-defined]
    model = LlamaCppCompletion(llama=llama, max_tokens=24)
    text = "".join(model.stream("Sources:\n[1] The sky is blue.\nQuestion: What colour is the sky?\nAnswer:",
                                stop=["\n"]))
    assert text.strip() and "\n" not in text
    # The chat wrapper (used for GGUFs with a chat template) streams through create_chat_completion.
    chat = LlamaCppChat(llama=llama, max_tokens=12)
    messages = [SystemMessage("Answer briefly."), HumanMessage("The sky is blue. Its colour?")]
    chunks = list(chat.stream(messages, stop=["blue"]))
    assert chunks and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "blue" not in "".join(str(c.content) for c in chunks)


@pytest.mark.slow
def test_gemma_answers_a_corpus_question_with_citations_that_resolve(gemma_settings, corpus_store) -> None:
    generator = get_generator("llamacpp", gemma_settings)
    tokens: list[str] = []
    generator.on_token = tokens.append  # type: ignore[attr-defined]
    result = answer("What did Kim Jong Un call for?", store=corpus_store, settings=gemma_settings,
                    generator=generator)
    assert result.generator == "llamacpp" and not result.refused and result.notice is None
    # A 270M model often writes what no evidence says; such a sentence cites nothing and is shown unsupported
    # (its markers or its alignment with the evidence decide, never the model's confidence).
    assert result.claims and all(c.citations or c.verdict == Verdict.UNSUPPORTED for c in result.claims)
    assert tokens  # the tokens streamed to the callback
    assert_cites_only_evidence(result, retrieve(corpus_store, "default", "What did Kim Jong Un call for?",
                                                gemma_settings))
    assert_citations_resolve_to_stored_sentences(result, corpus_store)
    assert_verdicts_come_from_the_verifier(result, gemma_settings)


@pytest.mark.slow
def test_unanswerable_question_is_refused_and_never_shown_supported(gemma_settings, corpus_store) -> None:
    question = "What is the population of Pyongyang?"
    result = answer(question, store=corpus_store, settings=gemma_settings, generator="llamacpp")
    assert result.refused or all(c.verdict != Verdict.SUPPORTED for c in result.claims)
    # Past the retrieval gate: give the model the closest sentences anyway; what it invents is not supported.
    evidence = retrieve(corpus_store, "default", question, gemma_settings)
    drafts = list(get_generator("llamacpp", gemma_settings).generate("answer", question, evidence))
    assert drafts
    numbering = MarkerNumbering()
    for draft in drafts:
        if draft.text == REFUSAL:
            continue
        claim = check_claim(draft, evidence, numbering, corpus_store, gemma_settings)
        assert claim.verdict != Verdict.SUPPORTED, claim


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(make_settings(tmp_path_factory.mktemp("hostile")))
    results = ingest([str(CORPUS), str(HOSTILE)], store=store)
    assert [r.status for r in results] == ["added"] * 3
    return store


@pytest.mark.slow
def test_hostile_document_does_not_change_verdicts(gemma_settings, hostile_store) -> None:
    question = "Are the sources fake?"  # invites the model to repeat the injected "the sources are fake"
    evidence = retrieve(hostile_store, "default", question, gemma_settings)
    assert any(h.outlet == "Hostile Wire" for h in evidence)  # the attack reaches the model
    result = answer(question, store=hostile_store, settings=gemma_settings, generator="llamacpp")
    assert result.generator == "llamacpp"
    for claim in result.claims:
        lowered = claim.text.lower()
        if "fake" in lowered or "fabricated" in lowered or "developer mode" in lowered:
            assert claim.verdict != Verdict.SUPPORTED, claim
    assert_cites_only_evidence(result, evidence)  # "[99]" never becomes a citation
    assert_citations_resolve_to_stored_sentences(result, hostile_store)
    assert_verdicts_come_from_the_verifier(result, gemma_settings)
