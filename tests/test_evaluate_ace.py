"""ACEBench through the public API: the benchmark read from a synthetic ACE-format fixture
(tests/fixtures/acebench, written for these tests), run by experiments (live rows, store,
resume, export) and by the AgentScope-style evaluator; and its faults: a malformed line, a
failing task, repeated ids, state that must not leak between runs, missing data."""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ascope_nb import ReActAgent, Toolkit
from ascope_nb.evaluate import (
    ACEAccuracy,
    ACEBenchmark,
    ACEPhone,
    ACEProcessAccuracy,
    BenchmarkBase,
    FileEvaluatorStorage,
    GeneralEvaluator,
    SolutionOutput,
    Task,
    experiment,
)
from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.export import export
from ascope_nb.message import Msg
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel, tool_call

FIXTURE = Path(__file__).parent / "fixtures" / "acebench"
IDS = ["ace_step_tea", "ace_step_text", "ace_step_reminder", "ace_turn_flight"]

# what a competent agent does for each fixture question: its tool calls, one step each
PLANS: dict[str, list[list[dict[str, Any]]]] = {
    "喜茶": [
        [tool_call("login_food_platform", username="Eve", password="password123")],
        [
            tool_call(
                "add_food_delivery_order",
                username="Eve",
                merchant_name="喜茶",
                items=[{"product": "芝士奶茶", "quantity": 2}],
            )
        ],
    ],
    "最早": [
        [tool_call("get_earliest_message_id")],
        [tool_call("delete_message", message_id=3)],
        [tool_call("send_message", sender_name="Frank", receiver_name="Grace", message="明天见")],
    ],
    "买菜": [
        [tool_call("add_reminder", title="买菜", description="买西红柿", time="2024-07-20 18:00")]
    ],
    "CZ4352": [
        [
            tool_call(
                "reserve_flight",
                user_id="user2",
                password="password456",
                flight_no="CZ4352",
                cabin="经济舱",
                payment_method="bank",
                baggage_count=1,
            )
        ]
    ],
}


def _question(messages: list[dict[str, Any]]) -> str:
    content = [m for m in messages if m.get("role") == "user"][0]["content"]
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
    return str(content)


def _planner(*, fail_on: str | None = None, plans: dict[str, Any] = PLANS) -> FunctionModel:
    """Follows ``PLANS`` (one step per model call), then answers; raises on ``fail_on``."""

    def reply(messages: list[dict[str, Any]], tools: Any) -> Any:
        question = _question(messages)
        if fail_on is not None and fail_on in question:
            raise ModelCallError("the endpoint refused this task (HTTP 500)")
        plan = next(steps for key, steps in plans.items() if key in question)
        done = sum(1 for m in messages if m.get("role") == "tool")
        step = sum(1 for _ in _steps_until(plan, done))
        return plan[step] if step < len(plan) else "Done."

    return FunctionModel(reply)


def _steps_until(plan: list[list[dict[str, Any]]], tool_results: int) -> Iterator[int]:
    """The steps of ``plan`` already made, given how many tool results the model saw."""
    seen = 0
    for index, step in enumerate(plan):
        if seen >= tool_results:
            return
        seen += len(step)
        yield index


def _agent(model: FunctionModel) -> ReActAgent:
    return ReActAgent("Friday", "Solve the task with your tools.", model, max_iters=6)


