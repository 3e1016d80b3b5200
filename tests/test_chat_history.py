"""Chat history: conversations persist in SQLite, answers come back with their citations intact."""

from __future__ import annotations

from pathlib import Path

from rag.chat_history import ChatHistory, answer_from_json, answer_to_json, open_chat_history
from rag.settings import Settings
from rag.types import Answer, Citation, Claim, DocumentMeta, Sentence, SentenceHit, Verdict


def sample_answer() -> Answer:
    cite = Citation(1, "673a00df9a78b5c1", 2, 310, 402, "Kim added <b>this</b>.", "KCNA")
    claims = (
        Claim("Kim called for more missiles.", (cite,), Verdict.SUPPORTED, 0.91, ("numbers agree",)),
        Claim("Drills run 21-31 August.", (cite, Citation(2, "a527", 5, 0, 9, "x", "Other")),
              Verdict.PARTIAL, 0.6),
    )
    meta = DocumentMeta(title="T", date="2023-08-14")
    hit = SentenceHit(Sentence("a527", 3, "Close one.", 12, 22), 0.42, "Other", meta)
    return Answer("What did Kim call for?", claims, False, "extractive", closest=(hit,), notice="fell back")


def test_answer_json_round_trip_is_exact() -> None:
    answer = sample_answer()
    assert answer_from_json(answer_to_json(answer)) == answer


def test_conversations_and_answers_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "chat.sqlite"
    history = ChatHistory(path)
    first = history.new_conversation("default")
    history.add_question(first, "What did Kim call for?")
    history.add_answer(first, sample_answer(), "news")
    history.add_question(first, "And the drills?")

    reopened = ChatHistory(path)
    messages = reopened.messages(first)
    assert [m.role for m in messages] == ["user", "assistant", "user"]
    assert messages[1].answer == sample_answer()
    assert messages[1].collection == "news"
    assert messages[1].content == sample_answer().text
    conversation = reopened.conversation(first)
    assert conversation is not None
    assert conversation.title == "What did Kim call for?"


def test_several_conversations_most_recent_first_and_delete_one(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "chat.sqlite")
    older = history.new_conversation("default")
    newer = history.new_conversation("other")
    history.add_question(older, "bump " * 30)
    assert [c.id for c in history.conversations()] == [older, newer]
    assert len(history.conversations()[0].title) <= 60
    history.delete_conversation(older)
    assert [c.id for c in history.conversations()] == [newer]
    assert history.messages(older) == []


def test_clear_removes_everything(tmp_path: Path) -> None:
    history = open_chat_history(Settings(data_dir=tmp_path))
    conversation = history.new_conversation("default")
    history.add_question(conversation, "q")
    history.clear()
    assert history.conversations() == []
    assert history.messages(conversation) == []
    assert (tmp_path / "chat.sqlite").exists()
