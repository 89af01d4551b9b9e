"""``diff`` lines a fork up with its parent (shared steps, then the differing ones) and two
unrelated runs step by step; the HTML is static and the DataFrame lists the same rows."""

from __future__ import annotations

import html
import re

import ascope_nb
from tests.whatif_support import add, counting_model, make_agent


async def test_a_fork_lines_up_with_its_parent_from_the_fork_step() -> None:
    parent = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await parent
    fork = ascope_nb.load_run(parent.run_id).fork(
        2, edit={"a": 40, "b": 2}, model=counting_model(), tools={"add": add}
    )
    await fork
    d = ascope_nb.diff(parent, fork.run_id)
    frame = d.to_dataframe()
    assert list(frame.step) == [0, 1, 2, 3]
    assert list(frame.shared) == [True, True, False, False]
    assert list(frame.same) == [True, True, False, False]
    assert frame.a_tools[2] == 'add({"a": 2, "b": 1}) → 3'
    assert frame.b_tools[2] == 'add({"a": 40, "b": 2}) → 42'
    assert frame.a_text[3] == "The last sum is 3." and frame.b_text[3] == "The last sum is 42."
    assert d.first_difference == 2
    page = d._repr_html_()
    assert page.count("class='differs'") == 4 * 2 + 2  # two differing steps, the answer
    assert html.escape('add({"a": 40, "b": 2}) → 42') in page
    assert "<script" not in page
    reverse = ascope_nb.diff(fork, parent).to_dataframe()
    assert list(reverse.shared) == [True, True, False, False]
    assert reverse.a_tools[2] == frame.b_tools[2]


async def test_two_models_on_one_question_line_up_step_by_step() -> None:
    a = ascope_nb.start(make_agent(counting_model(1)), "Q")
    b = ascope_nb.start(make_agent(counting_model(3)), "Q")
    await a
    await b
    d = ascope_nb.diff(a, b)
    frame = d.to_dataframe()
    assert len(frame) == 4 and not frame.shared.any()
    assert list(frame.same) == [True, False, False, False]
    assert frame.a_text.isna().tolist() == [False, False, True, True]
    assert re.search(r"RunDiff\('\w+', '\w+', steps=4, first_difference=1\)", repr(d))
