"""``%%agent --plan`` / ``--approve-plan``: parsed, and the agent they make has a plan notebook
(with approval), shown on its card; without them the agent has none."""

from __future__ import annotations

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.notebook._api import AgentCard, make_agent
from ascope_nb.notebook._args import parse_agent
from ascope_nb.testing import ScriptedModel


def test_the_options_parse() -> None:
    assert (parse_agent("F --plan").plan, parse_agent("F --plan").approve_plan) == (True, False)
    assert parse_agent("F --approve-plan").approve_plan is True
    assert parse_agent("F").plan is False
    with pytest.raises(ConfigError):
        parse_agent("F --plan=yes")


@pytest.mark.parametrize(
    ("plan", "approve", "shown"),
    [(False, False, None), (True, False, "on"), (True, True, "approve")],
)
def test_make_agent_gives_a_plan_notebook(plan: bool, approve: bool, shown: str | None) -> None:
    agent = make_agent(
        "F", "You plan.", model=ScriptedModel(["ok"]), plan=plan, approve_plan=approve, warm=False
    )
    assert (agent.plan_notebook is not None) is plan
    assert ("create_plan" in agent.toolkit.tools) is plan
    if plan:
        assert agent.plan_notebook is not None
        assert agent.plan_notebook.require_approval is approve
    assert AgentCard(agent).fields().get("plan") == shown
