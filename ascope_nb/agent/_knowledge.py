"""ReActAgent's knowledge and long-term memory, as in AgentScope 1.x.

Before reasoning, a reply retrieves from the knowledge bases (the user's text is the query)
and, in ``static_control``/``both`` mode, from the long-term memory; what is found joins the
working memory as a user message and is emitted as a ``KnowledgeRetrieved`` event. After the
reply, ``static_control`` records the conversation. ``agent_control``/``both`` give the model
the ``record_to_memory`` and ``retrieve_from_memory`` tools.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ..message import Msg

MODES = ("agent_control", "static_control", "both")
KNOWLEDGE_OPEN = (
    "<retrieved_knowledge>Use the following content from the knowledge base(s) if it's helpful:\n"
)
KNOWLEDGE_CLOSE = "</retrieved_knowledge>"


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

    docs = []
    for kb in agent.knowledge:
        docs.extend(await kb.retrieve(query=query))
    docs.sort(key=lambda d: d.score or 0.0, reverse=True)
    emit_retrieval(query, docs, via="reply", agent=agent.name)
    if docs:
        blocks: list[Any] = [
            {"type": "text", "text": KNOWLEDGE_OPEN},
            *[dict(d.metadata.content) for d in docs],
            {"type": "text", "text": KNOWLEDGE_CLOSE},
        ]
        await agent.memory.add(Msg("user", blocks, "user"))


async def record_after_reply(agent: Any) -> None:
    """``static_control``: remember the conversation (compressed messages excluded)."""
    if not agent._static_control:
        return
    from ._compression import COMPRESSED_MARK

    await agent.long_term_memory.record(await agent.memory.get_memory(exclude_mark=COMPRESSED_MARK))
