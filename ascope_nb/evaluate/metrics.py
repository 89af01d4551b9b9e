"""Built-in metrics: ``exact``, ``numeric``, ``contains``, ``regex``, ``tool_called``,
``llm_judge``, and ``from_callable`` for a plain Python function.

Each is a ``MetricBase`` judging a ``SolutionOutput``; those that compare with a target take
it when made (one metric object per task, as in AgentScope 1.x). Scores are 1.0 or 0.0,
except ``llm_judge`` (any score in [0, 1] the judge gives) and callables (their number).

Example:
    >>> import asyncio
    >>> from ascope_nb.evaluate import SolutionOutput
    >>> out = SolutionOutput(True, "17 * 23 = 391.", [{"type": "tool_use", "name": "execute_python_code"}])
    >>> [asyncio.run(m(out)).result for m in (numeric(391), contains("391"), tool_called("execute_python_code"))]
    [1.0, 1.0, 1.0]
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from typing import Any

from ..exceptions import ConfigError
from ._metric_base import MetricBase, MetricResult, MetricType
from ._scoring import as_score
from ._task import SolutionOutput

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|-?\.\d+")


def _text(output: Any) -> str:
    if output is None:
        return ""
    if isinstance(output, str):
        return output
    get_text = getattr(output, "get_text_content", None)
    if callable(get_text):
        return get_text() or ""
    return str(output)


def _need_target(metric: str, target: Any) -> Any:
    if target is None:
        raise ConfigError(f"{metric} metric: the target is None; give the expected answer")
    return target


def _normalise(text: str) -> str:
    return " ".join(text.strip().strip(".!").casefold().split())


def numbers_in(text: str) -> list[float]:
    """The numbers written in ``text`` (thousands separators allowed), in order."""
    found = []
    for token in _NUMBER.findall(text):
        try:
            found.append(float(token.replace(",", "")))
        except ValueError:
            continue
    return found


class _Score(MetricBase):
    def __init__(self, name: str, description: str) -> None:
        super().__init__(name, MetricType.NUMERICAL, description)

    def _result(self, ok: bool, message: str) -> MetricResult:
        return MetricResult(name=self.name, result=1.0 if ok else 0.0, message=message)


class Exact(_Score):
    """1.0 when the answer equals the target (case, spaces and a final period ignored)."""

    def __init__(self, target: Any, *, name: str = "exact") -> None:
        super().__init__(name, "answer equals the target")
        self.target = _need_target("exact", target)

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        ok = _normalise(_text(solution.output)) == _normalise(str(self.target))
        return self._result(ok, "equal" if ok else f"expected {self.target!r}")


class Numeric(_Score):
    """1.0 when the last number in the answer equals the target (relative tolerance)."""

    def __init__(self, target: Any, *, name: str = "numeric", rel_tol: float = 1e-6) -> None:
        super().__init__(name, "last number in the answer equals the target")
        _need_target("numeric", target)
        try:
            self.target = float(str(target).replace(",", ""))
        except ValueError:
            raise ConfigError(f"numeric metric: target {target!r} is not a number") from None
        self.rel_tol = rel_tol

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        found = solution.output if isinstance(solution.output, (int, float)) else None
        if found is None:
            numbers = numbers_in(_text(solution.output))
            found = numbers[-1] if numbers else None
        if found is None:
            return self._result(False, "no number in the answer")
        ok = math.isclose(float(found), self.target, rel_tol=self.rel_tol, abs_tol=1e-9)
        return self._result(ok, f"found {found:g}, expected {self.target:g}")


class Contains(_Score):
    """1.0 when the answer contains the target text (case-insensitive)."""

    def __init__(self, target: Any, *, name: str = "contains") -> None:
        super().__init__(name, "answer contains the target")
        self.target = str(_need_target("contains", target))

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        ok = self.target.casefold() in _text(solution.output).casefold()
        return self._result(ok, "found" if ok else f"{self.target!r} not in the answer")


class Regex(_Score):
    """1.0 when ``pattern`` matches somewhere in the answer."""

    def __init__(self, pattern: str, *, name: str = "regex", flags: int = re.IGNORECASE) -> None:
        super().__init__(name, f"answer matches /{pattern}/")
        try:
            self.pattern = re.compile(pattern, flags)
        except re.error as exc:
            raise ConfigError(f"regex metric: bad pattern {pattern!r}: {exc}") from None

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        ok = self.pattern.search(_text(solution.output)) is not None
        return self._result(ok, "matched" if ok else "no match")


class ToolCalled(_Score):
    """1.0 when the agent called ``tool`` (any tool if None) at least once."""

    def __init__(self, tool: str | None = None, *, name: str = "tool_called") -> None:
        super().__init__(name, f"the agent called {tool or 'a tool'}")
        self.tool = tool

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        calls = [b.get("name") for b in solution.trajectory if b.get("type") == "tool_use"]
        ok = any(self.tool is None or c == self.tool for c in calls)
        return self._result(ok, f"called {calls}" if calls else "no tool call")


_JUDGE_PROMPT = (
    "You grade answers. Question: {question}\nReference answer: {target}\n"
    "Candidate answer: {answer}\nReply with one word: CORRECT or INCORRECT."
)


class LLMJudge(_Score):
    """A model grades the answer against the target: 1.0 for "CORRECT", 0.0 otherwise.

    ``model`` is any ``ChatModelBase``; ``prompt`` may use {question}, {target}, {answer}.
    """

    def __init__(
        self,
        model: Any,
        target: Any,
        *,
        question: Any = "",
        name: str = "llm_judge",
        prompt: str = _JUDGE_PROMPT,
    ) -> None:
        super().__init__(name, "a model judges the answer")
        self.model, self.target, self.question, self.prompt = model, target, question, prompt

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        text = self.prompt.format(
            question=self.question, target=self.target, answer=_text(solution.output)
        )
        response = await self.model([{"role": "user", "content": text}])
        if inspect.isasyncgen(response):
            last = None
            async for chunk in response:
                last = chunk
            response = last
        verdict = " ".join(
            b.get("text", "")
            for b in (getattr(response, "content", None) or [])
            if b.get("type") == "text"
        )
        ok = "CORRECT" in verdict.upper() and "INCORRECT" not in verdict.upper()
        return self._result(ok, verdict.strip()[:200])


class FromCallable(MetricBase):
    """A plain function as a metric: ``fn(answer, target)`` or ``fn(solution)`` returning a
    bool, a number or a ``MetricResult``; sync or async."""

    def __init__(
        self, fn: Callable[..., Any], target: Any = None, *, name: str | None = None
    ) -> None:
        label = name or str(getattr(fn, "__name__", "metric"))
        super().__init__(label, MetricType.NUMERICAL, fn.__doc__)
        self.fn, self.target = fn, target
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        self._takes_solution = len(params) == 1

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        value = (
            self.fn(solution)
            if self._takes_solution
            else self.fn(_text(solution.output), self.target)
        )
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, MetricResult):
            return value
        score = as_score(value)
        if score is not None:
            return MetricResult(name=self.name, result=score)
        raise ConfigError(
            f"metric {self.name!r} returned {type(value).__name__}; return a bool, a number or a MetricResult"
        )


class _JudgeSpec:
    """``llm_judge(model)`` in an experiment: one ``LLMJudge`` per sample, with its target."""

    def __init__(self, model: Any, prompt: str, name: str) -> None:
        self.model, self.prompt, self.__name__ = model, prompt, name

    def for_target(self, *, target: Any, question: Any = "") -> LLMJudge:
        return LLMJudge(
            self.model, target, question=question, name=self.__name__, prompt=self.prompt
        )

    def __call__(self, *args: Any) -> Any:  # pragma: no cover - used through for_target
        raise ConfigError(
            "llm_judge(model) is a metric spec for experiments; use LLMJudge(model, target) directly"
        )


def judge(model: Any, *, prompt: str = _JUDGE_PROMPT, name: str = "llm_judge") -> _JudgeSpec:
    """An LLM-judge metric for ``experiment(metrics=[judge(model)])`` (target per sample)."""
    return _JudgeSpec(model, prompt, name)


exact = Exact
numeric = Numeric
contains = Contains
regex = Regex
tool_called = ToolCalled
llm_judge = LLMJudge
from_callable = FromCallable

BUILTIN = ("exact", "numeric", "contains", "tool_called")
NEEDS_TARGET = ("exact", "numeric", "contains")


class NoTarget(MetricBase):
    """A target-comparing metric for a sample without a target: not scored (NaN), and says so."""

    def __init__(self, name: str) -> None:
        super().__init__(name, MetricType.NUMERICAL, "skipped: the sample has no target")

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        return MetricResult(
            name=self.name, result=math.nan, message="not scored: the sample has no target"
        )


def metric_for(spec: Any, *, target: Any, question: Any = "") -> MetricBase:
    """One task's metric from a spec: a built-in name (``"numeric"``, ``"regex:PATTERN"``,
    ``"tool_called:NAME"``), a ``MetricBase``, or a callable."""
    if isinstance(spec, MetricBase):
        return spec
    if isinstance(spec, str):
        name, _, arg = spec.partition(":")
        if name in NEEDS_TARGET and target is None:
            return NoTarget(name)
        if name == "exact":
            return Exact(target)
        if name == "numeric":
            return Numeric(target)
        if name == "contains":
            return Contains(target)
        if name == "regex":
            if not arg:
                raise ConfigError("metric 'regex' needs a pattern: 'regex:PATTERN'")
            return Regex(arg)
        if name == "tool_called":
            return ToolCalled(arg or None)
        known = ", ".join([*BUILTIN, "regex:PATTERN", "tool_called:NAME"])
        raise ConfigError(f"unknown metric {spec!r}; built-in metrics: {known}, or pass a function")
    if callable(spec):
        factory = getattr(spec, "for_target", None)
        if callable(factory):
            return factory(target=target, question=question)
        return FromCallable(spec, target)
    raise ConfigError(
        f"a metric must be a name, a MetricBase or a function, got {type(spec).__name__}"
    )


__all__ = [
    "exact",
    "numeric",
    "contains",
    "regex",
    "tool_called",
    "llm_judge",
    "from_callable",
    "Exact",
    "Numeric",
    "Contains",
    "Regex",
    "ToolCalled",
    "LLMJudge",
    "FromCallable",
    "metric_for",
    "numbers_in",
    "BUILTIN",
    "NoTarget",
    "judge",
]
