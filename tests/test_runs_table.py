"""``ascope_nb.runs`` / ``open_run``, the runs table widget and the ``%runs``/``%export``
magics, over a real SQLite store filled by real ReActAgent runs (only the model is fake)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ascope_nb
from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import AscopeError, ConfigError
from ascope_nb.notebook import store_magics
from ascope_nb.notebook.runs_table import RunsTableView, row_matches
from ascope_nb.run import Run, start
from ascope_nb.store import RunStore, StoreWarning, default_store, set_default_store
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit
from ascope_nb.views._assets import bundle_esm


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


class RecordingComm:
    """Stands in for the kernel comm: records what the widget sends, delivers clicks."""

    comm_id = "runs-table"
    kernel = object()

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, data: dict[str, Any], buffers: Any = None, **kw: Any) -> None:
        self.sent.append(json.loads(json.dumps(data)))

    def on_msg(self, callback: Any) -> None:
        self.handler = callback

    def close(self, *a: Any, **kw: Any) -> None:
        pass

    def custom(self) -> list[dict[str, Any]]:
        return [m["content"] for m in self.sent if m.get("method") == "custom"]

    def click(self, content: dict[str, Any]) -> None:
        self.handler({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def agent(name: str, replies: list[Any], **kwargs: Any) -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    made = ReActAgent(
        name=name,
        sys_prompt=f"You are {name}.",
        model=ScriptedModel(replies),
        toolkit=toolkit,
        **kwargs,
    )
    made.set_console_output_enabled(False)
    return made


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    """A real SQLite store as the process's default store (as ``%load_ext`` makes it)."""
    made = RunStore(tmp_path / "runs.sqlite")
    set_default_store(made)
    yield made
    set_default_store(None)
    made.close()


async def finished(run: Run, *, label: str | None = None) -> Run:
    await run
    if label is not None:
        run.feedback(label=label)  # type: ignore[arg-type]
    return run


@pytest.fixture
async def three_runs(store: RunStore) -> list[Run]:
    """Friday (thumbs up, one tool call), Friday (thumbs down), Ada (no feedback)."""
    up = await finished(
        start(agent("Friday", [[tool_call("add", a=2, b=3)], "5"]), "2 + 3?"), label="up"
    )
    down = await finished(start(agent("Friday", ["six"]), "2 + 2?"), label="down")
    plain = await finished(start(agent("Ada", ["hello"]), "hi"))
    assert store.flush()
    return [up, down, plain]


# ------------------------------------------------------------------ ascope_nb.runs / open_run


async def test_runs_reads_the_store_with_filters(three_runs: list[Run]) -> None:
    up, down, plain = three_runs
    frame = ascope_nb.runs()
    assert list(frame["run_id"]) == [plain.run_id, down.run_id, up.run_id]  # newest first
    assert list(frame["feedback"]) == ["", "down", "up"]
    assert list(frame["status"]) == ["completed"] * 3
    assert list(frame["n_tool_calls"]) == [0, 0, 1]

    assert list(ascope_nb.runs(agent="Friday")["run_id"]) == [down.run_id, up.run_id]
    assert list(ascope_nb.runs(feedback="up")["run_id"]) == [up.run_id]
    assert list(ascope_nb.runs(feedback="any")["run_id"]) == [down.run_id, up.run_id]
    assert list(ascope_nb.runs(feedback="none")["run_id"]) == [plain.run_id]
    assert list(ascope_nb.runs(feedback="any", limit=1)["run_id"]) == [down.run_id]
    assert list(ascope_nb.runs(limit=2)["run_id"]) == [plain.run_id, down.run_id]
    with pytest.raises(ConfigError, match="'sideways'"):
        ascope_nb.runs(feedback="sideways")  # type: ignore[arg-type]


async def test_open_run_rebuilds_the_view_from_the_store(
    three_runs: list[Run], store: RunStore
) -> None:
    up = three_runs[0]
    view = ascope_nb.open_run(up.run_id)
    assert repr(view) == "RunView(agent='Friday', status='completed', steps=2)"
    assert [e["seq"] for e in view.events] == sorted(e["seq"] for e in view.events)
    kinds = [e["kind"] for e in view.events]
    assert kinds[0] == "run_started" and "run_ended" in kinds and kinds[-1] == "feedback"
    assert view.controller is None  # read-only: a stored run is not live
    with pytest.raises(AscopeError, match="'nope'"):
        ascope_nb.open_run("nope")


