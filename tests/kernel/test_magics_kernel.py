"""The magics in a real kernel, steered by the comm messages a browser's buttons send."""

from __future__ import annotations

import pytest
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

SLOW_TOOL = """
started_{tag} = asyncio.Event()
gate_{tag} = asyncio.Event()

async def slow_{tag}(seconds: float) -> ToolResponse:
    \"\"\"Wait a while.

    Args:
        seconds: How long.
    \"\"\"
    started_{tag}.set()
    await asyncio.wait_for(gate_{tag}.wait(), seconds)
    return ToolResponse(content=[{{"type": "text", "text": "slept"}}])
"""


def _one_usage_line(ex) -> str:  # type: ignore[no-untyped-def]
    """The cell failed with exactly one line on stderr and no traceback."""
    assert ex.status == "error"
    assert ex.errors == [], "a traceback was shown"
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1, ex.stderr
    assert "Traceback" not in ex.stderr
    return lines[0]


def test_agent_and_ask_magics_make_an_agent_and_a_run(kernel: KernelDriver) -> None:
    kernel.ok('m1 = ScriptedModel(["Hello from Friday"]); topic = "the weather"')
    ex = kernel.ok("%%agent Friday --model m1 --max-iters 3\nYou are Friday; talk about {topic}.")
    card = ex.outputs[0]["text/plain"]
    assert card.startswith("ReActAgent 'Friday'") and "max_iters 3" in card
    agent = kernel.ok(
        "json.dumps([type(Friday).__name__, Friday.model is m1, Friday.sys_prompt, Friday.max_iters])"
    ).value()
    assert agent == ["ReActAgent", True, "You are Friday; talk about the weather.", 3]

    ex = kernel.ok("%%ask Friday --out run1\nTell me about {topic}.")
    assert ex.result is None, "one output per cell: the live view, no stale Run(...) line"
    run_view = ex.widget_comm("pending_approvals")  # the live RunView was opened
    assert run_view
    views = [o for o in ex.outputs if "application/vnd.jupyter.widget-view+json" in o]
    assert len(views) == 1, "the live view is shown once, not twice"

    got = kernel.ok(
        "same = _ is run1\nreply = await run1\n"
        "json.dumps([same, run1.status, reply.get_text_content(), m1.calls[0].text()])"
    ).value()
    assert got[:3] == [True, "completed", "Hello from Friday"]
    assert "Tell me about the weather." in got[3] and "You are Friday" in got[3]

    kernel.click(run_view, {"cmd": "feedback", "label": "up", "comment": "nice"})
    feedback = kernel.ok(
        "json.dumps([(e.label, e.comment) for e in run1.events if e.kind == 'feedback'])"
    ).value()
    assert feedback == [["up", "nice"]]


def test_stop_click_interrupts_a_live_run_mid_tool(kernel: KernelDriver) -> None:
    kernel.ok(SLOW_TOOL.format(tag="s"))
    kernel.ok('m2 = ScriptedModel([[tool_call("slow_s", seconds=30)], "never reached"])')
    kernel.ok("%%agent Sleeper --model m2 --tools slow_s\nYou sleep.")
    ex = kernel.ok("%%ask Sleeper --out run2\nSleep, please.")
    comm_id = ex.widget_comm("pending_approvals")
    kernel.ok("await asyncio.wait_for(started_s.wait(), 10)")  # the tool is running

    kernel.click(comm_id, {"cmd": "stop"})
    got = kernel.ok(
        """
reply = await asyncio.wait_for(run2.wait(), 10)
msgs = await Sleeper.memory.get_memory()
uses = [b["id"] for m in msgs for b in m.get_content_blocks("tool_use")]
results = {b["id"]: str(b["output"]) for m in msgs for b in m.get_content_blocks("tool_result")}
json.dumps([run2.status, sorted(uses) == sorted(results), list(results.values()),
            [e.kind for e in run2.events][-1], len(m2.calls)])
""",
        timeout=20,
    ).value()
    status, paired, outputs, last_kind, n_calls = got
    assert status == "interrupted"
    assert paired, "every tool call has its result: the memory is valid"
    assert len(outputs) == 1 and "interrupted" in outputs[0]
    assert last_kind == "run_ended"
    assert n_calls == 1, "the agent did not go on after the stop"