@pytest.fixture
def ace_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture (fault tests edit it)."""
    target = tmp_path / "ace"
    shutil.copytree(FIXTURE, target)
    return target


def _scores(exp: Any) -> dict[str, tuple[Any, Any, str]]:
    frame = exp.to_dataframe().set_index("sample_id")
    return {
        sid: (
            frame.loc[sid, "accuracy"],
            frame.loc[sid, "process_accuracy"],
            frame.loc[sid, "status"],
        )
        for sid in frame.index
    }


# ---------------------------------------------------------------------------- the benchmark
def test_the_benchmark_reads_the_fixture_as_agentscope_does() -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    assert isinstance(bench, BenchmarkBase) and bench.name == "ACEBench"
    assert len(bench) == 4 and [t.id for t in bench] == IDS and bench.problems == []
    task = bench[0]
    assert task.input.startswith("我是Eve")
    assert task.tags == {"language": "zh", "category": "agent_multi_step"}
    assert bench[3].tags == {"language": "zh", "category": "agent_multi_turn"}
    assert [type(m) for m in task.metrics] == [ACEAccuracy, ACEProcessAccuracy]
    assert [m.name for m in task.metrics] == ["accuracy", "process_accuracy"]
    assert set(task.ground_truth) == {"state", "mile_stone"}
    assert isinstance(task.metadata["phone"], ACEPhone)
    names = [schema["function"]["name"] for _, schema in task.metadata["tools"]]
    assert names == ["login_food_platform", "add_food_delivery_order", "get_products"]
    order = task.metadata["tools"][1][1]["function"]["parameters"]
    # ACEBench's Python type names become JSON Schema's
    assert order["type"] == "object" and order["properties"]["items"]["type"] == "array"
    assert order["properties"]["items"]["items"]["type"] == "object"
    # the dataset records keep AgentScope's added fields
    assert {"ground_truth", "mile_stone", "language", "tags"} <= set(bench.dataset[0])


def test_each_task_gets_its_own_phone() -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    first, again = bench[0], bench[0]
    assert first.metadata["phone"] is not again.metadata["phone"]
    login = dict((fn.__name__, fn) for fn, _ in first.metadata["tools"])["login_food_platform"]
    assert "登陆成功" in login(username="Eve", password="password123").content[0]["text"]
    assert first.metadata["phone"].get_current_state()[3]["FoodPlatform"]["logged_in_users"] == [
        "Eve"
    ]
    assert again.metadata["phone"].get_current_state()[3]["FoodPlatform"]["logged_in_users"] == []


def test_missing_data_is_one_line_naming_the_path_and_the_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        ACEBenchmark(data_dir=str(tmp_path / "nowhere"))
    text = str(info.value)
    assert "\n" not in text
    assert str(tmp_path / "nowhere" / "data_zh" / "data_agent_multi_step.json") in text
    assert ACEBenchmark.data_dir_url in text and "download=True" in text
    assert not (tmp_path / "nowhere").exists()  # nothing is created on the way
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        ACEBenchmark(data_dir=str(a_file))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def data_server() -> Iterator[str]:
    """The fixture served over HTTP on 127.0.0.1 (a stand-in for ACEBench's GitHub)."""
    handler = functools.partial(_Quiet, directory=str(FIXTURE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_true_fetches_the_missing_files(tmp_path: Path, data_server: str) -> None:
    class LocalACE(ACEBenchmark):
        data_dir_url = data_server

    bench = LocalACE(data_dir=str(tmp_path / "got"), download=True)
    assert [t.id for t in bench] == IDS
    assert (
        tmp_path / "got" / "data_zh" / "possible_answer" / "data_agent_multi_turn.json"
    ).is_file()

    class Broken(ACEBenchmark):
        data_dir_url = data_server + "/missing"

    with pytest.raises(
        ConfigError, match=r"cannot download http://127\.0\.0\.1:\d+/missing/data_zh/"
    ):
        Broken(data_dir=str(tmp_path / "none"), download=True)


# ---------------------------------------------------------------------------- the metrics
async def test_accuracy_reads_the_ground_truths_spellings_and_string_keys() -> None:
    phone = ACEPhone()
    phone.load_initial_config({"BaseApi": {"wifi": False, "logged_in": True}})
    added = phone.get_tool_function("add_reminder")(
        title="t", description="d", time="2024-07-20 18:00"
    )
    assert "已成功添加" in added.content[0]["text"]
    state = phone.get_current_state()
    expected = json.loads(json.dumps(state[2]))  # {"ReminderApi": {"reminder_list": {"1": ...}}}
    for spelling in ("ReminderAPI", "Reminderpi", "ReminderApi"):
        truth = [{spelling: expected["ReminderApi"]}]
        result = await ACEAccuracy(truth)(SolutionOutput(True, state, []))
        assert result.result == 1, (spelling, result.message)
    other = json.loads(json.dumps(expected))
    other["ReminderApi"]["reminder_list"]["4"]["title"] = "u"
    wrong = await ACEAccuracy([other])(SolutionOutput(True, state, []))
    assert wrong.result == 0 and "Mismatch in key 'ReminderApi'" in (wrong.message or "")
    with pytest.raises(ValueError, match="end state"):
        await ACEAccuracy(other)(SolutionOutput(True, "an answer", []))
    with pytest.raises(ValueError, match="lacks Travel"):
        await ACEAccuracy([{"Travel": {}}])(SolutionOutput(True, [{"BaseApi": {}}], []))


async def test_process_accuracy_compares_calls_paths_and_steps() -> None:
    def used(*calls: tuple[str, dict[str, Any]]) -> SolutionOutput:
        blocks = [
            {"type": "tool_use", "id": str(i), "name": n, "input": a}
            for i, (n, a) in enumerate(calls)
        ]
        return SolutionOutput(
            True, [], blocks + [{"type": "tool_result", "id": "0", "name": "x", "output": ""}]
        )

    spaced = ACEProcessAccuracy(["[f(items=[{'a':1}], s='x')]"])
    assert (await spaced(used(("f", {"items": [{"a": 1}], "s": "x"})))).result == 1
    assert (await spaced(used(("f", {"items": [{"a": 2}], "s": "x"})))).result == 0
    step = ACEProcessAccuracy(["[g(), h(n=1)]"])
    assert (await step(used(("g", {}), ("h", {"n": 1})))).result == 1
    assert (await step(used(("g", {})))).result == 0
    paths = ACEProcessAccuracy([["[a()]", "[b()]"], ["[c()]"]])
    assert (await paths(used(("c", {})))).result == 1
    assert (await paths(used(("a", {})))).result == 0
    missing = await ACEProcessAccuracy(["[login_device()]"])(used())
    assert missing.result == 0 and "Missing milestone '[login_device()]'" in (missing.message or "")


# ---------------------------------------------------------------------------- experiments
async def test_an_experiment_runs_acebench_and_scores_the_end_state() -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    template = _agent(_planner())
    exp = experiment(agent=template, dataset=bench, concurrency=2, name="ace-fixture")
    await exp
    assert exp.status == "completed"
    assert exp.metric_names == ("accuracy", "process_accuracy")
    assert _scores(exp) == {sid: (1.0, 1.0, "completed") for sid in IDS}
    summary = exp.summary().set_index("metric")
    assert summary.loc["accuracy", "mean"] == 1.0 and summary.loc["accuracy", "n"] == 4
    # the template's toolkit never got the tasks' tools
    assert list(template.toolkit.tools) == []
    # results stay: rerunning the name resumes everything, the model is not called again
    again_model = _planner()
    again = experiment(agent=_agent(again_model), dataset=bench, name="ace-fixture")
    await again
    assert again.resumed == 4 and again_model.calls == []
    assert _scores(again) == _scores(exp)


async def test_an_ace_experiment_exports_with_the_tasks_tools(tmp_path: Path) -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    await experiment(agent=_agent(_planner()), dataset=bench, name="ace-export")
    result = export(default_store(), "openai", tmp_path / "sft.jsonl", experiment="ace-export")
    rows = [json.loads(line) for line in Path(result.path).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4
    flight = next(r for r in rows if "CZ4352" in json.dumps(r, ensure_ascii=False))
    assert [t["function"]["name"] for t in flight["tools"]] == [
        "reserve_flight",
        "get_flight_details",
    ]
    calls = [c["function"]["name"] for m in flight["messages"] for c in m.get("tool_calls") or []]
    assert calls == ["reserve_flight"]
    answers = [m["content"] for m in flight["messages"] if m["role"] == "tool"]
    assert answers and "预订成功，预订号：res_5" in answers[0]
    kto = export(default_store(), "trl-kto", tmp_path / "kto.jsonl", experiment="ace-export")
    labels = [json.loads(line)["label"] for line in Path(kto.path).read_text().splitlines()]
    assert labels == [True] * 11  # one per model call (7 tool steps, 4 answers): all rewarded


async def test_a_wrong_agent_scores_zero_with_the_reason() -> None:
    wrong = dict(PLANS)
    wrong["喜茶"] = [
        PLANS["喜茶"][0],
        [
            tool_call(
                "add_food_delivery_order",
                username="Eve",
                merchant_name="喜茶",
                items=[{"product": "四季春奶茶", "quantity": 2}],
            )
        ],
    ]
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    exp = experiment(agent=_agent(_planner(plans=wrong)), dataset=bench, name="ace-wrong")
    await exp
    scores = _scores(exp)
    assert scores["ace_step_tea"] == (0.0, 0.0, "completed")
    assert all(scores[sid] == (1.0, 1.0, "completed") for sid in IDS[1:])
    row = exp.rows[("ace_step_tea", 0)]
    assert "Mismatch in key 'FoodPlatform'" in row.messages["accuracy"]
    assert "Missing milestone" in row.messages["process_accuracy"]


async def test_one_failing_task_is_recorded_and_the_others_run() -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    exp = experiment(
        agent=_agent(_planner(fail_on="CZ4352")), dataset=bench, name="ace-one-fails", retries=0
    )
    await exp
    assert exp.status == "completed"
    scores = _scores(exp)
    assert scores["ace_turn_flight"][2] == "error"
    assert "HTTP 500" in (exp.rows[("ace_turn_flight", 0)].error or "")
    # the untouched phone does not match the booking the ground truth expects
    assert scores["ace_turn_flight"][:2] == (0.0, 0.0)
    assert all(scores[sid] == (1.0, 1.0, "completed") for sid in IDS[:3])


async def test_repeats_of_the_same_task_start_from_a_fresh_phone() -> None:
    bench = ACEBenchmark(data_dir=str(FIXTURE))
    exp = experiment(agent=_agent(_planner()), dataset=bench, repeats=3, name="ace-repeats")
    await exp
    frame = exp.to_dataframe()
    assert len(frame) == 12
    # a phone kept between runs would log Eve in twice (refused) and order twice
    assert set(frame["accuracy"]) == {1.0} and set(frame["process_accuracy"]) == {1.0}


async def test_the_agentscope_evaluator_runs_acebench_with_a_solution_function(
    tmp_path: Path,
) -> None:
    async def solution(task: Task, pre_print_hook: Any) -> SolutionOutput:
        toolkit = Toolkit()
        for tool, schema in task.metadata["tools"]:
            toolkit.register_tool_function(tool, json_schema=schema)
        agent = ReActAgent("Friday", "Solve it.", _planner(), toolkit=toolkit, max_iters=6)
        await agent(Msg("user", task.input, role="user"))
        trajectory = []
        for msg in await agent.memory.get_memory():
            trajectory.extend(msg.get_content_blocks(["tool_use", "tool_result"]))
        return SolutionOutput(
            success=True, output=task.metadata["phone"].get_current_state(), trajectory=trajectory
        )

    storage = FileEvaluatorStorage(save_dir=str(tmp_path / "results"))
    evaluator = GeneralEvaluator(
        name="ace",
        benchmark=ACEBenchmark(data_dir=str(FIXTURE)),
        n_repeat=2,
        storage=storage,
        n_workers=1,
    )
    await evaluator.run(solution)
    for sid in IDS:
        for repeat in ("0", "1"):  # the second repeat of a task does not see the first's phone
            assert storage.get_evaluation_result(sid, repeat, "accuracy").result == 1, (sid, repeat)
            assert storage.get_evaluation_result(sid, repeat, "process_accuracy").result == 1


# ---------------------------------------------------------------------------- faults
def _insert_line(path: Path, index: int, line: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(index, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_a_malformed_line_is_one_warning_and_the_other_tasks_run(
    ace_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = ace_dir / "data_zh" / "data_agent_multi_step.json"
    _insert_line(data, 1, '{"id": "broken", "question": "cut off')
    with caplog.at_level(logging.WARNING, logger="ascope_nb.evaluate"):
        bench = ACEBenchmark(data_dir=str(ace_dir))
    assert [t.id for t in bench] == IDS
    warnings = [r.getMessage() for r in caplog.records if "ACEBench" in r.getMessage()]
    assert len(warnings) == 1 and f"{data}:2: not a JSON line" in warnings[0]
    assert "\n" not in warnings[0] and bench.problems == [warnings[0].removeprefix("ACEBench: ")]
    exp = experiment(agent=_agent(_planner()), dataset=bench, name="ace-malformed")
    await exp
    assert _scores(exp) == {sid: (1.0, 1.0, "completed") for sid in IDS}


def test_tasks_that_cannot_be_built_are_left_out_with_their_reason(ace_dir: Path) -> None:
    data = ace_dir / "data_zh" / "data_agent_multi_step.json"
    first = json.loads(data.read_text(encoding="utf-8").splitlines()[0])
    unknown_tool = {**first, "id": "t_tool"}
    unknown_tool["function"] = [*first["function"], {"name": "launch_rocket", "parameters": {}}]
    bad_config = {**first, "id": "t_config", "initial_config": {"Travel": {}}}
    no_answer = {**first, "id": "t_no_answer"}
    for row in (unknown_tool, bad_config, no_answer):
        _insert_line(data, 3, json.dumps(row, ensure_ascii=False))
    answers = ace_dir / "data_zh" / "possible_answer" / "data_agent_multi_step.json"
    truth = json.loads(answers.read_text(encoding="utf-8").splitlines()[0])
    for task_id in ("t_tool", "t_config"):
        _insert_line(answers, 3, json.dumps({**truth, "id": task_id}, ensure_ascii=False))
    bench = ACEBenchmark(data_dir=str(ace_dir))
    assert [t.id for t in bench] == IDS
    text = "\n".join(bench.problems)
    assert len(bench.problems) == 3
    assert "names tools the ACE phone lacks: launch_rocket" in text
    assert "'t_config': ACE initial_config needs BaseApi" in text
    assert "'t_no_answer' has no answer in possible_answer" in text


def test_a_repeated_task_id_keeps_the_first(ace_dir: Path) -> None:
    turns = ace_dir / "data_zh" / "data_agent_multi_turn.json"
    steps = ace_dir / "data_zh" / "data_agent_multi_step.json"
    copy = json.loads(steps.read_text(encoding="utf-8").splitlines()[0])  # ace_step_tea again
    _insert_line(turns, 1, json.dumps({**copy, "question": "another question"}, ensure_ascii=False))
    bench = ACEBenchmark(data_dir=str(ace_dir))
    assert [t.id for t in bench] == IDS
    assert bench[0].input.startswith("我是Eve")
    assert bench.problems == [
        f"{turns}:2: task id 'ace_step_tea' repeats (first at {steps}:1); this task is left out"
    ]


def test_an_experiment_refuses_a_benchmark_with_repeated_ids() -> None:
    class Twice(BenchmarkBase):
        def __init__(self) -> None:
            super().__init__("twice", "")

        def __iter__(self) -> Iterator[Task]:
            return iter(self[i] for i in range(2))

        def __len__(self) -> int:
            return 2

        def __getitem__(self, index: int) -> Task:
            return Task(id="same", input="hi", ground_truth=None, metrics=[])

    async def start() -> None:
        experiment(agent=_agent(_planner()), dataset=Twice(), name="ace-twice")

    with pytest.raises(ConfigError, match="benchmark 'twice': task id 'same' appears twice"):
        asyncio.run(start())


def test_content_blocks_of_several_types_as_agentscope_reads_a_trajectory() -> None:
    call = {"type": "tool_use", "id": "1", "name": "f", "input": {}}
    result = {"type": "tool_result", "id": "1", "name": "f", "output": "ok"}
    msg = Msg("Friday", [{"type": "text", "text": "hi"}, call, result], "assistant")
    assert msg.get_content_blocks(["tool_use", "tool_result"]) == [call, result]
    assert msg.get_content_blocks("tool_use") == [call]


async def test_a_retried_attempt_starts_from_a_fresh_phone() -> None:
    """The first attempt books the flight, then the endpoint refuses (429); the retry books
    again on a new phone: one booking (res_5), not two (res_6 and a second payment)."""
    refused: list[str] = []
    plan = _planner()

    def reply(messages: list[dict[str, Any]], tools: Any) -> Any:
        booked = any(m.get("role") == "tool" for m in messages)
        if "CZ4352" in _question(messages) and booked and not refused:
            refused.append("once")
            raise ModelCallError("429 Too Many Requests: rate limit")
        return plan.fn(messages, tools)

    bench = ACEBenchmark(data_dir=str(FIXTURE))
    exp = experiment(
        agent=_agent(FunctionModel(reply)), dataset=bench, name="ace-retry", backoff=0.01
    )
    await exp
    assert refused == ["once"]
    row = exp.rows[("ace_turn_flight", 0)]
    assert row.attempts == 2 and row.status == "completed"
    assert (row.scores["accuracy"], row.scores["process_accuracy"]) == (1.0, 1.0)