# ------------------------------------------------------------------ the widget


async def test_table_rows_text_and_filters(three_runs: list[Run]) -> None:
    up, down, plain = three_runs
    table = RunsTableView()
    assert [r["run_id"] for r in table.rows] == [plain.run_id, down.run_id, up.run_id]
    assert table.rows[2]["steps"] == 2 and table.rows[2]["tool_calls"] == 1
    text = table.text().splitlines()
    assert text[0] == "Runs(3 runs)"
    assert [line.split() for line in text[1:]] == [
        ["agent", "status", "steps", "tool_calls", "feedback"],
        ["Ada", "completed", "1", "0"],
        ["Friday", "completed", "1", "0", "down"],
        ["Friday", "completed", "2", "1", "up"],
    ]
    table.filters = {"agent": "Friday", "status": "", "feedback": "", "text": ""}
    assert [r["run_id"] for r in table.visible_rows()] == [down.run_id, up.run_id]
    table.filters = {"agent": "", "status": "", "feedback": "up", "text": ""}
    assert [r["run_id"] for r in table.visible_rows()] == [up.run_id]
    table.filters = {"agent": "", "status": "", "feedback": "", "text": "ADA"}
    assert [r["run_id"] for r in table.visible_rows()] == [plain.run_id]

    only = RunsTableView(agent="Friday", limit=1)
    assert [r["run_id"] for r in only.rows] == [down.run_id]
    assert only.filters["agent"] == "Friday" and repr(only) == "Runs(1 run)"


async def test_row_click_sends_the_stored_run(three_runs: list[Run], store: RunStore) -> None:
    up = three_runs[0]
    table = RunsTableView()
    comm = RecordingComm()
    table.comm = comm
    comm.click({"cmd": "open", "run_id": up.run_id})
    runs_sent = [m for m in comm.custom() if m.get("type") == "run"]
    assert len(runs_sent) == 1
    msg = runs_sent[0]
    assert msg["run_id"] == up.run_id and table.opened == up.run_id
    assert msg["summary"]["status"] == "completed" and msg["summary"]["n_steps"] == 2
    assert msg["summary"]["interactive"] is True  # the opened run takes feedback
    stored = [e.kind for e in store.events(up.run_id)]
    assert {e["kind"] for e in msg["events"]} <= set(stored)
    assert [e["kind"] for e in msg["events"] if e["kind"] != "text_delta"] == [
        k for k in stored if k != "text_delta"
    ]
    comm.click({"cmd": "open", "run_id": "missing"})  # a bad click is a notice, not a crash
    notices = [m["text"] for m in comm.custom() if m.get("type") == "notice"]
    assert len(notices) == 1 and "'missing'" in notices[0]


async def test_feedback_from_the_table_is_stored_and_shown(
    three_runs: list[Run], store: RunStore
) -> None:
    plain = three_runs[2]
    table = RunsTableView()
    comm = RecordingComm()
    table.comm = comm
    comm.click({"cmd": "open", "run_id": plain.run_id})
    comm.click({"cmd": "feedback", "run_id": plain.run_id, "label": "up", "comment": "polite"})
    stored = store.feedback([plain.run_id])
    assert list(stored["label"]) == ["up"] and list(stored["comment"]) == ["polite"]
    row = next(r for r in table.rows if r["run_id"] == plain.run_id)
    assert row["feedback"] == "up"
    reopened = [m for m in comm.custom() if m.get("type") == "run"][-1]
    assert reopened["events"][-1]["kind"] == "feedback"
    assert reopened["events"][-1]["comment"] == "polite"
    notices = [m["text"] for m in comm.custom() if m.get("type") == "notice"]
    assert notices == [f"feedback stored for {plain.run_id}: good"]
    comm.click({"cmd": "feedback", "run_id": plain.run_id, "label": "sideways"})
    comm.click({"cmd": "feedback", "run_id": "missing", "label": "down"})
    notices = [m["text"] for m in comm.custom() if m.get("type") == "notice"]
    assert "sideways" in notices[1] and "'missing'" in notices[2]
    assert len(store.feedback([plain.run_id])) == 1


