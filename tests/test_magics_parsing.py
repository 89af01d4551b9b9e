"""Magic command lines, ``{var}`` interpolation, model specs, the demo model and the API."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.model import model_from_spec
from ascope_nb.model._default import resolve_model, set_default_model
from ascope_nb.model._demo import DemoModel
from ascope_nb.notebook import _args
from ascope_nb.notebook._api import AgentCard, RunsTable, make_agent
from ascope_nb.notebook._interpolate import UnknownVariableError, interpolate
from ascope_nb.testing import ScriptedModel

# ---------------------------------------------------------------- command lines


def test_agent_line_parses_every_option() -> None:
    args = _args.parse_agent(
        "Friday --model openai:gpt-4o-mini --tools f,g --max-iters 4 --parallel --approve g"
    )
    assert args == _args.AgentArgs(
        name="Friday",
        model="openai:gpt-4o-mini",
        tools=["f", "g"],
        max_iters=4,
        parallel=True,
        approve=["g"],
    )
    assert args.require_approval == ["g"]
    assert _args.parse_agent("A --approve f,all").require_approval == "all"
    assert _args.parse_agent("A").require_approval is None


def test_ask_and_hub_lines() -> None:
    assert _args.parse_ask("Friday --out run") == _args.AskArgs(name="Friday", out="run")
    hub = _args.parse_hub("A B C --announce 'Hello all' --rounds 2 --out r")
    assert hub == _args.HubArgs(names=["A", "B", "C"], announce="Hello all", rounds=2, out="r")
    assert _args.parse_ascope("") == _args.AscopeArgs()
    assert _args.parse_ascope("model openai:gpt-4o") == _args.AscopeArgs("model", "openai:gpt-4o")


@pytest.mark.parametrize(
    ("parse", "line", "needle"),
    [
        (_args.parse_agent, "Friday --bogus", "unrecognized arguments: --bogus"),
        (_args.parse_agent, "Friday --max-iters 0", "--max-iters"),
        (_args.parse_agent, "Friday --max-iters x", "--max-iters"),
        (_args.parse_agent, "", "required: name"),
        (_args.parse_agent, "1abc", "not a valid Python name"),
        (_args.parse_agent, "class", "not a valid Python name"),
        (_args.parse_agent, "A --tools ,", "--tools"),
        (_args.parse_agent, "A --max", "unrecognized"),  # no abbreviations
        (_args.parse_ask, "Friday extra", "unrecognized arguments: extra"),
        (_args.parse_ask, "Friday --out 'not a name'", "--out"),
        (_args.parse_hub, "A --rounds -1", "--rounds"),
        (_args.parse_hub, "A 'unclosed", "cannot parse"),
        (_args.parse_ascope, "colour blue", "unknown setting 'colour'"),
        (_args.parse_ascope, "model a b", "one value"),
    ],
)
def test_bad_lines_are_one_line_errors(parse, line: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(_args.MagicUsageError) as info:
        parse(line)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_help_raises_help_shown_not_system_exit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(_args.HelpShown):
        _args.parse_agent("--help")
    assert "--max-iters" in capsys.readouterr().out


# ---------------------------------------------------------------- interpolation


class _Box:
    value = 42


def test_interpolation_replaces_names_and_attributes_only() -> None:
    ns = {"who": "Ada", "box": _Box()}
    text = 'Hi {who}, {box.value}; {{who}}; json {"a": 1}; set {1, 2}; f"{x!r}"'
    assert interpolate(text, ns) == 'Hi Ada, 42; {who}; json {"a": 1}; set {1, 2}; f"{x!r}"'


@pytest.mark.parametrize(("text", "needle"), [("{nope}", "{nope}"), ("{box.nope}", "'nope'")])
def test_interpolation_errors_name_the_field(text: str, needle: str) -> None:
    with pytest.raises(UnknownVariableError) as info:
        interpolate(text, {"box": _Box()}, where="%%ask")
    assert needle in str(info.value) and str(info.value).startswith("%%ask")


# ---------------------------------------------------------------- models


def test_model_specs() -> None:
    assert isinstance(model_from_spec("demo"), DemoModel)
    ollama = model_from_spec("ollama:qwen2.5")
    assert (type(ollama).__name__, ollama.model_name) == ("OllamaChatModel", "qwen2.5")
    local = model_from_spec("openai:llama", client_kwargs={"base_url": "http://127.0.0.1:9/v1"})
    assert (type(local).__name__, local.model_name) == ("OpenAIChatModel", "llama")
    scripted = ScriptedModel(["x"])
    assert model_from_spec(scripted) is scripted


@pytest.mark.parametrize("spec", ["gpt-4o", "anthropic:claude", "openai:", "demo:x", ""])
def test_bad_model_specs(spec: str) -> None:
    with pytest.raises(ConfigError):
        model_from_spec(spec)


def test_missing_key_fails_when_the_spec_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="DASHSCOPE_API_KEY"):
        set_default_model("dashscope:qwen-max")


def test_resolve_model_from_variables_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASCOPE_MODEL", raising=False)
    scripted = ScriptedModel(["x"])
    ns = {"mine": scripted, "spec": "ollama:qwen3", "number": 3}
    assert resolve_model("mine", ns) is scripted
    assert resolve_model("spec", ns).model_name == "qwen3"
    with pytest.raises(ConfigError, match="not a model"):
        resolve_model("number", ns)
    with pytest.raises(ConfigError, match="no such variable"):
        resolve_model("missing", ns)
    set_default_model(None)
    from ascope_nb.model._spec import builtin_default_spec

    expected = {"local": "LocalModel", "demo": "DemoModel"}[builtin_default_spec()]
    assert type(resolve_model(None, ns)).__name__ == expected  # nothing loads until a call
    set_default_model(scripted)
    try:
        assert resolve_model(None, ns) is scripted
    finally:
        set_default_model(None)


async def test_demo_model_runs_python_blocks_through_the_tool() -> None:
    agent = make_agent(
        "Demo", "You demo.", model=DemoModel(token_delay=0), tools=["execute_python_code"]
    )
    reply = await agent(Msg("user", "Please:\n```python\nprint(6 * 7)\n```", "user"))
    text = reply.get_text_content() or ""
    assert text.startswith("[demo model]") and "42" in text
    msgs = await agent.memory.get_memory()
    uses = [b for m in msgs for b in m.get_content_blocks("tool_use")]
    assert [(u["name"], u["input"]) for u in uses] == [
        ("execute_python_code", {"code": "print(6 * 7)\n"})
    ]


async def test_demo_model_echoes_without_tools_and_streams() -> None:
    model = DemoModel(token_delay=0)
    chunks = [c async for c in await model([{"role": "user", "content": "Hello there"}])]  # type: ignore[union-attr]
    texts = [c.content[0]["text"] for c in chunks]
    assert len(chunks) > 3 and all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))
    assert texts[-1].startswith("[demo model] You said: 'Hello there'")
    tools = [{"type": "function", "function": {"name": "execute_python_code"}}]
    _, calls = model.answer([{"role": "user", "content": "no code here"}], tools)
    assert calls == []


# ---------------------------------------------------------------- API


def test_make_agent_resolves_tools_and_approval() -> None:
    def lookup(city: str) -> str:
        """Look up a city.

        Args:
            city: The city.
        """
        return city

    agent = make_agent(
        "Scout",
        "You scout.",
        model="demo",
        tools=["lookup", "view_text_file"],
        require_approval=["lookup"],
        max_iters=2,
        namespace={"lookup": lookup},
    )
    names = [s["function"]["name"] for s in agent.toolkit.get_json_schemas()]
    assert names == ["lookup", "view_text_file"]
    assert AgentCard(agent).fields() == {
        "class": "ReActAgent",
        "name": "Scout",
        "model": "demo",
        "tools": ["lookup", "view_text_file"],
        "max_iters": 2,
        "approve": ["lookup"],
    }
    with pytest.raises(ConfigError, match="no_such"):
        make_agent("X", model="demo", tools=["no_such"], namespace={})
    with pytest.raises(ConfigError, match="does not have"):
        make_agent("X", model="demo", tools=["view_text_file"], require_approval=["other"])


async def test_runs_table_and_notebook_input_through_a_run() -> None:
    from ascope_nb.agent import UserAgent
    from ascope_nb.notebook._input import NotebookUserInput
    from ascope_nb.run import get_run, start

    user = UserAgent("you")
    user.override_instance_input_method(NotebookUserInput())
    run = start(user, "Your name?")
    assert get_run(run.run_id) is run
    for _ in range(200):
        requests = [e.request_id for e in run.events if e.kind == "input_requested"]
        if requests:
            break
        await asyncio.sleep(0.01)
    run.submit_input(requests[0], "Ada")
    reply = await run
    assert isinstance(reply, Msg) and reply.get_text_content() == "Ada"
    row = RunsTable([run]).rows()[0]
    assert {k: row[k] for k in ("title", "kind", "status")} == {
        "title": "you",
        "kind": "agent",
        "status": "completed",
    }


def test_import_is_light_and_exports_resolve() -> None:
    code = (
        "import sys, json, ascope_nb\n"
        "heavy = ('ascope_nb.', 'pydantic', 'openai', 'IPython', 'anywidget')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "missing = [n for n in ascope_nb.__all__ if getattr(ascope_nb, n, None) is None]\n"
        "print(json.dumps([loaded, missing, 'ascope_nb.run' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, missing, resolved = json.loads(out.stdout.splitlines()[-1])
    assert loaded == [], "import ascope_nb loads nothing heavy"
    assert missing == [] and resolved


def test_builtin_default_is_local_only_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from ascope_nb.model import _spec

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert _spec.builtin_default_spec() == "demo"
    monkeypatch.undo()
    from ascope_nb.model._local import installed

    has_engine = importlib.util.find_spec("xllamacpp") is not None
    assert _spec.builtin_default_spec() == ("local" if has_engine and installed("1.5b") else "demo")
    assert type(_spec.model_from_spec("local:0.5b")).__name__ == "LocalModel"


@pytest.mark.parametrize(
    ("parse", "line", "needle"),
    [
        (_args.parse_agent, "print", "built-in print"),
        (_args.parse_agent, "__builtins__", "special Python name"),
        (_args.parse_agent, "get_ipython", "IPython's own names"),
        (_args.parse_agent, "Out", "IPython's own names"),
        (_args.parse_agent, "_12", "IPython's own names"),
        (_args.parse_ask, "Friday --out exit", "choose another"),
        (_args.parse_hub, "A B --out len", "built-in len"),
        (_args.parse_agent, "A --tols f", "did you mean --tools?"),
        (_args.parse_agent, "A --max-iter 3", "did you mean --max-iters?"),
        (_args.parse_ask, "A --otu r", "did you mean --out?"),
    ],
)
def test_shadowing_names_and_typos_are_one_clear_line(parse, line: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(_args.MagicUsageError, match=None) as info:
        parse(line)
    message = str(info.value)
    assert needle in message and "\n" not in message


def test_unknown_tool_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'execute_python_code'"):
        make_agent("A", "x", model="demo", tools=["execute_pyton_code"])