def test_steer_click_reaches_the_next_model_request(kernel: KernelDriver) -> None:
    kernel.ok(SLOW_TOOL.format(tag="g"))
    kernel.ok('m3 = ScriptedModel([[tool_call("slow_g", seconds=30)], "Bien sûr."])')
    kernel.ok("%%agent Guide --model m3 --tools slow_g\nYou answer.")
    ex = kernel.ok("%%ask Guide --out run3\nSay something.")
    comm_id = ex.widget_comm("pending_approvals")
    kernel.ok("await asyncio.wait_for(started_g.wait(), 10)")

    kernel.click(comm_id, {"cmd": "steer", "text": "Answer in French."})
    got = kernel.ok(
        """
gate_g.set()  # shell messages are handled in order: the steer click came first
reply = await asyncio.wait_for(run3.wait(), 10)
hints = [e.text for e in run3.events if e.kind == "hint_injected"]
json.dumps([run3.status, reply.get_text_content(), hints,
            "Answer in French." in m3.calls[0].text(), "Answer in French." in m3.calls[1].text()])
""",
        timeout=20,
    ).value()
    assert got == ["completed", "Bien sûr.", ["Answer in French."], False, True]


def test_approve_and_deny_clicks_decide_tool_calls(kernel: KernelDriver) -> None:
    kernel.ok(
        """
notes = []
def write_note(text: str) -> ToolResponse:
    \"\"\"Write a note.

    Args:
        text: The note.
    \"\"\"
    notes.append(text)
    return ToolResponse(content=[{"type": "text", "text": "noted"}])

m4 = ScriptedModel([
    [tool_call("write_note", text="first", id="c1")],
    [tool_call("write_note", text="second", id="c2")],
    "All done.",
])
"""
    )
    ex = kernel.ok("%%agent Scribe --model m4 --tools write_note --approve write_note\nYou write.")
    assert "approve ['write_note']" in ex.outputs[0]["text/plain"]
    ex = kernel.ok("%%ask Scribe --out run4\nWrite two notes.")
    comm_id = ex.widget_comm("pending_approvals")

    kernel.ok('await until(lambda: "c1" in Scribe.control.pending_approvals)')
    kernel.click(comm_id, {"cmd": "approve", "tool_call_id": "c1", "input": {"text": "edited"}})
    kernel.ok('await until(lambda: "c2" in Scribe.control.pending_approvals)')
    kernel.click(comm_id, {"cmd": "deny", "tool_call_id": "c2", "reason": "enough notes"})
    got = kernel.ok(
        """
reply = await asyncio.wait_for(run4.wait(), 10)
msgs = await Scribe.memory.get_memory()
results = {b["id"]: str(b["output"]) for m in msgs for b in m.get_content_blocks("tool_result")}
resolved = [(e.tool_call_id, e.decision) for e in run4.events if e.kind == "approval_resolved"]
json.dumps([run4.status, reply.get_text_content(), notes, results["c1"], results["c2"],
            resolved, "enough notes" in m4.calls[2].text()])
""",
        timeout=20,
    ).value()
    status, text, notes, r1, r2, resolved, told = got
    assert (status, text, notes) == ("completed", "All done.", ["edited"])
    assert "noted" in r1 and "denied" in r2 and "enough notes" in r2
    assert [tuple(r) for r in resolved] == [("c1", "edited"), ("c2", "denied")]
    assert told, "the model is told why the call was denied"


def test_user_agent_answers_through_the_view_input_box(kernel: KernelDriver) -> None:
    kernel.ok('from ascope_nb.agent import UserAgent\nyou = UserAgent("you")')
    ex = kernel.ok("%%ask you --out run5\nWhat is your name?")
    comm_id = ex.widget_comm("pending_approvals")
    request_id = kernel.ok(
        'await until(lambda: any(e.kind == "input_requested" for e in run5.events))\n'
        'json.dumps([e.request_id for e in run5.events if e.kind == "input_requested"][0])'
    ).value()
    kernel.click(comm_id, {"cmd": "input", "request_id": request_id, "text": "Ada"})
    got = kernel.ok(
        "reply = await asyncio.wait_for(run5.wait(), 10)\n"
        "json.dumps([run5.status, reply.get_text_content(), reply.role])"
    ).value()
    assert got == ["completed", "Ada", "user"]


