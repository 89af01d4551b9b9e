"""``%knowledge memory --agent NAME``: any agent's long-term memory as a table.

Works for every ``LongTermMemoryBase`` through its ``to_rows`` (``LocalLongTermMemory``
and ``Mem0LongTermMemory`` list their memories; the others answer a query through
``retrieve``). A memory that cannot list, or a backend that fails, is one line.

Example:
    >>> await long_term_table(agent.long_term_memory, "tea", owner="Friday")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..exceptions import AscopeError, ConfigError
from ._result_table import ResultTable


def long_term_memory_of(namespace: dict[str, Any], name: str) -> Any:
    """The long-term memory of the agent ``name`` in ``namespace`` (or ``name`` itself when
    it is a long-term memory); one line when there is none."""
    from ..memory import LongTermMemoryBase

    if name not in namespace:
        raise ConfigError(f"%knowledge memory: no agent or long-term memory named {name!r}")
    value = namespace[name]
    if isinstance(value, LongTermMemoryBase):
        return value
    memory = getattr(value, "long_term_memory", None)
    if memory is None:
        raise ConfigError(f"%knowledge memory: {name!r} has no long-term memory")
    if not isinstance(memory, LongTermMemoryBase):
        raise ConfigError(
            f"%knowledge memory: {name!r}'s long_term_memory is a {type(memory).__name__}, "
            "not a LongTermMemoryBase"
        )
    return memory


async def long_term_table(memory: Any, query: str = "", *, owner: str, limit: int = 20) -> Any:
    """``memory``'s rows (all, or the best for ``query``) as a ``ResultTable``."""

    kind = type(memory).__name__
    try:
        rows = await memory.to_rows(query, limit=limit)
    except AscopeError:
        raise
    except Exception as exc:  # the backend's own errors: one line
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(
            f"%knowledge memory: the long-term memory of {owner!r} ({kind}) failed: {detail}"
        ) from None
    if query:
        cells = [[_score(r.get("score")), r.get("agent", ""), r.get("text", "")] for r in rows]
        return ResultTable(
            f"long-term memory of {owner} ({kind}): {query}", ["score", "agent", "text"], cells
        )
    cells = [[r.get("agent", ""), r.get("kind", ""), r.get("text", "")] for r in rows]
    return ResultTable(
        f"long-term memory of {owner} ({kind}, {len(rows)} entries)",
        ["agent", "kind", "text"],
        cells,
    )


def _score(score: Any) -> str:
    return f"{score:.3f}" if isinstance(score, (int, float)) else ""