async def test_export_button_uses_the_table_filters(three_runs: list[Run], tmp_path: Path) -> None:
    up, down, _ = three_runs
    table = RunsTableView()
    comm = RecordingComm()
    table.comm = comm
    table.filters = {"agent": "Friday", "status": "", "feedback": "", "text": ""}
    out = tmp_path / "friday.jsonl"
    comm.click({"cmd": "export", "format": "openai", "path": str(out)})
    assert table.export_ok, table.export_message
    assert table.export_message == f"exported 2 records from 2 runs to {out} (openai)"
    records = [json.loads(line) for line in out.read_text().splitlines()]
    users = [m["content"] for r in records for m in r["messages"] if m["role"] == "user"]
    assert sorted(users) == ["2 + 2?", "2 + 3?"]

    comm.click({"cmd": "export", "format": "nonsense", "path": str(tmp_path / "x")})
    assert not table.export_ok and "\n" not in table.export_message
    assert "'nonsense'" in table.export_message and not (tmp_path / "x").exists()

    table.filters = {"agent": "Nobody", "status": "", "feedback": "", "text": ""}
    comm.click({"cmd": "export", "format": "openai", "path": str(tmp_path / "y.jsonl")})
    assert table.export_message == "export: no runs match the table's filters"
    assert not (tmp_path / "y.jsonl").exists()


async def test_refresh_sees_new_runs(three_runs: list[Run]) -> None:
    table = RunsTableView()
    assert len(table.rows) == 3
    await finished(start(agent("Ada", ["again"]), "once more"))
    comm = RecordingComm()
    table.comm = comm
    comm.click({"cmd": "refresh"})
    assert len(table.rows) == 4 and table.rows[0]["agent"] == "Ada"


# ------------------------------------------------------------------ the magics


def test_magic_lines_parse_and_fail_in_one_line() -> None:
    args = store_magics.parse_runs("--agent Friday --status completed --feedback up --limit 3")
    assert (args.agent, args.status, args.feedback, args.limit) == ("Friday", "completed", "up", 3)
    assert store_magics.parse_runs("--open abc").open == "abc"
    exp = store_magics.parse_export("trl-dpo 'my out.jsonl' --run a --run b c --agent X")
    assert (exp.format, exp.path, exp.run, exp.agent) == (
        "trl-dpo",
        "my out.jsonl",
        ["a", "b", "c"],
        "X",
    )
    for bad in ("--limit 0", "--feedback sideways", "--bogus"):
        with pytest.raises(ConfigError) as info:
            store_magics.parse_runs(bad)
        assert "\n" not in str(info.value) and "%runs" in str(info.value)
    with pytest.raises(ConfigError, match="%export"):
        store_magics.parse_export("openai")  # no path


async def test_runs_and_export_magics(three_runs: list[Run], tmp_path: Path, capsys: Any) -> None:
    from IPython.core.error import UsageError

    magics = store_magics.StoreMagics(shell=None)
    table = magics.runs("--agent Friday")
    assert isinstance(table, RunsTableView) and len(table.rows) == 2
    view = magics.runs(f"--open {three_runs[2].run_id}")
    assert repr(view) == "RunView(agent='Ada', status='completed', steps=1)"
    with pytest.raises(UsageError, match="'zzz'"):
        magics.runs("--open zzz")

    out = tmp_path / "up.jsonl"
    magics.export(f"openai {out} --feedback up")
    assert capsys.readouterr().out == f"exported 1 records from 1 runs to {out} (openai)\n"
    assert len(out.read_text().splitlines()) == 1
    magics.export(f"sharegpt {tmp_path / 'one.json'} --run {three_runs[2].run_id}")
    assert "from 1 runs" in capsys.readouterr().out
    with pytest.raises(UsageError) as info:
        magics.export(f"parquet-ish {tmp_path / 'z'}")
    assert "\n" not in str(info.value) and "'parquet-ish'" in str(info.value)


