"""Plans in a real kernel: ``%%agent --approve-plan`` waits for the person; clicks on the
plan view (comm messages) edit the plan and approve it; the edit reaches the next model call."""

from __future__ import annotations

import pytest
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

SCRIPT = """
def _task(name):
    return {"name": name, "description": "Do " + name, "expected_outcome": name + " done"}

mp = ScriptedModel([
    [tool_call("create_plan", name="Trip", description="Plan the trip",
               expected_outcome="A schedule",
               subtasks=[_task("Pick dates"), _task("Book train"), _task("Book hotel")])],
    [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
    "Started on the plan.",
], stream=False)
"""


def test_plan_clicks_edit_and_approve_and_reach_the_next_model_call(kernel: KernelDriver) -> None:
    kernel.ok(SCRIPT)
    ex = kernel.ok("%%agent Planner --model mp --approve-plan\nYou plan trips.")
    assert "plan approve" in ex.outputs[0]["text/plain"]
    ex = kernel.ok("%%ask Planner --out runp\nPlan a trip to Oslo.")
    comm_id = ex.widget_comm("pending_approvals")
    kernel.ok("await until(lambda: runp.plan.waiting_for_approval)")

    kernel.click(comm_id, {"cmd": "plan", "op": "rename", "index": 1, "name": "Book a night train"})
    kernel.click(comm_id, {"cmd": "plan", "op": "mark", "index": 2, "state": "abandoned"})
    kernel.click(comm_id, {"cmd": "plan", "op": "remove", "index": 9})  # refused: one notice
    kernel.click(comm_id, {"cmd": "plan", "op": "approve"})
    got = kernel.ok(
        """
reply = await asyncio.wait_for(runp.wait(), 60)
human = [(e.op, e.detail) for e in runp.events if e.kind == "plan_changed" and e.by == "human"]
json.dumps([runp.status, reply.get_text_content(), human,
            "renamed subtask 1 from 'Book train' to 'Book a night train'" in mp.calls[1].text(),
            [t.state for t in Planner.plan_notebook.current_plan.subtasks]])
""",
        timeout=90,
    ).value()
    status, text, human, told, states = got
    assert (status, text) == ("completed", "Started on the plan.")
    assert [op for op, _ in human] == ["edit", "edit", "approve"]
    assert told is True
    assert states == ["in_progress", "todo", "abandoned"]