def test_hub_magic_runs_a_conversation(kernel: KernelDriver) -> None:
    kernel.ok('ma = ScriptedModel(["I am Alice."]); mb = ScriptedModel(["Hi Alice, I am Bob."])')
    kernel.ok("%%agent Alice --model ma\nYou are Alice.")
    kernel.ok("%%agent Bob --model mb\nYou are Bob.")
    ex = kernel.ok('%%hub Alice Bob --announce "Introduce yourselves." --out run6\nIntroductions')
    assert ex.result is None and len(ex.outputs) == 1, "one output: the live view"
    assert kernel.ok("json.dumps(_ is run6)").value() is True
    ex.widget_comm("pending_approvals")
    got = kernel.ok(
        "replies = await asyncio.wait_for(run6.wait(), 10)\n"
        "json.dumps([run6.status, run6.kind, [r.get_text_content() for r in replies],"
        " 'I am Alice.' in mb.calls[0].text(), type(run6.view).__name__])"
    ).value()
    assert got == ["completed", "hub", ["I am Alice.", "Hi Alice, I am Bob."], True, "HubView"]


def test_memory_runs_and_settings_magics(kernel: KernelDriver) -> None:
    kernel.ok('m7 = ScriptedModel(["Noted."])')
    kernel.ok("%%agent Keeper --model m7\nYou keep.")
    kernel.ok("%%ask Keeper --out run7\nRemember this.")
    kernel.ok("await run7")
    ex = kernel.ok("%agent_memory Keeper")
    rows = ex.widget_state(ex.widget_comm("rows"))["rows"]  # a MemoryView was opened
    assert [(r["role"], r["text"]) for r in rows] == [
        ("system", "You keep."),  # the system prompt first
        ("user", "Remember this."),
        ("assistant", "Noted."),
    ]

    ex = kernel.ok("%runs --agent Keeper --limit 1")  # the stored runs, newest first
    assert ex.result is not None
    table = kernel.ok("json.dumps(_.rows[0])").value()
    assert table["title"] == "Keeper" and table["status"] == "completed"

    ex = kernel.ok("%ascope model demo")
    assert ex.stdout.strip() == "default model: demo"
    kernel.ok("%config AgentMagics.default_model = 'ollama:qwen2.5'")
    ex = kernel.ok("%ascope")
    assert ex.stdout.strip() == "model: ollama:qwen2.5"
    ex = kernel.ok("%config AgentMagics.default_model = 'nonsense'")
    assert ex.stderr.count("\n") == 1 and "'nonsense'" in ex.stderr
    assert kernel.ok("%ascope").stdout.strip() == "model: ollama:qwen2.5", "the old value stays"
    kernel.ok("%%agent Local\nYou are local.")
    assert kernel.ok("json.dumps(Local.model.model_name)").value() == "qwen2.5"
    kernel.ok("%ascope model demo")


def test_mistakes_are_one_line_without_traceback(kernel: KernelDriver) -> None:
    line = _one_usage_line(kernel.execute("%%agent Bad --bogus 1\nYou are bad."))
    assert "--bogus" in line and "%%agent" in line
    line = _one_usage_line(kernel.execute("%%ask Nobody\nHello?"))
    assert "'Nobody'" in line
    line = _one_usage_line(kernel.execute("%%chat Nobody\nHello?"))
    assert line.startswith("UsageError: %%chat:") and "'Nobody'" in line
    line = _one_usage_line(kernel.execute("%%ask ScriptedModel\nHello?"))
    assert "not an agent" in line
    line = _one_usage_line(kernel.execute("%%agent Bad --max-iters zero\nYou are bad."))
    assert "--max-iters" in line
    line = _one_usage_line(kernel.execute("%%ask Friday\nHello {undefined_thing}"))
    assert "{undefined_thing}" in line
    line = _one_usage_line(kernel.execute("%%agent Bad --tools no_such_tool\nYou are bad."))
    assert "no_such_tool" in line
    line = _one_usage_line(kernel.execute("%%agent Bad --model dashscope:qwen-max\nYou are bad."))
    assert "DASHSCOPE_API_KEY" in line
    line = _one_usage_line(kernel.execute("%ascope colour blue"))
    assert "colour" in line
    assert kernel.ok("json.dumps('Bad' in globals())").value() is False


