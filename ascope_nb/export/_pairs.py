"""Human steering as training signal: preference pairs, KTO labels and assistant weights.

Rules (one place, used by the OpenAI DPO, TRL DPO / KTO and Trinity exporters), on model
calls (``_calls.model_calls``: what one call saw and produced):

- **edited** tool call: rejected = the call's message with the model's original input;
  chosen = the same message with the person's edited input (denied calls of the same
  message left out).
- **denied** tool call: rejected = that message; chosen = the agent's next acceptable action
  in the same reply (a call that ran to its end, was not itself denied or followed by
  guidance, and whose tools were not interrupted by a stop). A message with both a denied
  and an edited call gives both pairs.
- **guidance**: a hint injected before step ``s`` (``HintInjected.step == s``) makes the
  action of step ``s - 1`` rejected and the next acceptable action chosen.
- The prompt of a pair is what the model saw when it produced the rejected message.
- **fork**: a fork judged up against its parent's step judged down (``_fork_pairs``).
- **plan**: a plan a person edited: the model's ``create_plan`` against the edited plan
  (``_plan_pairs``; the hint of a plan edit is not also guidance).
- Thumbs and scores become KTO labels (up / score >= threshold is True); pairs add one
  False and one True example each.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> preference_pairs(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

from typing import Any, Literal

from ..feedback import SCORE_THRESHOLD, is_up
from ._corrections import (
    LabeledExample,
    PairKind,
    PreferencePair,
    _edited,
    _original,
    corrections_of,
)
from ._record import RunRecord


def assistant_weights(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> dict[str, int]:
    """Weight 0 for every assistant message that is not a training target (see ``_calls``):
    corrected (denied, edited, guided, thumbs-down step), partial, stopped or max-iters."""
    from ._calls import model_calls

    return {c.msg_id: 0 for c in model_calls(record, hint_sources=hint_sources) if not c.kept}


def preference_pairs(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> list[PreferencePair]:
    """Every preference pair that the steering of ``record`` yields, in call order."""
    from ._calls import model_calls
    from ._fork_pairs import fork_pairs

    corrections = corrections_of(record, hint_sources)
    from ._plan_pairs import plan_edit_pairs

    if not corrections:  # a fork judged better than its parent's step; a plan a person edited
        return fork_pairs(record) + plan_edit_pairs(record)
    calls = model_calls(record, hint_sources=hint_sources)
    pairs: list[PreferencePair] = []
    for i, call in enumerate(calls):
        kinds = corrections.get(call.msg_id)
        if not kinds or not call.clean:
            continue
        rejected = _original(call.output, record)
        options: list[tuple[tuple[PairKind, ...], dict[str, Any] | None]] = []
        if "edited" in kinds:
            options.append((("edited",), _edited(call.output, record)))
        if "denied" in kinds or "hint" in kinds:
            nxt = next(
                (
                    c.output
                    for c in calls[i + 1 :]
                    if c.reply_id == call.reply_id
                    and c.clean
                    and not {"denied", "hint"} & set(corrections.get(c.msg_id, []))
                ),
                None,
            )
            options.append((tuple(k for k in kinds if k != "edited"), nxt))
        for kind_list, chosen in options:
            if chosen is None or _same_action(chosen, rejected):
                continue
            pairs.append(
                PreferencePair(
                    run_id=record.run_id,
                    reply_id=call.reply_id,
                    step=call.step,
                    kinds=kind_list,
                    prompt=call.prompt,
                    chosen=chosen,
                    rejected=rejected,
                    sys_prompt=None,
                    tools=record.tools,
                )
            )
    return pairs + fork_pairs(record) + plan_edit_pairs(record)


def _same_action(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("content") == b.get("content")


def labeled_examples(
    record: RunRecord,
    *,
    score_threshold: float = SCORE_THRESHOLD,
    include_pairs: bool = True,
    hint_sources: tuple[str, ...] = ("human",),
) -> list[LabeledExample]:
    """KTO examples, one model call each (``prompt`` is what that call saw, never empty).

    A run-level judgement labels every call of the run that ran to its end and was not
    corrected; a step-level one labels that step's call. Of an experiment's metric scores
    only the first metric's labels (it is the run's score). With ``include_pairs`` each
    preference pair adds its rejected (False) and chosen (True) action.
    """
    from ._calls import model_calls

    calls = model_calls(record, hint_sources=hint_sources)
    corrections = corrections_of(record, hint_sources)
    out: list[LabeledExample] = []

    def example(
        prompt: list[dict[str, Any]],
        completion: dict[str, Any],
        label: bool,
        source: Literal["feedback", "pair"],
    ) -> LabeledExample:
        return LabeledExample(
            record.run_id, prompt, [completion], label, source, None, record.tools
        )

    scored = [f for f in record.feedback if f.metric]  # an experiment's metrics, first last
    for item in record.feedback:
        if item.metric and item is not scored[-1]:
            continue  # only an experiment's first metric labels the run (it is its score)
        label = is_up(item.label, item.score, score_threshold)
        if label is None:
            continue
        for call in calls:
            if not call.prompt or not call.clean:
                continue
            if item.step is None:
                if call.msg_id in corrections:
                    continue  # its pair labels it
                if call.why == "thumbs_down" and label:
                    continue
                out.append(example(call.prompt, call.output, label, "feedback"))
            elif call.step == item.step and (not item.reply_id or call.reply_id == item.reply_id):
                out.append(example(call.prompt, call.output, label, "feedback"))
                break
    if include_pairs:
        for pair in preference_pairs(record, hint_sources=hint_sources):
            out.append(example(pair.prompt, pair.rejected, False, "pair"))
            out.append(example(pair.prompt, pair.chosen, True, "pair"))
    return out


__all__ = [
    "PreferencePair",
    "LabeledExample",
    "preference_pairs",
    "labeled_examples",
    "assistant_weights",
    "corrections_of",
]