# ------------------------------------------------------------------ a degraded store


@pytest.mark.parametrize("damage", ["read-only", "corrupt"])
async def test_degraded_store_warns_once_and_keeps_runs_in_memory(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = tmp_path / "runs.sqlite"
    if damage == "read-only":
        RunStore(path).close()
        path.chmod(0o444)
    else:
        path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    monkeypatch.setenv("ASCOPE_STORE", str(path))
    set_default_store(None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", StoreWarning)  # nothing escapes as a warning
            store = store_magics.attach_default_store()
        err = capsys.readouterr().err
        assert store.degraded and err.count("\n") == 1 and err.startswith("StoreWarning: ")
        assert store is default_store()
        run = await finished(start(agent("Ada", ["kept"]), "hi"))
        frame = ascope_nb.runs()
        assert list(frame["run_id"]) == [run.run_id]
        assert "degraded" in RunsTableView().notice
        assert path.read_bytes() == before, "the damaged file is left untouched"
    finally:
        set_default_store(None)
        path.chmod(0o644)


# ------------------------------------------------------------------ the browser side


def test_js_filter_rule_matches_python(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is required (Node 20+)"
    rows = [
        {"run_id": "r1", "agent": "Ada", "title": "Ada", "model": "m", "status": "completed",
         "feedback": "up", "error": ""},
        {"run_id": "r2", "agent": "Bob", "title": "Bob", "model": "gpt", "status": "crashed",
         "feedback": "", "error": "process died"},
        {"run_id": "r3", "agent": "Ada", "title": "x", "model": "m", "status": "error",
         "feedback": "down", "error": ""},
    ]  # fmt: skip
    cases = [
        {},
        {"agent": "Ada"},
        {"status": "crashed"},
        {"feedback": "any"},
        {"feedback": "none"},
        {"feedback": "down", "agent": "Ada"},
        {"text": "DIED"},
        {"text": "gp"},
        {"text": "  r3 "},
    ]
    module = tmp_path / "runs_table.mjs"
    module.write_text(bundle_esm("runs_table.js"))
    script = (
        f"import {{ rowMatches }} from {json.dumps(str(module))};\n"
        f"const rows = {json.dumps(rows)}; const cases = {json.dumps(cases)};\n"
        "console.log(JSON.stringify(cases.map((f) => rows.filter((r) => rowMatches(r, f)).map((r) => r.run_id))));\n"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    want = [[r["run_id"] for r in rows if row_matches(r, f)] for f in cases]
    assert got == want
    assert want[1] == ["r1", "r3"] and want[6] == ["r2"] and want[8] == ["r3"]


def test_the_widget_module_is_one_es_module() -> None:
    text = bundle_esm("runs_table.js")
    assert "export default" in text and 'from "./' not in text
    assert os.path.basename(__file__) == "test_runs_table.py"


JS_DOM_SCRIPT = """
import { parseHTML } from "linkedom";
import { createRunsTable } from %(module)s;
const data = %(data)s;
const { document, window } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
const el = document.getElementById("app");
const sent = [], filters = [];
const t = createRunsTable(el, { onCommand: (c) => sent.push(c), onFilters: (f) => filters.push(f) });
t.setRows(data.rows);
t.setFormats(data.formats, "trl-dpo");
const ids = () => [...el.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-run-id"));
const click = (node) => node.dispatchEvent(new window.Event("click"));
const out = { initial: ids() };
click(el.querySelector('th[data-sort-key="agent"]'));
out.byAgent = ids();
const agentSel = el.querySelector('select[data-filter="agent"]');
for (const o of agentSel.querySelectorAll("option")) o.toggleAttribute("selected", o.value === "Friday");
agentSel.dispatchEvent(new window.Event("change"));
out.friday = ids();
out.count = el.querySelector('[data-testid="ascope-runs-count"]').textContent;
out.filters = filters;
click(el.querySelector("tbody tr"));
el.querySelector('[data-testid="ascope-export-path"]').value = "out.jsonl";
click(el.querySelector('[data-testid="ascope-export"]'));
out.sent = sent;
const upRow = el.querySelector(`tr[data-run-id="${data.up}"]`);
out.pressed = [...upRow.querySelectorAll(".ascope-thumb")].map((b) => [b.getAttribute("aria-label"), b.getAttribute("aria-pressed")]);
const before = sent.length;
click(upRow.querySelector('[data-testid="ascope-row-thumbs-down"]'));
out.rowThumb = sent.slice(before);
t.showRun(data.opened);
out.steps = el.querySelectorAll('[data-testid="ascope-runs-opened"] details.ascope-step').length;
const opened = el.querySelector('[data-testid="ascope-runs-opened"]');
opened.querySelector('[data-testid="ascope-comment"]').value = "short";
click(opened.querySelector('[data-testid="ascope-thumbs-up"]'));
out.openedThumb = sent[sent.length - 1];
t.setExportMessage("export failed: nope", false);
out.message = el.querySelector('[data-testid="ascope-export-message"]').textContent;
console.log(JSON.stringify(out));
"""


async def test_js_table_sorts_filters_opens_and_exports(three_runs: list[Run]) -> None:
    node = shutil.which("node")
    js_dir = Path(__file__).parent / "js"
    assert node and (js_dir / "node_modules" / "linkedom").exists(), "needs node + tests/js deps"
    up, down, plain = three_runs
    table = RunsTableView()
    comm = RecordingComm()
    table.comm = comm
    table.open_run(up.run_id)
    opened = next(m for m in comm.custom() if m.get("type") == "run")
    module = Path(ascope_nb.__file__).parent / "views" / "static" / "runs_table.js"
    data = {"rows": table.rows, "formats": table.formats, "opened": opened, "up": up.run_id}
    script = JS_DOM_SCRIPT % {"module": json.dumps(module.as_uri()), "data": json.dumps(data)}
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=js_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["initial"] == [plain.run_id, down.run_id, up.run_id]  # newest first
    assert got["byAgent"][0] == plain.run_id  # Ada before Friday
    assert sorted(got["friday"]) == sorted([up.run_id, down.run_id])
    assert got["count"] == "2 of 3 runs"
    assert got["filters"][-1] == {"agent": "Friday", "status": "", "feedback": "", "text": ""}
    assert got["sent"][0] == {"cmd": "open", "run_id": got["friday"][0]}
    assert got["sent"][1] == {"cmd": "export", "format": "trl-dpo", "path": "out.jsonl"}
    assert got["steps"] == opened["summary"]["n_steps"] == 2
    # a row's thumbs show its stored feedback, are named, and rate without opening the row
    assert got["pressed"] == [
        [f"Good run: rate run {up.run_id}", "true"],
        [f"Bad run: rate run {up.run_id}", "false"],
    ]
    assert got["rowThumb"] == [
        {"cmd": "feedback", "run_id": up.run_id, "label": "down", "comment": ""}
    ]
    assert got["openedThumb"] == {
        "cmd": "feedback",
        "run_id": up.run_id,
        "label": "up",
        "comment": "short",
    }
    assert got["message"] == "export failed: nope"


async def test_rate_stored_run_is_what_the_saved_view_calls(
    three_runs: list[Run], store: RunStore
) -> None:
    from IPython.core.formatters import DisplayFormatter

    from ascope_nb.views.run_view import rate_stored_run

    plain = three_runs[2]
    reply = rate_stored_run(plain.run_id, label="down", comment="too terse")
    # the kernel answers a user_expressions entry with the object's mime bundle
    data, _ = DisplayFormatter().format(reply)
    answer = data["application/json"]
    assert answer["event"]["kind"] == "feedback" and answer["event"]["run_id"] == plain.run_id
    assert answer["event"]["label"] == "down" and answer["event"]["comment"] == "too terse"
    assert "too terse" in answer["html"] and "bad run" in answer["html"]
    stored = store.feedback([plain.run_id])
    assert list(stored["label"]) == ["down"]
    with pytest.raises(AscopeError, match="no stored run 'nope'"):
        rate_stored_run("nope", label="up")
