"""Long-term memory that survives the kernel: facts in a JSONL file, found by meaning.

``LocalLongTermMemory`` keeps every remembered text in ``memories.jsonl`` (the record) and
an embedded Qdrant index of them (``index/``) built with the offline embedding model. The
index is derived: when it is missing, unreadable or out of step with the record, one
warning line is logged and it is rebuilt from the record, so nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ..message import Msg
from ..module import StateModule

logger = logging.getLogger(__name__)
MEMORY_ENV = "ASCOPE_MEMORY"
_OPEN: dict[str, list[Any]] = {}  # index folder -> [QdrantStore, how many memories use it]
COLLECTION = "long_term_memory"


def ascope_dir() -> Path:
    """The folder of the run store file (``$ASCOPE_STORE``'s folder, else ``./.ascope``)."""
    store = os.environ.get("ASCOPE_STORE", "")
    if store and "://" not in store:
        return Path(store).expanduser().resolve().parent
    return Path.cwd() / ".ascope"


def default_memory_dir() -> Path:
    """``$ASCOPE_MEMORY``, else ``memory/`` next to the run store (``.ascope/memory``)."""
    env = os.environ.get(MEMORY_ENV)
    return Path(env).expanduser() if env else ascope_dir() / "memory"


class LongTermMemoryBase(StateModule):
    """AgentScope 1.x ``LongTermMemoryBase``: ``record``/``retrieve`` for the agent's own use
    (``static_control``) and the tools ``record_to_memory``/``retrieve_from_memory``
    (``agent_control``)."""

    async def record(self, msgs: list[Msg | None], **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement record")

    async def retrieve(self, msg: Msg | list[Msg] | None, limit: int = 5, **kwargs: Any) -> str:
        raise NotImplementedError(f"{type(self).__name__} does not implement retrieve")

    async def record_to_memory(self, thinking: str, content: list[str], **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement record_to_memory")

    async def retrieve_from_memory(self, keywords: list[str], limit: int = 5, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement retrieve_from_memory")


def _text_of(msg: Msg | list[Msg] | None) -> str:
    msgs = [msg] if isinstance(msg, Msg) else list(msg or [])
    return "\n".join(t for m in msgs if (t := m.get_text_content() or ""))


class LocalLongTermMemory(LongTermMemoryBase):
    """Remembered facts on disk, retrieved by meaning with the embedded model.

    Args:
        path: The folder (default ``default_memory_dir()``: ``.ascope/memory``).
        embedding_model: Defaults to ``LocalTextEmbedding()`` (offline all-MiniLM-L6-v2).
        agent_name: Stored with each memory (shown in the table).
        score_threshold: The least similarity a retrieved memory needs (0 to 1).

    Example:
        >>> import asyncio, tempfile
        >>> mem = LocalLongTermMemory(path=tempfile.mkdtemp())  # doctest: +SKIP
        >>> asyncio.run(mem.record_to_memory("a fact", ["Alice's cat is called Tom"]))  # doctest: +SKIP
        >>> asyncio.run(mem.search("pet name"))[0]["text"]  # doctest: +SKIP
        "Alice's cat is called Tom"
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        embedding_model: Any = None,
        agent_name: str = "",
        score_threshold: float = 0.3,
    ) -> None:
        super().__init__()
        self.path = Path(path) if path is not None else default_memory_dir()
        if embedding_model is None:
            from ..embedding import LocalTextEmbedding

            embedding_model = LocalTextEmbedding()
        self.embedding_model = embedding_model
        self.agent_name = agent_name
        self.score_threshold = score_threshold
        self._store: Any = None

    # ------------------------------------------------------------------ storage
    @property
    def record_file(self) -> Path:
        return self.path / "memories.jsonl"

    def entries(self) -> list[dict[str, Any]]:
        """Every remembered entry, oldest first (``id``, ``text``, ``ts``, ``agent``, ...)."""
        if not self.record_file.is_file():
            return []
        out = []
        for n, line in enumerate(self.record_file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                logger.warning("%s line %d is not JSON: skipped", self.record_file, n)
        return out

    async def _index(self) -> Any:
        if self._store is not None:
            return self._store
        key = str((self.path / "index").resolve())
        if key in _OPEN:  # one client per folder in a process (qdrant locks the folder)
            _OPEN[key][1] += 1
            self._store = _OPEN[key][0]
            return self._store
        self._store = await self._open_index()
        _OPEN[key] = [self._store, 1]
        return self._store

    async def _open_index(self) -> Any:
        from ..rag import QdrantStore

        index_dir = self.path / "index"
        self.path.mkdir(parents=True, exist_ok=True)
        entries = self.entries()
        problem = ""
        store = None
        try:
            if not index_dir.exists() and entries:
                problem = "is missing"
            store = QdrantStore(
                location=str(index_dir),
                collection_name=COLLECTION,
                dimensions=self.embedding_model.dimensions,
            )
            count = await store.count()
            if not problem and count != len(entries):
                problem = f"holds {count} entries, the record {len(entries)}"
        except Exception as exc:  # a corrupt folder: qdrant raises many kinds
            if "already accessed" in str(exc):
                raise ConfigError(
                    f"the long-term memory index {str(index_dir)!r} is open in another process "
                    "(a kernel still holding it: close its LocalLongTermMemory or restart it)"
                ) from None
            problem = f"is unreadable ({type(exc).__name__})"
            if store is not None:
                await _close_quietly(store)
            aside = index_dir.with_name(f"index.broken-{int(time.time())}")
            shutil.move(str(index_dir), str(aside))
            store = QdrantStore(
                location=str(index_dir),
                collection_name=COLLECTION,
                dimensions=self.embedding_model.dimensions,
            )
        if problem:
            logger.warning(
                "long-term memory index %s %s: rebuilding it from %s (%d entries)",
                index_dir,
                problem,
                self.record_file.name,
                len(entries),
            )
            await store.get_client().delete_collection(COLLECTION)
            store._ready = False
            await self._add_to_index(store, entries)
        return store

    async def _add_to_index(self, store: Any, entries: list[dict[str, Any]]) -> None:
        from ..rag import DocMetadata, Document

        if not entries:
            return
        res = await self.embedding_model([e["text"] for e in entries])
        docs = [
            Document(
                id=e["id"],
                embedding=vector,
                metadata=DocMetadata(
                    content={"type": "text", "text": e["text"]},
                    doc_id=e["id"],
                    chunk_id=0,
                    total_chunks=1,
                ),
            )
            for e, vector in zip(entries, res.embeddings, strict=True)
        ]
        await store.add(docs)

    async def add(self, texts: list[str] | str, *, thinking: str = "", kind: str = "fact") -> int:
        """Remember ``texts`` (one string is one memory; duplicates of what is already
        remembered are skipped); returns how many were new."""
        texts = [texts] if isinstance(texts, str) else texts
        store = await self._index()
        known = {e["id"] for e in self.entries()}
        new = []
        from ..redact import redact_text  # memories.jsonl and the index never hold a secret

        thinking = redact_text(thinking)
        for text in (redact_text(t.strip()) for t in texts):
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
            if text and key not in known:
                known.add(key)
                new.append(
                    {
                        "id": key,
                        "text": text,
                        "ts": time.time(),
                        "agent": self.agent_name,
                        "kind": kind,
                        "thinking": thinking,
                    }
                )
        if not new:
            return 0
        with self.record_file.open("a", encoding="utf-8") as fh:
            for entry in new:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        await self._add_to_index(store, new)
        return len(new)

    async def search(self, query: str, *, limit: int = 5) -> list[dict[str, Any]]:
        """The remembered entries closest to ``query``, best first, each with its ``score``."""
        store = await self._index()
        res = await self.embedding_model([query])
        docs = await store.search(
            res.embeddings[0], limit=limit, score_threshold=self.score_threshold
        )
        by_id = {e["id"]: e for e in self.entries()}
        return [
            {**by_id.get(d.metadata.doc_id, {}), "text": d.text, "score": d.score} for d in docs
        ]

    async def close(self) -> None:
        """Release the index folder (another process or kernel can then open it)."""
        if self._store is None:
            return
        key = str((self.path / "index").resolve())
        held = _OPEN.get(key)
        self._store = None
        if held is not None:
            held[1] -= 1
            if held[1] > 0:
                return
            del _OPEN[key]
            await _close_quietly(held[0])

    def to_dataframe(self) -> Any:
        """The remembered entries as a pandas DataFrame (``id, text, agent, kind, ts``)."""
        import pandas as pd

        cols = ["id", "text", "agent", "kind", "ts"]
        return pd.DataFrame([{c: e.get(c) for c in cols} for e in self.entries()], columns=cols)

    # ------------------------------------------------------------------ AgentScope API
    async def record(self, msgs: list[Msg | None], **kwargs: Any) -> Any:
        """Remember the text of the user and assistant messages (``static_control``)."""
        texts = [
            f"{m.name}: {text}"
            for m in msgs
            if m is not None
            and m.role in ("user", "assistant")
            and not (m.metadata or {}).get("hint")
            and m.name not in ("long_term_memory",)
            and (text := m.get_text_content() or "")
            and not text.startswith(("<retrieved_knowledge>", "<long_term_memory>"))
        ]
        return await self.add(texts, kind="conversation")

    async def retrieve(self, msg: Msg | list[Msg] | None, limit: int = 5, **kwargs: Any) -> str:
        """What is remembered about ``msg``'s text, one memory a line ("" if nothing)."""
        query = _text_of(msg)
        if not query:
            return ""
        hits = await self.search(query, limit=limit)
        _emit(query, hits, via="reply", agent=self.agent_name)
        return "\n".join(h["text"] for h in hits)

    async def record_to_memory(self, thinking: str, content: list[str], **kwargs: Any) -> Any:
        """Use this function to record important information that you may need later. The
        target content should be specific and concise, e.g. who, when, where, do what, why.

        Args:
            thinking (str): Your thinking and reasoning about what to record.
            content (list[str]): The content to remember, a list of strings.
        """
        from ..tool import ToolResponse

        n = await self.add(
            [content] if isinstance(content, str) else list(content), thinking=thinking
        )
        return ToolResponse(
            content=[{"type": "text", "text": f"Successfully recorded {n} new item(s) to memory."}]
        )

    async def retrieve_from_memory(self, keywords: list[str], limit: int = 5, **kwargs: Any) -> Any:
        """Retrieve the memory based on the given keywords.

        Args:
            keywords (list[str]): Keywords to search the memory for, specific and concise, e.g.
                a person's name, a date, a place.
            limit (int): The most memories to retrieve per keyword.
        """
        from ..tool import ToolResponse

        lines: list[str] = []
        for keyword in [keywords] if isinstance(keywords, str) else keywords:
            hits = await self.search(keyword, limit=limit)
            _emit(keyword, hits, via="tool", agent=self.agent_name)
            lines.extend(h["text"] for h in hits if h["text"] not in lines)
        text = "\n".join(lines) if lines else "No memory found for these keywords."
        return ToolResponse(content=[{"type": "text", "text": text}])

    def __repr__(self) -> str:
        return f"LocalLongTermMemory(path={str(self.path)!r})"


def _emit(query: str, hits: list[dict[str, Any]], *, via: Any, agent: str) -> None:
    from ..events import KnowledgeRetrieved, current_reply, current_run

    ctx = current_run.get()
    if ctx is None:
        return
    chunks = [
        {
            "text": h["text"],
            "score": h.get("score"),
            "doc_id": h.get("id", ""),
            "chunk_id": 0,
            "source": "long-term memory",
        }
        for h in hits
    ]
    ctx.emit(
        KnowledgeRetrieved(
            agent=agent,
            reply_id=current_reply.get(),
            query=query,
            source="long_term_memory",
            chunks=chunks,
            via=via,
        )
    )


async def _close_quietly(store: Any) -> None:
    try:
        await store.close()
    except Exception:  # closing a broken client must not hide the rebuild
        logger.debug("closing a broken qdrant client failed", exc_info=True)
