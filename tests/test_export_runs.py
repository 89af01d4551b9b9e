"""Run selection, folding and preference pairs, from real ReActAgent runs and a real RunStore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from synthetic_runs import SyntheticRun, demo_runs, tool_schema

from ascope_nb.agent import ReActAgent
from ascope_nb.agent._control import ApprovalDecision
from ascope_nb.events import Event, ToolResult
from ascope_nb.exceptions import ConfigError
from ascope_nb.export import RunRecord, export, labeled_examples, load_runs, preference_pairs
from ascope_nb.export._pairs import assistant_weights
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.store import RunStore
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def search(query: str) -> str:
    """Search the web.

    Args:
        query: What to look for.
    """
    return f"results for {query}"


def make_agent(replies: list[Any], **kwargs: Any) -> ReActAgent:
    toolkit = Toolkit()
    for fn in (add, search):
        toolkit.register_tool_function(fn)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=ScriptedModel(replies, stream=True),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent


async def run_events(agent: ReActAgent, text: str) -> list[Event]:
    from ascope_nb.message import Msg

    return [e async for e in agent.stream(Msg("user", text, "user"))]


# ------------------------------------------------------------------ the synthetic helper is honest


async def test_synthetic_run_has_the_agents_event_shape() -> None:
    agent = make_agent(
        [["Let me add.", tool_call("add", a=1, b=2)], "It is 3."], require_approval=["add"]
    )
    agent.control.approval_handler = lambda call: ApprovalDecision("edited", {"a": 1, "b": 5})
    real = await run_events(agent, "1 + 2?")
    fake = SyntheticRun("r", user="1 + 2?")
    fake.step(
        text="Let me add.", calls=[("add", {"a": 1, "b": 2}, "6", ("edited", {"a": 1, "b": 5}))]
    )
    fake.answer("It is 3.")
    synthetic = fake.finish()

    def shape(events: list[Event]) -> list[str]:  # deltas are tokenised differently
        kinds = [e.kind for e in events]
        return [k for i, k in enumerate(kinds) if k != "text_delta" or kinds[i - 1] != "text_delta"]

    assert shape(real) == shape(synthetic)
    real_rec, fake_rec = RunRecord.from_events(real), RunRecord.from_events(synthetic)
    assert [m["role"] for m in real_rec.messages] == [m["role"] for m in fake_rec.messages]
    assert real_rec.sys_prompt == "You are Friday."
    assert [t["function"]["name"] for t in real_rec.tools] == ["add", "search"]
    call = next(iter(real_rec.tool_calls.values()))
    assert (call.decision, call.original_input, call.input) == (
        "edited",
        {"a": 1, "b": 2},
        {"a": 1, "b": 5},
    )
    # the exported conversation carries the edited call, as the agent's memory does
    assistant = real_rec.messages[1]
    assert assistant["content"][-1]["input"] == {"a": 1, "b": 5}
    assert call.output == [{"type": "text", "text": "6"}]


# ------------------------------------------------------------------ preference pairs, real agent


async def test_denial_from_a_real_agent_gives_a_pair_and_weight_zero(tmp_path: Path) -> None:
    agent = make_agent(
        [[tool_call("search", query="secret")], [tool_call("add", a=2, b=2)], "4"],
        require_approval=["search"],
    )
    agent.control.approval_handler = lambda call: ApprovalDecision("denied", {}, reason="no")
    record = RunRecord.from_events(await run_events(agent, "2 + 2?"))
    pairs = preference_pairs(record)
    assert len(pairs) == 1
    pair = pairs[0]
    assert pair.kinds == ("denied",)
    assert [b["name"] for b in pair.rejected["content"] if b["type"] == "tool_use"] == ["search"]
    assert [b["input"] for b in pair.chosen["content"] if b["type"] == "tool_use"] == [
        {"a": 2, "b": 2}
    ]
    assert [m["role"] for m in pair.prompt] == ["system", "user"]  # what the model saw
    weights = assistant_weights(record)
    assert weights == {pair.rejected["id"]: 0}
    export([record], "openai", tmp_path / "sft.jsonl")
    msgs = json.loads((tmp_path / "sft.jsonl").read_text())["messages"]
    assert [m.get("weight") for m in msgs if m["role"] == "assistant"] == [0, 1, 1]


async def test_guidance_from_a_real_agent_gives_a_pair(tmp_path: Path) -> None:
    agent: ReActAgent

    def steering_search(query: str) -> str:
        """Search, and have a person steer the agent meanwhile.

        Args:
            query: What to look for.
        """
        agent.steer("Use the add tool instead.")
        return "nothing useful"

    agent = make_agent(
        [[tool_call("steering_search", query="2+2")], [tool_call("add", a=2, b=2)], "4"]
    )
    agent.toolkit.register_tool_function(steering_search)
    events = await run_events(agent, "2 + 2?")
    record = RunRecord.from_events(events)
    assert [(h.text, h.step) for h in record.hints] == [("Use the add tool instead.", 1)]
    (pair,) = preference_pairs(record)
    assert pair.kinds == ("hint",) and pair.step == 0
    assert pair.rejected["content"][0]["name"] == "steering_search"
    assert pair.chosen["content"][0]["name"] == "add"
    export([record], "trl-dpo", tmp_path / "dpo.jsonl")
    row = json.loads((tmp_path / "dpo.jsonl").read_text())
    assert row["rejected"][0]["tool_calls"][0]["function"]["name"] == "steering_search"
    assert json.loads(row["chosen"][0]["tool_calls"][0]["function"]["arguments"]) == {
        "a": 2,
        "b": 2,
    }
    assert [m["role"] for m in row["prompt"]] == ["system", "user"]


def test_edit_pair_rejects_the_original_input() -> None:
    records = {r.run_id: r for r in load_runs(demo_runs())}
    (pair,) = preference_pairs(records["run-edited"])
    assert pair.kinds == ("edited",)
    assert pair.rejected["content"][0]["input"] == {"query": "ascope"}
    assert pair.chosen["content"][0]["input"] == {"query": "ascope_nb docs"}
    # an edited action is a correction: the rejected side of a pair, never an SFT target
    assert assistant_weights(records["run-edited"]) == {pair.rejected["id"]: 0}


def test_system_hints_are_not_human_corrections() -> None:
    run = SyntheticRun("r", user="Go")
    run.step(calls=[("add", {"a": 1, "b": 1}, "2")])
    run.hint("You must call finish.", source="system")
    run.answer("2")
    record = RunRecord.from_events(run.finish())
    assert preference_pairs(record) == []
    assert len(preference_pairs(record, hint_sources=("human", "system"))) == 1


def test_denial_without_a_later_action_gives_no_pair() -> None:
    run = SyntheticRun("r", user="Go")
    run.step(calls=[("search", {"query": "x"}, "", ("denied", "no"))])
    record = RunRecord.from_events(run.finish(status="interrupted"))
    assert preference_pairs(record) == []
    assert assistant_weights(record) == {record.messages[1]["id"]: 0}


def test_kto_labels_from_thumbs_scores_and_pairs() -> None:
    records = {r.run_id: r for r in load_runs(demo_runs())}
    plain = labeled_examples(records["run-plain"])
    # a thumb on the run labels each of its model calls, each with what that call saw
    assert [(e.label, e.source) for e in plain] == [(True, "feedback")] * 3
    assert [m["role"] for m in plain[0].prompt] == ["system", "user"]
    assert plain[-1].completion[-1]["content"][0]["text"] == "The answer is 7."
    assert {e.label for e in labeled_examples(records["run-parallel"])} == {False}  # 0.2 < 0.5
    assert {e.label for e in labeled_examples(records["run-parallel"], score_threshold=0.1)} == {
        True
    }
    hinted = labeled_examples(records["run-hint"])
    assert [(e.label, e.source, len(e.completion)) for e in hinted] == [
        (False, "feedback", 1),  # thumbs-down on step 0
        (False, "pair", 1),
        (True, "pair", 1),
    ]
    assert records["run-plain"].reward() == 1.0 and records["run-parallel"].reward() == 0.2
    assert records["run-edited"].reward() is None


# ------------------------------------------------------------------ folding and selection


def test_parallel_results_are_put_back_in_call_order() -> None:
    run = SyntheticRun("r", user="Both", tools=[tool_schema("search", query="string")])
    run.step(calls=[("search", {"query": "a"}, "A"), ("search", {"query": "b"}, "B")])
    run.answer("done")
    events = run.finish()
    # a parallel agent finishes the second call first: swap the two result pairs
    idx = [i for i, e in enumerate(events) if isinstance(e, ToolResult)]
    a, b = idx
    events = events[:a] + events[b : b + 2] + events[a : a + 2] + events[b + 2 :]
    record = RunRecord.from_events(events)
    order = [m["content"][0]["id"] for m in record.messages if m["role"] == "system"]
    assert order == [b["id"] for b in record.messages[1]["content"] if b["type"] == "tool_use"]


def test_missing_sys_prompt_and_secret_metadata() -> None:
    records = {r.run_id: r for r in load_runs(demo_runs())}
    secret = records["run-secret"]
    assert secret.sys_prompt is None and secret.tools == []
    assert secret.metadata["api_key"] == "[REDACTED]"
    assert secret.metadata["client"] == {"Authorization": "[REDACTED]"}
    assert "sk-" not in json.dumps(secret.messages)


def test_selection_from_event_dicts_and_filters() -> None:
    wire = [[e.to_dict() for e in run] for run in demo_runs()]
    assert [r.run_id for r in load_runs(wire, feedback="up")] == ["run-plain", "run-denied"]
    assert [r.run_id for r in load_runs(wire, feedback="down")] == ["run-parallel"]
    assert [r.run_id for r in load_runs(wire, feedback="none")] == [
        "run-edited",
        "run-hint",
        "run-secret",
    ]
    assert [r.run_id for r in load_runs(wire, status=["interrupted"])] == ["run-secret"]
    assert [r.run_id for r in load_runs(wire[0])] == ["run-plain"]  # one run's events
    with pytest.raises(ConfigError):
        load_runs(wire, feedback="maybe")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        load_runs(["run-plain"])  # ids without a store


def test_selection_from_a_real_store(tmp_path: Path) -> None:
    store = RunStore(str(tmp_path / "runs.sqlite"))
    try:
        for run in demo_runs():
            store.append(run)
        assert store.flush()
        everything = load_runs(store)
        assert sorted(r.run_id for r in everything) == sorted(r[0].run_id for r in demo_runs())
        frame = store.runs()
        picked = load_runs(frame[frame["status"] == "completed"], store=store, feedback="up")
        assert sorted(r.run_id for r in picked) == ["run-denied", "run-plain"]
        by_ids = load_runs(["run-edited", "run-hint"], store=store, agent="Friday")
        assert [r.run_id for r in by_ids] == ["run-edited", "run-hint"]
        result = export(store, "openai-dpo", tmp_path / "dpo.jsonl")
        assert (result.records, result.runs) == (3, 6)
        with pytest.raises(ConfigError):
            load_runs(frame)  # a DataFrame needs its store
    finally:
        store.close()
