"""``%tune``: train an adapter on picked runs, live, as a thin shell over ``ascope_nb.tune``.

::

    %tune tool-fix --feedback up --backend trainer
    %tune tool-fix --experiment weather-v1 --metric tool_called --min-score 1 --method sft
    %tune tool-fix --where "n_tool_calls > 0 and agent == 'Weather'" --out job
    %tune tool-fix --dataset corrections.jsonl --method dpo
    %tune tool-fix --resume            # continue a stopped training (a later kernel too)
    %tune --list                       # the kept adapters and their versions

``--backend`` names a notebook variable holding a ``TrainingBackend`` (default: the TRL CPU
backend). Every mistake, a bad dataset included, is one line and nothing is trained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError
from . import _args

FEEDBACK = ("up", "down", "any", "none")


@dataclass
class TuneArgs:
    """``%tune``'s parsed line."""

    name: str | None = None
    method: str = "sft"
    feedback: str | None = None
    metric: str | None = None
    min_score: float | None = None
    where: str | None = None
    experiment: str | None = None
    agent: str | None = None
    status: str | None = None
    run: list[str] = field(default_factory=list)
    dataset: str | None = None
    backend: str | None = None
    adapters: str | None = None
    resume: bool = False
    list: bool = False
    out: str | None = None


def parse_tune(line: str) -> TuneArgs:
    """Parse ``%tune``'s line.

    Example:
        >>> args = parse_tune("fix --feedback up --where 'n_steps > 1' --backend fake")
        >>> args.name, args.feedback, args.where, args.backend
        ('fix', 'up', 'n_steps > 1', 'fake')
    """
    parser = _args._Parser("%tune", "Train a LoRA adapter on picked runs, with a live view.")
    parser.add_argument("name", nargs="?", help="the adapter's name (versions v1, v2, ...)")
    parser.add_argument("--method", choices=["sft", "dpo", "kto"], default="sft")
    parser.add_argument("--feedback", choices=FEEDBACK, help="runs with this feedback")
    parser.add_argument("--metric", help="an experiment metric (with --min-score)")
    parser.add_argument("--min-score", type=float, help="keep runs scoring at least this")
    parser.add_argument("--where", help="a query over the runs table, e.g. 'n_tool_calls > 0'")
    parser.add_argument("--experiment", help="only the sample runs of this experiment")
    parser.add_argument("--agent", help="only runs of this agent")
    parser.add_argument("--status", help="only runs with this status")
    parser.add_argument("--run", nargs="+", action="extend", default=[], metavar="ID")
    parser.add_argument("--dataset", help="train on this JSONL file instead of runs")
    parser.add_argument("--backend", type=_args.identifier, help="variable holding the backend")
    parser.add_argument("--adapters", help="the adapters folder (default: beside the run store)")
    parser.add_argument("--resume", action="store_true", help="continue a stopped training")
    parser.add_argument("--list", action="store_true", help="list the kept adapters")
    parser.add_argument("--out", type=_args.new_name, help="also bind the job to this variable")
    args = TuneArgs(**_args._parse(parser, line))
    if not args.list and not args.name:
        raise _args.MagicUsageError("%tune: give the adapter's NAME (or --list) (see %tune --help)")
    return args


def run_tune(args: TuneArgs, namespace: dict[str, Any]) -> Any:
    """Do what a parsed ``%tune`` line asks (the magic's body, testable without a kernel)."""
    from ..tuner import AdapterStore
    from ._tune_api import tune

    if args.list:
        return AdapterStore(args.adapters).to_dataframe(args.name)
    backend = None
    if args.backend is not None:
        if args.backend not in namespace:
            raise _args.MagicUsageError(f"%tune: no backend named {args.backend!r} in the notebook")
        backend = namespace[args.backend]
        if not callable(getattr(backend, "train", None)):
            raise _args.MagicUsageError(
                f"%tune: {args.backend!r} is a {type(backend).__name__}, not a training backend "
                "(it has no train(...))"
            )
    assert args.name is not None
    job = tune(
        name=args.name, method=args.method,  # type: ignore[arg-type]
        dataset=args.dataset, feedback=args.feedback, metric=args.metric,
        min_score=args.min_score, where=args.where, run_ids=args.run or None,
        experiment=args.experiment, agent=args.agent, status=args.status,
        backend=backend, adapters=args.adapters, resume_stopped=args.resume,
    )  # fmt: skip
    if args.out:
        namespace[args.out] = job
    return None


@magics_class
class TuneMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%tune NAME [--feedback ...] [--backend VAR] ...``: train an adapter, live."""

    @line_magic("tune")  # type: ignore[arg-type]  # IPython's decorator is untyped
    def tune_(self, line: str) -> Any:
        """%tune NAME [--method sft|dpo|kto] [--feedback F] [--metric M --min-score X]
        [--where EXPR] [--experiment E] [--run ID ...] [--dataset PATH] [--backend VAR]
        [--resume] [--out VAR] | %tune --list"""
        shell: Any = self.shell
        try:
            return run_tune(parse_tune(line), shell.user_ns)
        except _args.HelpShown:
            return None
        except AscopeError as exc:
            text = str(exc).strip()
            raise UsageError(text.splitlines()[0] if text else repr(exc)) from None


def register_tune_magics(ipython: Any) -> None:
    """Register ``%tune`` (called by ``load_ipython_extension``)."""
    ipython.register_magics(TuneMagics)


__all__ = ["TuneArgs", "TuneMagics", "parse_tune", "register_tune_magics", "run_tune"]
