"""ReMe long-term memories (AgentScope 1.0.21's ``ReMePersonalLongTermMemory`` and
``ReMeTaskLongTermMemory``) on the ``reme-ai`` library's ``ReMeApp`` (Python 3.12+).

The app is configured from the agent's chat model and embedding model (DashScope or any
OpenAI-compatible endpoint) and must be started: ``async with memory: ...``. The tools
``record_to_memory`` / ``retrieve_from_memory`` (``long_term_memory_mode="agent_control"``)
and ``record`` / ``retrieve`` (``"static_control"``) call ReMe's flows for the user's
workspace; a failing call comes back to the agent as a tool result, not an exception.

Example:
    >>> memory = ReMePersonalLongTermMemory(agent_name="Friday", user_name="ada",
    ...     model=model, embedding_model=embedding)  # doctest: +SKIP
    >>> async with memory:  # doctest: +SKIP
    ...     await agent(Msg("ada", "I like Longjing tea", "user"))
"""

from __future__ import annotations

from typing import Any

from ..message import Msg
from ._long_term import LongTermMemoryBase

INSTALL_HINT = "ReMe long-term memory needs reme-ai (Python 3.12+): pip install reme-ai"
DASHSCOPE_BASE = "https://dashscope.aliyuncs.com/compatible-mode/v1"


def _endpoint(obj: Any, dashscope_cls: type, openai_cls: type, what: str) -> tuple[str, str]:
    """(api base, api key) of a DashScope or OpenAI-compatible model/embedding."""
    if isinstance(obj, dashscope_cls):
        return DASHSCOPE_BASE, str(getattr(obj, "api_key", "") or "")
    if isinstance(obj, openai_cls):
        client = getattr(obj, "client", None)
        return str(getattr(client, "base_url", "")), str(getattr(client, "api_key", ""))
    raise ValueError(
        f"{what} must be a DashScope or OpenAI-compatible instance, got {type(obj).__name__}"
    )


def _as_msg_list(msgs: Msg | list[Msg | None] | None) -> list[Msg | None]:
    """``record``'s input as a list (one ``Msg`` is accepted too)."""
    if msgs is None:
        return []
    return [msgs] if isinstance(msgs, Msg) else list(msgs)


def _tool_response(text: str) -> Any:
    from ..tool import ToolResponse

    return ToolResponse(content=[{"type": "text", "text": text}])


