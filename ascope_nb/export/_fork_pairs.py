"""Forks as training signal: a fork judged good against its parent's step judged bad.

A fork of run P from step ``k`` (metadata ``parent_run_id``/``fork_step``) whose run
feedback is up (or score >= threshold) yields one preference pair when P has a thumbs-down
(or a score under the threshold) on step ``k``, or P's run score is lower than the fork's:
prompt = what the fork's first model call saw (the memory both had before step ``k``, as
the exports format it), rejected = P's answer at step ``k``, chosen = the fork's first answer. The parent is read
from the default run store. ``preference_pairs`` adds these pairs (kind ``"fork"``).

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> fork_pairs(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

from ..feedback import SCORE_THRESHOLD, is_up
from ._corrections import PreferencePair
from ._record import RunRecord


def _parent_worse(parent: RunRecord, step: int, fork: RunRecord, threshold: float) -> bool:
    for item in reversed(parent.feedback):
        if item.step == step:
            return is_up(item.label, item.score, threshold) is False
    mine, theirs = fork.reward(), parent.reward()
    return mine is not None and theirs is not None and theirs < mine


def _answer_at(record: RunRecord, step: int) -> tuple[int, dict[str, object]] | None:
    for i, msg in enumerate(record.messages):
        if msg.get("role") == "assistant" and record.msg_steps.get(str(msg.get("id"))) == step:
            return i, msg
    return None


def _parent(run_id: str) -> RunRecord | None:
    from ..store import default_store

    events = default_store().events(run_id)
    return RunRecord.from_events(events) if events else None


def fork_pairs(
    record: RunRecord, parent: RunRecord | None = None, *, score_threshold: float = SCORE_THRESHOLD
) -> list[PreferencePair]:
    """The preference pair of fork ``record`` against its parent (``[]`` if none)."""
    parent_id = record.metadata.get("parent_run_id")
    step = record.metadata.get("fork_step")
    if not isinstance(parent_id, str) or not isinstance(step, int):
        return []
    judged = record.run_feedback
    if judged is None or not is_up(judged.label, judged.score, score_threshold):
        return []
    parent = parent if parent is not None else _parent(parent_id)
    if parent is None or not _parent_worse(parent, step, record, score_threshold):
        return []
    from ._calls import model_calls

    rejected = next((c for c in model_calls(parent) if c.step == step and c.clean), None)
    chosen = next((c for c in model_calls(record) if c.clean), None)
    if rejected is None or chosen is None:
        return []
    if rejected.output.get("content") == chosen.output.get("content"):
        return []
    return [
        PreferencePair(
            run_id=record.run_id,
            reply_id=chosen.reply_id,
            step=step,
            kinds=("fork",),
            prompt=chosen.prompt,  # what the fork's model saw: the parent's memory before step k
            chosen=dict(chosen.output),
            rejected=dict(rejected.output),
            sys_prompt=None,
            tools=record.tools,
        )
    ]


__all__ = ["fork_pairs"]
