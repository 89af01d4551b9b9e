"""ReActAgent's knowledge and long-term memory, as in AgentScope 1.x.

Before reasoning, a reply retrieves from the knowledge bases (the user's text is the query;
with ``enable_rewrite_query`` the model first rewrites it, as a structured output, into a
specific and concise one) and, in ``static_control``/``both`` mode, from the long-term memory; what is found joins the
working memory as a user message and is emitted as a ``KnowledgeRetrieved`` event. After the
reply, ``static_control`` records the conversation. ``agent_control``/``both`` give the model
the ``record_to_memory`` and ``retrieve_from_memory`` tools.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import BaseModel, Field

from ..exceptions import ConfigError
from ..message import Msg

logger = logging.getLogger(__name__)

MODES = ("agent_control", "static_control", "both")
KNOWLEDGE_OPEN = (
    "<retrieved_knowledge>Use the following content from the knowledge base(s) if it's helpful:\n"
)
KNOWLEDGE_CLOSE = "</retrieved_knowledge>"
REWRITE_HINT = (
    "<system-hint>Before the knowledge base is searched, rewrite the user's last query above "
    "as one specific, self-contained and concise search query: resolve pronouns and relative "
    "dates from the conversation (e.g. 'what did he say yesterday' becomes 'what did Tom say "
    "on 2024-05-06' when today is 2024-05-07).</system-hint>"
)


class QueryRewrite(BaseModel):
    """The structured answer of the query rewriting call."""

    rewritten_query: str = Field(
        description="The query for the knowledge base search: specific and concise."
    )


def setup_knowledge(agent: Any, long_term_memory: Any, mode: str, knowledge: Any) -> None:
    """Validate and attach the options; register the memory tools for ``agent_control``."""
    if mode not in MODES:
        raise ConfigError(f"long_term_memory_mode must be one of {', '.join(MODES)}, got {mode!r}")
    agent.long_term_memory = long_term_memory
    agent.long_term_memory_mode = mode
    agent._static_control = long_term_memory is not None and mode in ("static_control", "both")
    agent._agent_control = long_term_memory is not None and mode in ("agent_control", "both")
    if long_term_memory is not None and not getattr(long_term_memory, "agent_name", "x"):
        long_term_memory.agent_name = agent.name
    if agent._agent_control:
        agent.toolkit.register_tool_function(long_term_memory.record_to_memory)
        agent.toolkit.register_tool_function(long_term_memory.retrieve_from_memory)
    if knowledge is None:
        knowledge = []
    elif not isinstance(knowledge, (list, tuple)):
        knowledge = [knowledge]
    for kb in knowledge:
        if not callable(getattr(kb, "retrieve", None)):
            raise ConfigError(f"knowledge must be KnowledgeBase objects, got {type(kb).__name__}")
    agent.knowledge = list(knowledge)


def _query(msg: Msg | list[Msg] | None) -> str:
    msgs = [msg] if isinstance(msg, Msg) else list(msg or [])
    return "\n".join(t for m in msgs if (t := m.get_text_content() or ""))


async def retrieve_before_reply(agent: Any, msg: Msg | list[Msg] | None) -> None:
    """Add what the long-term memory and the knowledge bases hold about ``msg``."""
    query = _query(msg)
    if not query:
        return
    if agent._static_control:
        found = await agent.long_term_memory.retrieve(msg)
        if found:
            await agent.memory.add(
                Msg(
                    "long_term_memory",
                    "<long_term_memory>The content below are retrieved from long-term memory, "
                    f"which maybe useful:\n{found}</long_term_memory>",
                    "user",
                )
            )
    if not agent.knowledge:
        return
    from ..rag._knowledge import emit_retrieval

    original = query
    if agent.enable_rewrite_query:
        query = await rewrite_query(agent, query)
    docs = []
    for kb in agent.knowledge:
        docs.extend(await kb.retrieve(query=query))
    docs.sort(key=lambda d: d.score or 0.0, reverse=True)
    emit_retrieval(
        query,
        docs,
        via="reply",
        agent=agent.name,
        original_query=original if query != original else "",
    )
    if docs:
        blocks: list[Any] = [
            {"type": "text", "text": KNOWLEDGE_OPEN},
            *[dict(d.metadata.content) for d in docs],
            {"type": "text", "text": KNOWLEDGE_CLOSE},
        ]
        await agent.memory.add(Msg("user", blocks, "user"))


async def rewrite_query(agent: Any, query: str) -> str:
    """The model's rewrite of ``query`` for retrieval, or ``query`` when the model gives none
    or fails (one warning line; the reply goes on). The call is not kept in memory."""
    from ._compression import COMPRESSED_MARK

    compressed = agent.compression_config is not None and agent.compression_config.enable
    history = await agent.memory.get_memory(exclude_mark=COMPRESSED_MARK if compressed else None)
    prompt = await agent.formatter.format(
        [agent._system_msg(), *history, Msg("user", REWRITE_HINT, "user")]
    )
    try:
        response = await agent.model(prompt, structured_model=QueryRewrite)
        if not hasattr(response, "metadata"):  # a stream: its last chunk is the whole answer
            async for chunk in response:
                last = chunk
            response = last
        rewritten = str((response.metadata or {}).get("rewritten_query") or "").strip()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.warning("%s: query not rewritten (%s: %s)", agent.name, type(exc).__name__, exc)
        return query
    return rewritten or query


async def record_after_reply(agent: Any) -> None:
    """``static_control``: remember the conversation (compressed messages excluded)."""
    if not agent._static_control:
        return
    from ._compression import COMPRESSED_MARK

    await agent.long_term_memory.record(await agent.memory.get_memory(exclude_mark=COMPRESSED_MARK))
