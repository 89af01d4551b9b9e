"""What-if: fork a run from any step, replay stored runs, compare two runs side by side.

Example:
    >>> import ascope_nb
    >>> fork = ascope_nb.load_run("a1b2c3").fork(2, edit={"city": "Oslo"})  # doctest: +SKIP
    >>> again = ascope_nb.replay("a1b2c3", tools="live")                   # doctest: +SKIP
    >>> ascope_nb.diff(again, "a1b2c3")                                    # doctest: +SKIP
"""

from __future__ import annotations

from .. import hooks
from ._diff import RunDiff, diff
from ._fork import fork
from ._replay import Divergence, replay
from ._stored import StoredRun, load_run
from ._tree import RunTree, run_tree

hooks.fork_run.set(fork)  # Run.fork answers through it

__all__ = [
    "diff",
    "RunDiff",
    "fork",
    "replay",
    "Divergence",
    "load_run",
    "StoredRun",
    "run_tree",
    "RunTree",
]
