"""``Mem0LongTermMemory``: AgentScope 1.0.21's long-term memory on the ``mem0ai`` library.

mem0's ``AsyncMemory`` runs with the agent's own chat model and embedding model (registered
with mem0 as the provider ``agentscope``: ``AgentScopeLLM`` / ``AgentScopeEmbedding``) and,
unless told otherwise, an on-disk Qdrant vector store. Every memory is scoped by
``agent_name`` / ``user_name`` / ``run_name`` (mem0's ``agent_id`` / ``user_id`` /
``run_id``). A failing mem0 call reaches the agent as a one-line tool result.

Example:
    >>> memory = Mem0LongTermMemory(agent_name="Friday", user_name="ada",
    ...     model=model, embedding_model=embedding)  # doctest: +SKIP
    >>> agent = ReActAgent(..., long_term_memory=memory)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..message import Msg
from ._long_term import LongTermMemoryBase, _emit

INSTALL_HINT = "Mem0LongTermMemory needs mem0ai: pip install 'ascope-nb[mem0]'"
_UTILS = "ascope_nb.memory._mem0_utils"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _tool_response(text: str) -> Any:
    from ..tool import ToolResponse

    return ToolResponse(content=[{"type": "text", "text": text}])


def _register_providers() -> tuple[type, type]:
    """Register ``agentscope`` with mem0's factories; the LLM/embedder config classes that
    accept it (mem0's own validators list their providers by name)."""
    try:
        from mem0.configs.llms.base import BaseLlmConfig
        from mem0.embeddings.configs import EmbedderConfig
        from mem0.llms.configs import LlmConfig
        from mem0.utils.factory import EmbedderFactory, LlmFactory
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    from pydantic import field_validator

    LlmFactory.provider_to_class["agentscope"] = (f"{_UTILS}.AgentScopeLLM", BaseLlmConfig)
    EmbedderFactory.provider_to_class["agentscope"] = f"{_UTILS}.AgentScopeEmbedding"

    class _ASLlmConfig(LlmConfig):  # type: ignore[misc, valid-type]
        @field_validator("config")
        @classmethod
        def validate_config(cls, value: Any, info: Any) -> Any:
            return _known(LlmFactory, "LLM", value, info)

    class _ASEmbedderConfig(EmbedderConfig):  # type: ignore[misc, valid-type]
        @field_validator("config")
        @classmethod
        def validate_config(cls, value: Any, info: Any) -> Any:
            return _known(EmbedderFactory, "Embedder", value, info)

    return _ASLlmConfig, _ASEmbedderConfig


def _known(factory: Any, what: str, value: Any, info: Any) -> Any:
    provider = info.data.get("provider")
    if provider in factory.provider_to_class:
        return value
    raise ValueError(f"Unsupported {what} provider: {provider}")


def _text(msg: Msg) -> str:
    return msg.get_text_content() or str(msg.content)


class Mem0LongTermMemory(LongTermMemoryBase):
    """Long-term memory on mem0 (AgentScope 1.x ``Mem0LongTermMemory``).

    Args:
        agent_name, user_name, run_name: The scope of the memories (at least one).
        model, embedding_model: The agent's models, used by mem0 (both required without
            ``mem0_config``; with it, each overrides mem0's own).
        vector_store_config: mem0's vector store (default: Qdrant with ``on_disk=True``;
            pass ``on_disk=False`` for an in-memory one).
        mem0_config: A whole mem0 ``MemoryConfig``.
        default_memory_type: mem0's ``memory_type`` for ``record`` (None: semantic).
        suppress_mem0_logging: Quiet mem0's loggers (default True).
    """

    def __init__(
        self,
        agent_name: str | None = None,
        user_name: str | None = None,
        run_name: str | None = None,
        model: Any = None,
        embedding_model: Any = None,
        vector_store_config: Any = None,
        mem0_config: Any = None,
        default_memory_type: str | None = None,
        suppress_mem0_logging: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if suppress_mem0_logging:
            for name in ("mem0", "mem0.memory", "mem0.memory.main"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
        llm_config, embedder_config = _register_providers()
        if agent_name is None and user_name is None and run_name is None:
            raise ValueError("at least one of agent_name, user_name, and run_name is required")
        self.agent_id = agent_name
        self.user_id = user_name
        self.run_id = run_name
        import mem0
        from mem0.configs.base import MemoryConfig
        from mem0.vector_stores.configs import VectorStoreConfig

        if mem0_config is None:
            if model is None or embedding_model is None:
                raise ValueError(
                    "model and embedding_model are required if mem0_config is not provided"
                )
            mem0_config = MemoryConfig(
                llm=llm_config(provider="agentscope", config={"model": model}),
                embedder=embedder_config(provider="agentscope", config={"model": embedding_model}),
            )
            mem0_config.vector_store = vector_store_config or VectorStoreConfig(
                config={"on_disk": kwargs.get("on_disk", True)}
            )
        else:
            if model is not None:
                mem0_config.llm = llm_config(provider="agentscope", config={"model": model})
            if embedding_model is not None:
                mem0_config.embedder = embedder_config(
                    provider="agentscope", config={"model": embedding_model}
                )
            if vector_store_config is not None:
                mem0_config.vector_store = vector_store_config
        self.long_term_working_memory = mem0.AsyncMemory(mem0_config)
        self.default_memory_type = default_memory_type

    # ------------------------------------------------------------------ mem0 calls
    def _scope(self) -> dict[str, Any]:
        return {"agent_id": self.agent_id, "user_id": self.user_id, "run_id": self.run_id}

    async def _mem0_record(
        self,
        messages: str | list[dict[str, Any]],
        memory_type: str | None = None,
        infer: bool = True,
        **kwargs: Any,
    ) -> Any:
        return await self.long_term_working_memory.add(
            messages=messages,
            **self._scope(),
            memory_type=memory_type if memory_type is not None else self.default_memory_type,
            infer=infer,
            **kwargs,
        )

    async def _search(self, queries: list[str], limit: int, *, via: str) -> list[str]:
        results = await asyncio.gather(
            *(
                self.long_term_working_memory.search(query=q, **self._scope(), limit=limit)
                for q in queries
            )
        )
        lines: list[str] = []
        for query, result in zip(queries, results, strict=True):
            if not result:
                continue
            items = result.get("results", [])
            _emit(query, [_hit(i) for i in items], via=via, agent=self.agent_id or "")
            lines.extend(item["memory"] for item in items)
            lines.extend(_relations(result))
        return lines

    # ------------------------------------------------------------------ AgentScope API
    async def record_to_memory(self, thinking: str, content: list[str], **kwargs: Any) -> Any:
        """Use this function to record important information that you may need later. The
        target content should be specific and concise, e.g. who, when, where, do what, why,
        how, etc.

        Args:
            thinking (str): Your thinking and reasoning about what to record.
            content (list[str]): The content to remember, which is a list of strings.
        """
        items = [content] if isinstance(content, str) else list(content)
        text = "\n".join(([thinking] if thinking else []) + items)
        try:
            # mem0 infers memories from user messages; then (with agent_id) from assistant
            # ones; last, the text is stored as it is (infer=False).
            results = await self._mem0_record(
                [{"role": "user", "content": text, "name": "user"}], **kwargs
            )
            as_assistant = [{"role": "assistant", "content": text, "name": "assistant"}]
            if _empty(results):
                results = await self._mem0_record(as_assistant, **kwargs)
            if _empty(results):
                results = await self._mem0_record(as_assistant, infer=False, **kwargs)
        except Exception as exc:  # mem0 and its stores raise many kinds
            return _tool_response(f"Error recording memory: {_one_line(exc)}")
        return _tool_response(f"Successfully recorded content to memory {results}")

    async def retrieve_from_memory(self, keywords: list[str], limit: int = 5, **kwargs: Any) -> Any:
        """Retrieve the memory based on the given keywords.

        Args:
            keywords (list[str]): Short, targeted search phrases (a person's name, a date, a
                place, ...); each is an independent query against the memory.
            limit (int): The most memories to retrieve per keyword, default 5.
        """
        queries = [keywords] if isinstance(keywords, str) else list(keywords)
        try:
            lines = await self._search(queries, limit, via="tool")
        except Exception as exc:  # mem0 and its stores raise many kinds
            return _tool_response(f"Error retrieving memory: {_one_line(exc)}")
        return _tool_response("\n".join(lines))

    async def record(
        self,
        msgs: Msg | list[Msg | None] | None,
        memory_type: str | None = None,
        infer: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Record the messages' text (as one assistant message) to mem0."""
        msg_list = [m for m in ([msgs] if isinstance(msgs, Msg) else list(msgs or [])) if m]
        if not all(isinstance(m, Msg) for m in msg_list):
            raise TypeError("The input messages must be a list of Msg objects.")
        messages = [
            {
                "role": "assistant",
                "content": "\n".join(_text(m) for m in msg_list),
                "name": "assistant",
            }
        ]
        return await self._mem0_record(messages, memory_type=memory_type, infer=infer, **kwargs)

    async def retrieve(self, msg: Msg | list[Msg] | None, limit: int = 5, **kwargs: Any) -> str:
        """The memories about each message's text, one a line ("" if none)."""
        if msg is None:
            return ""
        msgs = [msg] if isinstance(msg, Msg) else msg
        if not isinstance(msgs, list) or not all(isinstance(m, Msg) for m in msgs):
            raise TypeError("The input message must be a Msg or a list of Msg objects.")
        return "\n".join(await self._search([_text(m) for m in msgs], limit, via="reply"))

    async def to_rows(self, query: str = "", *, limit: int = 20) -> list[dict[str, Any]]:
        """mem0's memories in this scope (``get_all``), or the best matches of ``query``."""
        if query:
            result = await self.long_term_working_memory.search(
                query=query, **self._scope(), limit=limit
            )
        else:
            result = await self.long_term_working_memory.get_all(**self._scope(), limit=limit)
        return [_hit(item) for item in (result or {}).get("results", [])]

    def __repr__(self) -> str:
        scope = ", ".join(f"{k}={v!r}" for k, v in self._scope().items() if v is not None)
        return f"Mem0LongTermMemory({scope})"


def _empty(results: Any) -> bool:
    return isinstance(results, dict) and "results" in results and not results["results"]


def _relations(result: dict[str, Any]) -> list[str]:
    return [
        f"{r['source']} -- {r['relationship']} -- {r['destination']}"
        for r in result.get("relations", [])
    ]


def _hit(item: dict[str, Any]) -> dict[str, Any]:
    """A mem0 result item as a row (``id``, ``text``, ``agent``, ``kind``, ``score``)."""
    metadata = item.get("metadata") or {}
    return {
        "id": item.get("id", ""),
        "text": item.get("memory", ""),
        "agent": item.get("agent_id") or metadata.get("agent_id") or "",
        "kind": item.get("memory_type") or metadata.get("memory_type") or "",
        "score": item.get("score"),
    }
