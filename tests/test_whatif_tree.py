"""``run_tree``: a stored run with its forks, their forks and its replays."""

from __future__ import annotations

import pytest

import ascope_nb
from ascope_nb.exceptions import AscopeError
from ascope_nb.notebook.store_magics import parse_runs
from ascope_nb.whatif import run_tree
from tests.whatif_support import add, counting_model, make_agent


async def test_a_tree_holds_forks_of_forks_and_replays() -> None:
    root = ascope_nb.start(make_agent(counting_model()), "Q")
    await root
    fork = ascope_nb.load_run(root.run_id).fork(1, model=counting_model(), tools={"add": add})
    await fork
    grandchild = ascope_nb.load_run(fork.run_id).fork(
        0, edit="stop", model=counting_model(), tools={"add": add}
    )
    again = ascope_nb.replay(root.run_id)
    await grandchild
    await again
    tree = run_tree(root.run_id)
    assert tree.run_ids() == [root.run_id, fork.run_id, grandchild.run_id, again.run_id]
    lines = repr(tree).splitlines()
    assert lines[0] == f"{root.run_id} · Friday · completed"
    assert lines[1].startswith(f"└ fork@1 {fork.run_id} · Friday · fork@1")
    assert lines[2].startswith(f"  └ fork@0 {grandchild.run_id}")
    assert lines[3] == f"└ replay {again.run_id} · Friday · replay · completed"
    assert tree._repr_html_().count("<li>") == 4
    assert run_tree(fork.run_id).run_ids() == [fork.run_id, grandchild.run_id]
    assert parse_runs(f"--tree {root.run_id}").tree == root.run_id
    with pytest.raises(AscopeError, match="no stored run 'nope'"):
        run_tree("nope")
