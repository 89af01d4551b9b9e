"""``TablestoreMemory``: an agent's memory in Alibaba Cloud Tablestore (AgentScope 1.0.21's
API), through ``tablestore-for-agent-memory``'s ``AsyncKnowledgeStore``.

One document per message: ``document_id`` is ``"<msg id>:::<session id>"``, ``tenant_id`` the
user, ``text`` the message JSON; metadata holds ``session_id``, ``name``, ``role``,
``timestamp``, ``invocation_id``, ``seq`` (the add order) and ``marks_json``. Each document is
one row write: whole or absent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from ..message import Msg
from ._stored import StoredMemory, as_marks, as_msgs

logger = logging.getLogger("as")

INSTALL_HINT = (
    "TablestoreMemory needs tablestore and tablestore-for-agent-memory: "
    "pip install 'ascope-nb[tablestore]'"
)
SEPARATOR = ":::"
PAGE = 100


@dataclass
class _Document:
    """The fields of ``tablestore_for_agent_memory``'s ``Document`` (used when the SDK is not
    installed: converting messages needs no server)."""

    document_id: str
    tenant_id: str | None = None
    text: str | None = None
    embedding: list[float] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _document_class() -> Any:
    try:
        from tablestore_for_agent_memory.base.base_knowledge_store import Document
    except ImportError:
        return _Document
    return Document


def _one_mark(value: Any, label: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{label} must be a string or None, got {type(value).__name__}")
    return value


class TablestoreMemory(StoredMemory):
    """An agent's memory in a Tablestore table, one document per message.

    Example:
        >>> mem = TablestoreMemory("https://x.ots.aliyuncs.com", "inst", "AK", "SK",
        ...                        user_id="u1", session_id="s1")  # doctest: +SKIP
        >>> await mem.add(Msg("user", "hi", "user"))  # doctest: +SKIP
    """

    def __init__(
        self,
        end_point: str,
        instance_name: str,
        access_key_id: str,
        access_key_secret: str,
        user_id: str = "default",
        session_id: str = "default",
        sts_token: str | None = None,
        table_name: str = "agentscope_memory",
        text_field: str = "text",
        embedding_field: str = "embedding",
        vector_dimension: int = 0,
        **kwargs: Any,
    ) -> None:
        from ..session._tablestore_session import tablestore_client

        super().__init__()
        self._user_id = user_id
        self._session_id = session_id
        self._table_name = table_name
        self._text_field = text_field
        self._embedding_field = embedding_field
        self._vector_dimension = vector_dimension
        self._tablestore_client = tablestore_client(
            end_point, instance_name, access_key_id, access_key_secret, sts_token, **kwargs
        )
        self._search_index_schema = self._index_schema()
        self._knowledge_store: Any = None
        self._knowledge_store_kwargs: dict[str, Any] = {}
        self._initialized = False

    @staticmethod
    def _index_schema() -> list[Any]:
        import tablestore

        return [
            tablestore.FieldSchema("session_id", tablestore.FieldType.KEYWORD),
            tablestore.FieldSchema("seq", tablestore.FieldType.LONG),
        ]

    async def _store(self) -> Any:
        if self._initialized and self._knowledge_store is not None:
            return self._knowledge_store
        try:
            from tablestore_for_agent_memory.knowledge.async_knowledge_store import (
                AsyncKnowledgeStore,
            )
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        store = AsyncKnowledgeStore(
            tablestore_client=self._tablestore_client,
            vector_dimension=self._vector_dimension,
            enable_multi_tenant=True,
            table_name=self._table_name,
            search_index_schema=self._search_index_schema,
            text_field=self._text_field,
            embedding_field=self._embedding_field,
            **self._knowledge_store_kwargs,
        )
        await store.init_table()
        self._knowledge_store = store
        self._initialized = True
        return store

    # ------------------------------------------------------------------ ids and documents
    def _make_document_id(self, msg_id: str) -> str:
        return f"{msg_id}{SEPARATOR}{self._session_id}"

    def _extract_msg_id(self, document_id: str) -> str:
        suffix = f"{SEPARATOR}{self._session_id}"
        if document_id.endswith(suffix):
            return document_id[: -len(suffix)]
        logger.error("Unexpected document_id format %r (expected suffix %r)", document_id, suffix)
        return document_id

    def _msg_to_document(self, msg: Msg, marks: list[str]) -> Any:
        metadata = {
            "session_id": self._session_id,
            "name": msg.name,
            "role": msg.role,
            "timestamp": msg.timestamp or "",
            "invocation_id": getattr(msg, "invocation_id", None) or "",
            "seq": time.time_ns(),
            "marks_json": json.dumps(list(marks), ensure_ascii=False),
        }
        return _document_class()(
            document_id=self._make_document_id(msg.id),
            tenant_id=self._user_id,
            text=json.dumps(msg.to_dict(), ensure_ascii=False, default=str),
            metadata=metadata,
        )

    @staticmethod
    def _document_to_msg_and_marks(document: Any) -> tuple[Msg, list[str]]:
        msg = Msg.from_dict(json.loads(document.text))
        marks = json.loads((document.metadata or {}).get("marks_json") or "[]")
        return msg, list(marks)

    # ------------------------------------------------------------------ queries
    async def _session_documents(self) -> list[Any]:
        """Every document of this user and session, in the order they were added."""
        from tablestore_for_agent_memory.base.filter import Eq

        store = await self._store()
        documents: list[Any] = []
        token = None
        while True:
            response = await store.search_documents(
                tenant_id=self._user_id,
                metadata_filter=Eq("session_id", self._session_id),
                limit=PAGE,
                next_token=token,
                meta_data_to_get=None,
            )
            documents += [hit.document for hit in response.hits or []]
            token = response.next_token
            if not token:
                break
        return sorted(documents, key=lambda d: int((d.metadata or {}).get("seq") or 0))

    async def _search_documents_by_marks_and_exclude_marks(
        self, marks: str | None = None, exclude_marks: str | None = None
    ) -> list[Any]:
        found = []
        for doc in await self._session_documents():
            doc_marks = self._document_to_msg_and_marks(doc)[1]
            if marks is not None and marks not in doc_marks:
                continue
            if exclude_marks is not None and exclude_marks in doc_marks:
                continue
            found.append(doc)
        return found

    async def _search_msg_ids_by_marks(self, marks: list[str] | None) -> set[str]:
        """Ids of the session's messages carrying any of ``marks`` (None: all of them)."""
        ids = set()
        for doc in await self._session_documents():
            doc_marks = self._document_to_msg_and_marks(doc)[1]
            if marks is None or set(marks).intersection(doc_marks):
                ids.add(self._extract_msg_id(doc.document_id))
        return ids

    async def _get_documents(self, msg_ids: list[str]) -> list[Any]:
        store = await self._store()
        documents = await store.get_documents(
            [self._make_document_id(i) for i in msg_ids], tenant_id=self._user_id
        )
        return [d for d in documents or [] if d is not None]

    async def _get_existing_msg_ids_in_session(self, msg_ids: list[str]) -> set[str]:
        return {self._extract_msg_id(d.document_id) for d in await self._get_documents(msg_ids)}

    async def _get_existing_msg_ids_and_marks_in_session(
        self, msg_ids: list[str]
    ) -> dict[str, list[str]]:
        return {
            self._extract_msg_id(d.document_id): self._document_to_msg_and_marks(d)[1]
            for d in await self._get_documents(msg_ids)
        }

    # ------------------------------------------------------------------ MemoryBase
    async def add(
        self,
        memories: Msg | list[Msg] | None,
        marks: str | list[str] | None = None,
        allow_duplicates: bool = False,
        **kwargs: Any,
    ) -> None:
        """Store the messages tagged with ``marks``; ids already stored are skipped unless
        ``allow_duplicates``."""
        batch = as_msgs(memories)
        mark_list = as_marks(marks)
        if not batch:
            return
        store = await self._store()
        existing: set[str] = set()
        if not allow_duplicates:
            existing = await self._get_existing_msg_ids_in_session([m.id for m in batch])
        for msg in batch:
            if msg.id in existing:
                continue
            await store.put_document(self._msg_to_document(msg, mark_list))
            if not allow_duplicates:
                existing.add(msg.id)

    async def get_memory(
        self,
        mark: str | None = None,
        exclude_mark: str | None = None,
        prepend_summary: bool = True,
        **kwargs: Any,
    ) -> list[Msg]:
        """The messages in order, filtered by ``mark``/``exclude_mark``."""
        _one_mark(mark, "mark")
        _one_mark(exclude_mark, "exclude_mark")
        documents = await self._search_documents_by_marks_and_exclude_marks(
            marks=mark, exclude_marks=exclude_mark
        )
        msgs = [self._document_to_msg_and_marks(d)[0] for d in documents]
        return self._with_summary(msgs, prepend_summary)

    async def _read_rows(self, fresh: bool) -> list[tuple[Msg, list[str]]]:
        return [self._document_to_msg_and_marks(d) for d in await self._session_documents()]

    async def size(self) -> int:
        """Number of stored messages of this session."""
        return len(await self._search_msg_ids_by_marks(None))

    async def _delete_ids(self, msg_ids: set[str] | list[str]) -> int:
        store = await self._store()
        for msg_id in msg_ids:
            await store.delete_document(
                document_id=self._make_document_id(msg_id), tenant_id=self._user_id
            )
        return len(msg_ids)

    async def delete(self, msg_ids: list[str], **kwargs: Any) -> int:
        """Remove the messages with these ids; returns how many were stored."""
        return await self._delete_ids(await self._get_existing_msg_ids_in_session(msg_ids))

    async def delete_by_mark(self, mark: str | list[str], *args: Any, **kwargs: Any) -> int:
        """Remove every message carrying one of ``mark``; returns how many."""
        return await self._delete_ids(await self._search_msg_ids_by_marks(as_marks(mark)))

    async def clear(self) -> None:
        """Remove every message of this session."""
        await self._delete_ids(await self._search_msg_ids_by_marks(None))

    async def update_messages_mark(
        self, new_mark: str | None, old_mark: str | None = None, msg_ids: list[str] | None = None
    ) -> int:
        """Replace ``old_mark`` by ``new_mark`` (None removes it); returns how many changed."""
        if msg_ids is not None:
            current = await self._get_existing_msg_ids_and_marks_in_session(msg_ids)
        else:
            docs = await self._search_documents_by_marks_and_exclude_marks(marks=old_mark)
            current = {
                self._extract_msg_id(d.document_id): self._document_to_msg_and_marks(d)[1]
                for d in docs
            }
        store = await self._store()
        changed = 0
        for msg_id, marks in current.items():
            if old_mark is not None and old_mark not in marks:
                continue
            updated = [m for m in marks if m != old_mark] if old_mark is not None else list(marks)
            if new_mark is not None and new_mark not in updated:
                updated.append(new_mark)
            document = _document_class()(
                document_id=self._make_document_id(msg_id),
                tenant_id=self._user_id,
                metadata={"marks_json": json.dumps(updated, ensure_ascii=False)},
            )
            await store.update_document(document)
            changed += 1
        return changed

    async def close(self) -> None:
        """Close the store (a later call opens a new one)."""
        if self._knowledge_store is not None:
            await self._knowledge_store.close()
        self._knowledge_store = None
        self._initialized = False
