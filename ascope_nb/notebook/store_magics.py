"""``%runs`` and ``%export``: the run store from the notebook, and attaching it on load.

Mistakes (unknown format, bad option, unknown run) are one line on stderr, no traceback.

Example (in a notebook)::

    %load_ext ascope_nb
    %runs --agent Friday --feedback up --limit 20
    %runs --open 0f3c9a2e
    %runs --tree 0f3c9a2e
    %export openai train.jsonl --status completed
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError
from . import _args

FEEDBACK = ("up", "down", "any", "none")


@dataclass
class RunsArgs:
    """``%runs [--agent A] [--status S] [--feedback up|down|any|none] [--limit N] [--open ID]
    [--tree ID]``."""

    agent: str | None = None
    status: str | None = None
    feedback: str | None = None
    limit: int | None = None
    open: str | None = None
    tree: str | None = None


@dataclass
class ExportArgs:
    """``%export FORMAT PATH [--run ID ...] [--agent A] [--status S] [--feedback F]
    [--experiment NAME]``."""

    format: str
    path: str
    run: list[str] = field(default_factory=list)
    agent: str | None = None
    status: str | None = None
    feedback: str | None = None
    experiment: str | None = None


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", help="only runs of this agent")
    parser.add_argument("--status", help="only runs with this status (completed, crashed, ...)")
    parser.add_argument("--feedback", choices=FEEDBACK, help="thumbs up/down, any or none")


def parse_runs(line: str) -> RunsArgs:
    """Parse ``%runs``'s line.

    Example:
        >>> parse_runs("--agent Friday --limit 5")
        RunsArgs(agent='Friday', status=None, feedback=None, limit=5, open=None, tree=None)
    """
    parser = _args._Parser("%runs", "The stored runs as a table, or one stored run.")
    _filters(parser)
    parser.add_argument("--limit", type=_args._positive_int, help="at most N (newest) runs")
    parser.add_argument("--open", metavar="RUN_ID", help="re-open this stored run in its view")
    parser.add_argument("--tree", metavar="RUN_ID", help="this run with its forks and replays")
    return RunsArgs(**_args._parse(parser, line))


def parse_export(line: str) -> ExportArgs:
    """Parse ``%export``'s line.

    Example:
        >>> parse_export("openai out.jsonl --run a b --feedback up").run
        ['a', 'b']
    """
    parser = _args._Parser("%export", "Export stored runs as a dataset file.")
    parser.add_argument("format", help="openai, openai-dpo, trl-sft, trl-dpo, trl-kto, ...")
    parser.add_argument("path", help="the file to write (a directory for hf)")
    parser.add_argument("--run", nargs="+", action="extend", default=[], metavar="ID")
    _filters(parser)
    parser.add_argument(
        "--experiment", metavar="NAME", help="only the sample runs of this experiment (scored)"
    )
    return ExportArgs(**_args._parse(parser, line))


def _one_line(exc: BaseException) -> UsageError:
    return UsageError(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))


@magics_class
class StoreMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%runs`` (the runs table over the store) and ``%export`` (a dataset file)."""

    @line_magic
    def runs(self, line: str) -> Any:
        """%runs [--agent A] [--status S] [--feedback up|down|any|none] [--limit N]
        [--open RUN_ID] [--tree RUN_ID] -- the stored runs as a table (click a row to open
        it), or one run with its forks and replays."""
        try:
            args = parse_runs(line)
            if args.tree:
                from ..whatif import run_tree

                return run_tree(args.tree)
            if args.open:
                from .._runs_api import open_run

                return open_run(args.open)
            from .runs_table import RunsTableView

            return RunsTableView(
                agent=args.agent, status=args.status, feedback=args.feedback, limit=args.limit
            )
        except _args.HelpShown:
            return None
        except AscopeError as exc:
            raise _one_line(exc) from None

    @line_magic
    def export(self, line: str) -> None:
        """%export FORMAT PATH [--run ID ...] [--agent A] [--status S] [--feedback F] --
        export the stored runs (all, or those selected) and print one line."""
        from ..export import export
        from ..store import default_store
        from .runs_table import export_line

        try:
            args = parse_export(line)
            store = default_store()
            store.flush()
            result = export(
                store,
                args.format,
                args.path,
                run_ids=args.run or None,
                agent=args.agent,
                status=args.status,
                feedback=args.feedback,
                experiment=args.experiment,
            )
        except _args.HelpShown:
            return
        except (AscopeError, OSError, ImportError, ValueError) as exc:
            raise _one_line(exc) from None
        print(export_line(result, format=args.format))


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def attach_default_store() -> Any:
    """Attach the process's default store; if it is degraded print ONE warning line on stderr
    (the notebook keeps working, runs are kept in memory). Returns the store."""
    from ..store import StoreWarning, default_store

    store_log = logging.getLogger("ascope_nb.store")
    quiet = _DropRecords()
    store_log.addFilter(quiet)  # the log line would repeat the warning below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StoreWarning)
            store = default_store()
    finally:
        store_log.removeFilter(quiet)
    if store.degraded:
        print(
            f"StoreWarning: {' '.join(str(store.degraded).split())}; runs are kept in memory only "
            "(lost when the kernel stops)",
            file=sys.stderr,
        )
    return store


def register_store_magics(ipython: Any) -> None:
    """Register ``%runs`` / ``%export`` and attach the default store."""
    ipython.register_magics(StoreMagics)
    attach_default_store()


__all__ = [
    "StoreMagics",
    "parse_runs",
    "parse_export",
    "attach_default_store",
    "register_store_magics",
]
