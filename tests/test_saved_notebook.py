"""A notebook run top to bottom and saved keeps each finished run as a kernel-free transcript
in the output of the cell that started it (what GitHub, nbviewer and a reopened notebook show)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

RUN_MIME = "application/vnd.ascope.run+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_ask_cell_output_is_the_transcript_after_run_all(tmp_path) -> None:
    cells = [
        "%load_ext ascope_nb\nfrom ascope_nb.testing import ScriptedModel, tool_call\n"
        "model = ScriptedModel([[tool_call('execute_python_code', code='print(6*7)')], 'It printed 42.'], token_delay=0.01)",
        "%%agent Friday --model model --tools execute_python_code\nYou are Friday.",
        "%%ask Friday\nCompute 6*7 with Python.",
        "run = _\nreply = await run\nprint(run.status, reply.get_text_content())",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    ask_outputs = nb.cells[2].outputs
    bundles = [o["data"] for o in ask_outputs if "data" in o]
    transcript = [b for b in bundles if RUN_MIME in b]
    assert len(transcript) == 1, bundles
    assert WIDGET_MIME not in transcript[0]  # a dead widget would hide the transcript
    events = transcript[0][RUN_MIME]["events"]
    assert events[0]["kind"] == "run_started" and events[-1]["kind"] == "run_ended"
    assert "It printed 42." in transcript[0]["text/html"]
    assert "execute_python_code" in transcript[0]["text/html"]
    assert nb.cells[3].outputs[0]["text"].strip() == "completed It printed 42."


async def test_ended_runs_and_memory_tables_display_kernel_free() -> None:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.message import Msg
    from ascope_nb.testing import ScriptedModel
    from ascope_nb.views import MemoryView, RunView

    agent = ReActAgent(
        name="Friday",
        sys_prompt="s",
        model=ScriptedModel(["Hi there."]),
        formatter=OpenAIChatFormatter(),
    )
    agent.set_console_output_enabled(False)
    events = [e async for e in agent.stream(Msg("user", "hello", "user"))]
    run_bundle, _ = RunView.from_events(events)._repr_mimebundle_()
    assert set(run_bundle) == {RUN_MIME, "text/html", "text/plain"}
    memory_bundle, _ = MemoryView(agent.memory)._repr_mimebundle_()
    assert WIDGET_MIME not in memory_bundle and "Hi there." in memory_bundle["text/html"]