def test_underscore_after_asks_names_help_and_suggestions(kernel: KernelDriver) -> None:
    kernel.ok('m10 = ScriptedModel(["One.", "Two."])')
    ex = kernel.ok("%%agent Tenth --model m10\nYou are Tenth. Today is {today}.")
    assert kernel.ok("json.dumps(str(datetime.date.today()) in Tenth.sys_prompt)").value() is True
    ex = kernel.ok("%%ask Tenth\nFirst.")
    assert ex.result is None and len(ex.outputs) == 1
    assert (
        kernel.ok("run10 = _\nreply = await run10\njson.dumps(reply.get_text_content())").value()
        == "One."
    )
    # a failed ask: `_` explains itself instead of a TypeError on `await`
    line = _one_usage_line(kernel.execute("%%ask Tenht\nSecond."))
    assert "did you mean 'Tenth'?" in line
    ex = kernel.execute("run11 = _\nawait run11")
    assert ex.status == "error" and ex.errors[0]["ename"] == "ConfigError"
    assert "no run: the %%ask cell failed" in ex.errors[0]["evalue"]
    # names that would break the session are refused in one line
    for line_ in ("%%agent print", "%%agent get_ipython", "%%agent __builtins__", "%%agent In"):
        assert "choose another" in _one_usage_line(kernel.execute(f"{line_} --model m10\nX."))
    assert "choose another" in _one_usage_line(kernel.execute("%%ask Tenth --out exit\nX."))
    assert kernel.ok("json.dumps([callable(print), callable(get_ipython)])").value() == [True, True]
    assert "did you mean --tools?" in _one_usage_line(
        kernel.execute("%%agent Bad --tols execute_python_code\nX.")
    )
    # --help on every magic: usage on stdout, no error
    for magic in (
        "%%agent --help\nx",
        "%%ask --help\nx",
        "%%chat --help\nx",
        "%%hub --help\nx",
        "%agent_memory --help",
        "%ascope --help",
        "%runs --help",
        "%export --help",
        "%mcp --help",
    ):
        ex = kernel.ok(magic)
        assert "usage" in ex.stdout.lower() or "%ascope" in ex.stdout, (magic, ex.stdout)


def test_stop_click_while_a_cell_awaits_the_run(kernel: KernelDriver) -> None:
    """Run All: the next cell is ``await run`` and holds the shell while the run is live.

    ipykernel 7 dispatches comm messages while an async cell waits, so Stop ends the run
    and the waiting cell. ipykernel 6 queues them behind the cell: the cell's wait times
    out, then the queued Stop is handled (hence DESIGN §4: cells return at once).
    """
    major = kernel.ok("json.dumps(ipykernel.version_info[0])").value()
    kernel.ok(SLOW_TOOL.format(tag="w"))
    kernel.ok('m9 = ScriptedModel([[tool_call("slow_w", seconds=30)], "never reached"])')
    kernel.ok("%%agent Waiter --model m9 --tools slow_w\nYou wait.")
    ex = kernel.ok("%%ask Waiter --out run9\nWait.")
    comm_id = ex.widget_comm("pending_approvals")
    kernel.ok("await asyncio.wait_for(started_w.wait(), 10)")

    waiting = kernel.start_execute(
        "await asyncio.wait_for(run9.wait(), 3)\njson.dumps(run9.status)"
    )
    kernel.click(comm_id, {"cmd": "stop"})
    ex = kernel.finish_execute(waiting, timeout=20)
    if major >= 7:
        assert ex.status == "ok" and ex.value() == "interrupted"
    else:
        assert ex.status == "error" and ex.reply["content"]["ename"] == "TimeoutError"
        assert kernel.ok("await run9\njson.dumps(run9.status)").value() == "interrupted"
