"""Chat conversations kept in SQLite next to the data folder (or in the shared PostgreSQL database when
`database_url` is set), so the app shows them again after a restart.

Each assistant turn stores the whole `Answer` as JSON (claims, citations with offsets, verdicts, closest
sentences), so citations re-render and re-open exactly as they did when the answer was given.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.docstore import Connection
from rag.settings import Settings, get_settings
from rag.sqlite import PerThreadConnection
from rag.types import Answer, Citation, Claim, DocumentMeta, Sentence, SentenceHit, Verdict

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    collection TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    answer TEXT,
    collection TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
"""
POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id text PRIMARY KEY,
    title text NOT NULL,
    collection text NOT NULL,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id bigserial PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL,
    answer text,
    collection text,
    created_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
"""

_TITLE_CHARS = 60


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    collection: str
    updated_at: float


@dataclass(frozen=True)
class ChatMessage:
    """One turn: the user's question, or the assistant's answer (text, structured Answer, collection)."""

    role: str
    content: str
    answer: Answer | None = None
    collection: str | None = None


def answer_to_json(answer: Answer) -> str:
    """Everything needed to rebuild the Answer, including sentence offsets of the closest hits."""
    record = answer.as_json()
    record["closest"] = [
        {
            "doc_id": h.sentence.doc_id, "index": h.sentence.index, "text": h.sentence.text,
            "start": h.sentence.start, "end": h.sentence.end, "score": h.score, "outlet": h.outlet,
            "meta": {k: getattr(h.meta, k) for k in ("outlet", "title", "byline", "date", "url", "path")},
        }
        for h in answer.closest
    ]
    return json.dumps(record, ensure_ascii=False)


def answer_from_json(text: str) -> Answer:
    """The Answer stored by `answer_to_json`."""
    record: dict[str, Any] = json.loads(text)
    claims = tuple(
        Claim(
            text=c["text"],
            citations=tuple(Citation(**cit) for cit in c["citations"]),
            verdict=Verdict(c["verdict"]),
            score=float(c["score"]),
            reasons=tuple(c.get("reasons", ())),
        )
        for c in record["claims"]
    )
    closest = tuple(
        SentenceHit(
            Sentence(h["doc_id"], h["index"], h["text"], h["start"], h["end"]),
            float(h["score"]), h["outlet"], DocumentMeta(**h.get("meta", {})),
        )
        for h in record.get("closest", ())
    )
    return Answer(
        question=record["question"], claims=claims, refused=bool(record["refused"]),
        generator=record["generator"], closest=closest, notice=record.get("notice"),
    )


class ChatHistory:
    """Conversations and their messages in one SQLite file, or in PostgreSQL when `database_url` is given."""

    def __init__(self, path: Path | None = None, database_url: str = ""):
        self._connection: Any
        if database_url:
            from rag.docstore_postgres import PerThreadPostgres

            self._connection = PerThreadPostgres(database_url)
            self._connection.create_schema(POSTGRES_SCHEMA)
            return
        if path is None:
            raise ValueError("ChatHistory needs a SQLite path or a database_url")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._connection = PerThreadConnection(path, "foreign_keys=ON")
        self.db.executescript(SCHEMA)  # type: ignore[attr-defined]

    @property
    def db(self) -> Connection:
        return self._connection.get()  # type: ignore[no-any-return]

    def new_conversation(self, collection: str, title: str = "New conversation") -> str:
        conversation_id = uuid.uuid4().hex[:12]
        now = time.time()
        self.db.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", (conversation_id, title, collection, now, now)
        )
        return conversation_id

    def conversations(self) -> list[Conversation]:
        """All conversations, most recently used first."""
        rows = self.db.execute(
            "SELECT c.id, c.title, c.collection, c.updated_at "
            "FROM conversations c ORDER BY c.updated_at DESC, c.created_at DESC, c.id"
        )
        return [Conversation(r["id"], r["title"], r["collection"], r["updated_at"]) for r in rows]

    def conversation(self, conversation_id: str) -> Conversation | None:
        return next((c for c in self.conversations() if c.id == conversation_id), None)

    def messages(self, conversation_id: str) -> list[ChatMessage]:
        rows = self.db.execute(
            "SELECT role, content, answer, collection FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [
            ChatMessage(r["role"], r["content"], answer_from_json(r["answer"]) if r["answer"] else None,
                        r["collection"])
            for r in rows
        ]

    def add_question(self, conversation_id: str, question: str) -> None:
        """Store the user's turn; the first question becomes the conversation's title."""
        now = time.time()
        self.db.execute(
            "INSERT INTO messages (conversation_id, role, content, created_at) VALUES (?, 'user', ?, ?)",
            (conversation_id, question, now),
        )
        title = " ".join(question.split())
        title = title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1].rstrip() + "…"
        self.db.execute(
            "UPDATE conversations SET updated_at = ?, "
            "title = CASE WHEN (SELECT COUNT(*) FROM messages WHERE conversation_id = ?) = 1 "
            "THEN ? ELSE title END "
            "WHERE id = ?",
            (now, conversation_id, title, conversation_id),
        )

    def add_answer(self, conversation_id: str, answer: Answer, collection: str) -> None:
        """Store the assistant's turn with the collection its citations point into."""
        now = time.time()
        self.db.execute(
            "INSERT INTO messages (conversation_id, role, content, answer, collection, created_at) "
            "VALUES (?, 'assistant', ?, ?, ?, ?)",
            (conversation_id, answer.text, answer_to_json(answer), collection, now),
        )
        self.db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))

    def delete_conversation(self, conversation_id: str) -> None:
        self.db.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
        self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def copy_to(self, other: ChatHistory) -> int:
        """Copy conversations `other` lacks (by id), with their messages; the number copied."""
        copied = 0
        rows = self.db.execute("SELECT id, title, collection, created_at, updated_at FROM conversations").fetchall()
        for row in rows:
            if other.db.execute("SELECT 1 FROM conversations WHERE id = ?", (row[0],)).fetchone():
                continue
            messages = self.db.execute(
                "SELECT role, content, answer, collection, created_at FROM messages WHERE conversation_id = ? "
                "ORDER BY id", (row[0],),
            ).fetchall()
            other.db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", tuple(row))
            other.db.executemany(
                "INSERT INTO messages (conversation_id, role, content, answer, collection, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(row[0], *m) for m in messages],
            )
            copied += 1
        return copied

    def clear(self) -> None:
        """Delete every conversation and message."""
        self.db.execute("DELETE FROM messages")
        self.db.execute("DELETE FROM conversations")


def open_chat_history(settings: Settings | dict | None = None) -> ChatHistory:
    """The chat history of the configured data folder, or of the shared database."""
    s = get_settings(settings)
    if s.database_url:
        return ChatHistory(database_url=s.database_url)
    return ChatHistory(s.data_dir / "chat.sqlite")
