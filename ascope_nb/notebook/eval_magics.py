"""The ``%eval`` line magic: a thin layer over ``ascope_nb.evaluate.experiment``.

::

    %eval Friday df --input question --target answer --metrics numeric,contains --concurrency 16
    %eval Friday demo --metrics numeric,tool_called:execute_python_code --name friday-v1
    %eval Friday questions.jsonl --metrics my_metric --out exp

AGENT and DATASET are notebook variables (DATASET may also be a ``.jsonl`` path or ``demo``,
the package's offline demo benchmark); ``--metrics`` takes built-in metric names or names
of notebook functions. The experiment shows live and is the cell's value (``exp = _``).
Mistakes are one line, no traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError

_USAGE = "%eval AGENT DATASET [--input COL] [--target COL] [--metrics m1,m2] [--concurrency N] ..."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%eval: {message} (usage: {_USAGE})")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise ConfigError(f"%eval: {(message or 'bad arguments').strip()}")
        raise _Help()


class _Help(Exception):
    pass


def _parser() -> _Parser:
    parser = _Parser(
        prog="%eval", description="Run an agent over a dataset and score it.", allow_abbrev=False
    )
    parser.add_argument("agent", help="notebook variable holding the agent (or a factory)")
    parser.add_argument("dataset", help="notebook variable, a .jsonl path, or 'demo'")
    parser.add_argument("--input", default=None, help="column with the user message")
    parser.add_argument("--target", default=None, help="column with the expected answer")
    parser.add_argument("--id", default=None, help="column with the sample id")
    parser.add_argument(
        "--metrics", default="exact", help="comma-separated metric names or functions"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--backend", choices=["asyncio", "ray"], default="asyncio")
    parser.add_argument("--name", default=None, help="experiment name (reusing one resumes it)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per sample")
    parser.add_argument("--token-budget", type=int, default=None)
    parser.add_argument("--out", default=None, help="also bind the experiment to this variable")
    return parser


def parse_eval(line: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """``experiment()`` keyword arguments from a ``%eval`` line.

    Example:
        >>> ns = {"A": object(), "rows": [{"input": "hi", "target": "hi"}]}
        >>> kw = parse_eval("A rows --metrics exact,contains --concurrency 2", ns)
        >>> kw["metrics"], kw["concurrency"]
        (['exact', 'contains'], 2)
    """
    import shlex

    from ..evaluate import demo_dataset

    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ConfigError(f"%eval: cannot parse the line ({exc})") from None
    opts = _parser().parse_args(words)
    if opts.agent not in namespace:
        raise ConfigError(f"%eval: no agent named {opts.agent!r} in the notebook")
    columns: dict[str, Any] = {}
    if opts.dataset == "demo":
        dataset: Any = demo_dataset()
        columns = {"input": "question", "target": "answer"}
    elif opts.dataset in namespace:
        dataset = namespace[opts.dataset]
    elif opts.dataset.endswith(".jsonl"):
        dataset = opts.dataset
    else:
        raise ConfigError(
            f"%eval: {opts.dataset!r} is neither a notebook variable, a .jsonl path, nor 'demo'"
        )
    metrics: list[Any] = []
    for name in (m.strip() for m in opts.metrics.split(",") if m.strip()):
        metrics.append(namespace[name] if name in namespace and callable(namespace[name]) else name)
    kwargs: dict[str, Any] = {
        "agent": namespace[opts.agent],
        "dataset": dataset,
        "metrics": metrics,
        "concurrency": opts.concurrency,
        "repeats": opts.repeats,
        "backend": opts.backend,
        "timeout": opts.timeout,
        "token_budget": opts.token_budget,
        "name": opts.name,
        **columns,
    }
    for key in ("input", "target", "id"):
        if getattr(opts, key) is not None:
            kwargs[key] = getattr(opts, key)
    kwargs["_out"] = opts.out
    return kwargs


@magics_class
class EvalMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%eval AGENT DATASET ...``: an experiment, shown live."""

    @line_magic("eval")  # type: ignore[arg-type]  # IPython's decorator is untyped
    def eval_(self, line: str) -> Any:
        """%eval AGENT DATASET [--input COL] [--target COL] [--metrics m1,m2] [--concurrency N]"""
        from ..evaluate import experiment

        shell: Any = self.shell
        namespace: dict[str, Any] = shell.user_ns
        try:
            kwargs = parse_eval(line, namespace)
            out = kwargs.pop("_out")
            exp = experiment(**kwargs)
        except _Help:
            _parser().print_help()
            return None
        except AscopeError as exc:
            raise UsageError(str(exc)) from None
        if out:
            if not out.isidentifier():
                raise UsageError(f"%eval: --out needs a variable name, got {out!r}")
            namespace[out] = exp
        return exp


def register_eval_magics(ipython: Any) -> None:
    """Register ``%eval`` (called by ``load_ipython_extension``)."""
    ipython.register_magics(EvalMagics)