class ReMeLongTermMemoryBase(LongTermMemoryBase):
    """What the ReMe memories share: the app, its start/stop, the workspace (the user)."""

    summary_flow = ""
    retrieve_flow = ""
    record_error = "Error recording memory"
    nothing_found = "No memories found"

    def __init__(
        self,
        agent_name: str | None = None,
        user_name: str | None = None,
        run_name: str | None = None,
        model: Any = None,
        embedding_model: Any = None,
        reme_config_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        from ..embedding import DashScopeTextEmbedding, OpenAITextEmbedding
        from ..model import DashScopeChatModel, OpenAIChatModel

        super().__init__()
        self.agent_name = agent_name
        self.workspace_id = user_name
        self.run_name = run_name
        llm_base, llm_key = _endpoint(model, DashScopeChatModel, OpenAIChatModel, "model")
        emb_base, emb_key = _endpoint(
            embedding_model, DashScopeTextEmbedding, OpenAITextEmbedding, "embedding_model"
        )
        overrides = []
        if getattr(model, "model_name", None):
            overrides.append(f"llm.default.model_name={model.model_name}")
        if getattr(embedding_model, "model_name", None):
            overrides.append(f"embedding_model.default.model_name={embedding_model.model_name}")
        dims = getattr(embedding_model, "dimensions", None)
        overrides.append(f'embedding_model.default.params={{"dimensions": {dims}}}')
        try:
            import reme_ai
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        self.app = reme_ai.ReMeApp(
            *overrides,
            llm_api_key=llm_key,
            llm_api_base=llm_base,
            embedding_api_key=emb_key,
            embedding_api_base=emb_base,
            config_path=reme_config_path,
            **kwargs,
        )
        self._app_started = False

    async def __aenter__(self) -> ReMeLongTermMemoryBase:
        await self.app.__aenter__()
        self._app_started = True
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self.app.__aexit__(*exc)
        finally:
            self._app_started = False

    def _check_started(self) -> None:
        if not self._app_started:
            raise RuntimeError(
                f"{type(self).__name__}: ReMeApp context not started; use "
                "`async with memory:` around the agent's work"
            )

    async def _summarise(self, messages: list[dict[str, Any]]) -> Any:
        return await self.app.async_execute(
            name=self.summary_flow,
            workspace_id=self.workspace_id,
            trajectories=[{"messages": messages, "score": 1.0}],
        )

    async def _ask(self, query: str, limit: int) -> str:
        result = await self.app.async_execute(
            name=self.retrieve_flow, workspace_id=self.workspace_id, query=query, top_k=limit
        )
        return str((result or {}).get("answer", "") or "") if isinstance(result, dict) else ""

    # ------------------------------------------------------------------ agent_control tools
    async def record_to_memory(self, thinking: str, content: list[str], **kwargs: Any) -> Any:
        """Record ``content`` (facts about the user, steps of a task) for later turns.

        Args:
            thinking: Why these are worth remembering.
            content: The things to remember, one per item.
        """
        self._check_started()
        try:
            messages = [{"role": "user", "content": item} for item in content]
            if thinking:
                messages.insert(0, {"role": "assistant", "content": thinking})
            result = await self._summarise(messages)
        except Exception as exc:  # the agent sees it as a tool result
            return _tool_response(f"{self.record_error}: {exc}")
        stored = ((result or {}).get("metadata") or {}).get("memory_list") if result else None
        count = len(stored) if isinstance(stored, list) and stored else len(content)
        return _tool_response(f"Successfully recorded {count} memory item(s).")

    async def retrieve_from_memory(self, keywords: list[str], limit: int = 5, **kwargs: Any) -> Any:
        """Look up what was remembered about each keyword.

        Args:
            keywords: Short phrases to search for (a person, a place, a task).
            limit: The most memories per keyword.
        """
        self._check_started()
        parts = []
        try:
            for keyword in keywords:
                answer = await self._ask(keyword, limit)
                if answer:
                    parts.append(f"Keyword '{keyword}':\n{answer}")
        except Exception as exc:
            return _tool_response(f"Error retrieving memory: {exc}")
        if not parts:
            return _tool_response(f"{self.nothing_found} for {', '.join(map(repr, keywords))}.")
        return _tool_response("\n\n".join(parts))

    # ------------------------------------------------------------------ static_control
    async def record(self, msgs: Msg | list[Msg | None] | None, **kwargs: Any) -> None:
        """Record a conversation (None items are skipped; nothing to record: no call)."""
        self._check_started()
        kept = [m for m in _as_msg_list(msgs) if m is not None]
        messages = [
            {"role": m.role, "content": m.get_text_content() or ""}
            for m in kept
            if m.get_text_content()
        ]
        if messages:
            await self._summarise(messages)

    async def retrieve(self, msg: Msg | list[Msg] | None, limit: int = 5, **kwargs: Any) -> str:
        """What is remembered about the (last) message's text ("" for None)."""
        if msg is None:
            return ""
        if isinstance(msg, Msg):
            msgs = [msg]
        elif isinstance(msg, list) and all(isinstance(m, Msg) for m in msg):
            msgs = msg
        else:
            raise TypeError(
                f"{type(self).__name__}.retrieve: msg must be a Msg or a list of Msg, "
                f"got {type(msg).__name__}"
            )
        self._check_started()
        if not msgs:
            return ""
        return await self._ask(msgs[-1].get_text_content() or "", limit)


class ReMePersonalLongTermMemory(ReMeLongTermMemoryBase):
    """What the user told the agent about themselves (preferences, facts), per user."""

    summary_flow = "summary_personal_memory"
    retrieve_flow = "retrieve_personal_memory"


class ReMeTaskLongTermMemory(ReMeLongTermMemoryBase):
    """Experience from earlier tasks (what worked, what failed), per workspace."""

    summary_flow = "summary_task_memory"
    retrieve_flow = "retrieve_task_memory"
    record_error = "Error recording task memory"
    nothing_found = "No task experiences found"


class ReMeToolLongTermMemory(ReMeLongTermMemoryBase):
    """Guidelines for using tools, learnt from recorded tool-call results (JSON objects with
    ``create_time``, ``tool_name``, ``input``, ``output``, ``token_cost``, ``success``,
    ``time_cost``); retrieved by tool name."""

    summary_flow = "summary_tool_memory"
    retrieve_flow = "retrieve_tool_memory"
    record_error = "Error recording tool memory"
    nothing_found = "No tool guidelines found"

    @staticmethod
    def _results(items: list[str]) -> list[dict[str, Any]]:
        import json

        results = []
        for item in items:
            try:
                value = json.loads(item)
            except (TypeError, ValueError):
                continue
            if isinstance(value, dict) and value.get("tool_name"):
                results.append(value)
        return results

    async def _add(self, results: list[dict[str, Any]]) -> None:
        await self.app.async_execute(
            name="add_tool_call_result", workspace_id=self.workspace_id, tool_call_results=results
        )
        names = ",".join(dict.fromkeys(str(r["tool_name"]) for r in results))
        await self.app.async_execute(
            name=self.summary_flow, workspace_id=self.workspace_id, tool_names=names
        )

    async def _ask(self, query: str, limit: int) -> str:
        result = await self.app.async_execute(
            name=self.retrieve_flow, workspace_id=self.workspace_id, tool_names=query
        )
        return str((result or {}).get("answer", "") or "") if isinstance(result, dict) else ""

    async def record_to_memory(self, thinking: str, content: list[str], **kwargs: Any) -> Any:
        """Record tool-call results (each a JSON object) so later calls use the tool better.

        Args:
            thinking: Why these results are worth learning from.
            content: One JSON object per tool call (tool_name, input, output, success, ...).
        """
        self._check_started()
        results = self._results(content)
        if not results:
            return _tool_response("No valid tool call results to record.")
        try:
            await self._add(results)
        except Exception as exc:
            return _tool_response(f"{self.record_error}: {exc}")
        return _tool_response(f"Successfully recorded {len(results)} tool execution result(s).")

    async def retrieve_from_memory(self, keywords: list[str], limit: int = 5, **kwargs: Any) -> Any:
        """The usage guidelines learnt for these tools.

        Args:
            keywords: Tool names.
            limit: Unused (one answer per call).
        """
        self._check_started()
        try:
            answer = await self._ask(",".join(keywords), limit)
        except Exception as exc:
            return _tool_response(f"Error retrieving tool memory: {exc}")
        if not answer:
            return _tool_response(f"{self.nothing_found} for {', '.join(keywords)}.")
        return _tool_response(answer)

    async def record(self, msgs: Msg | list[Msg | None] | None, **kwargs: Any) -> None:
        """Record the tool-call results found in the messages' text (JSON objects)."""
        self._check_started()
        texts = [m.get_text_content() or "" for m in _as_msg_list(msgs) if m is not None]
        results = self._results(texts)
        if results:
            await self._add(results)
