"""16 agents replying in parallel (fanout) are 16 runs written to one store: nothing lost."""

from __future__ import annotations

import asyncio

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.pipeline import fanout_pipeline
from ascope_nb.store import RunStore
from ascope_nb.testing import FunctionModel, tool_call
from ascope_nb.tool import Toolkit


async def pause(seconds: float) -> str:
    """Wait.

    Args:
        seconds: How long.
    """
    await asyncio.sleep(seconds)
    return "waited"


async def test_sixteen_parallel_runs_into_one_store(tmp_path) -> None:
    store = RunStore(tmp_path / "runs.sqlite").attach()
    try:
        agents = []
        for i in range(16):
            toolkit = Toolkit()
            toolkit.register_tool_function(pause)

            def reply(messages, tools, i=i):
                if len(messages) < 3:
                    return [f"agent {i} thinking ", tool_call("pause", seconds=0.05)]
                return f"agent {i} done"

            agent = ReActAgent(
                name=f"a{i}",
                sys_prompt="s",
                model=FunctionModel(reply, stream=True),
                formatter=OpenAIChatFormatter(),
                toolkit=toolkit,
            )
            agent.set_console_output_enabled(False)
            seen: list = []
            agent.subscribe(seen.append)
            agents.append((agent, seen))
        replies = await fanout_pipeline([a for a, _ in agents], Msg("user", "go", "user"))
        assert [r.get_text_content() for r in replies] == [f"agent {i} done" for i in range(16)]
        await store.aflush()
        assert store.degraded is None
        frame = store.runs()
        assert len(frame) == 16 and set(frame.status) == {"completed"}
        for _agent, seen in agents:
            run_ids = {e.run_id for e in seen}
            assert len(run_ids) == 1
            stored = store.events(run_ids.pop())
            assert [e.to_dict() for e in stored] == [e.to_dict() for e in seen]
        assert store.integrity_check() == "ok"
    finally:
        store.close()
