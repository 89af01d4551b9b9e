"""``DefaultPlanToHint``: the guidance a plan gives the agent before each reasoning step.

The hint depends on where the plan stands (no plan, all to do, one subtask in progress,
some done, all done) and is wrapped in ``<system-hint>``, as in AgentScope 1.x.

Example:
    >>> DefaultPlanToHint()(None).startswith("<system-hint>If the user's query is complex")
    True
"""

from __future__ import annotations

from ._model import Plan

_OTHER_QUERY = (
    "- If the user asks you to do something unrelated to the plan, prioritize the completion "
    "of user's query first, and then return to the plan afterward."
)


class DefaultPlanToHint:
    """Turns the current plan (or None) into a hint text, or None when there is nothing to say.

    The templates are class attributes: a subclass (or an instance) may replace any of them.
    """

    hint_prefix: str = "<system-hint>"
    hint_suffix: str = "</system-hint>"

    no_plan: str = (
        "If the user's query is complex (e.g. programming a website, game or app), or requires "
        "a long chain of steps to complete (e.g. conduct research on a certain topic from "
        "different sources), you NEED to create a plan first by calling 'create_plan'. "
        "Otherwise, you can directly execute the user's query without planning."
    )
    at_the_beginning: str = (
        "The current plan:\n```\n{plan}\n```\n"
        "Your options include:\n"
        "- Mark the first subtask as 'in_progress' by calling 'update_subtask_state' with "
        "subtask_idx=0 and state='in_progress', and start executing it.\n"
        "- If the first subtask is not executable, analyze why and what you can do to advance "
        "the plan, e.g. ask user for more information, revise the plan by calling "
        "'revise_current_plan'.\n" + _OTHER_QUERY + "\n"
        "- If the user no longer wants to perform the current plan, confirm with the user and "
        "call the 'finish_plan' function.\n"
    )
    when_a_subtask_in_progress: str = (
        "The current plan:\n```\n{plan}\n```\n"
        "Now the subtask at index {subtask_idx}, named '{subtask_name}', is 'in_progress'. "
        "Its details are as follows:\n```\n{subtask}\n```\n"
        "Your options include:\n"
        "- Go on execute the subtask and get the outcome.\n"
        "- Call 'finish_subtask' with the specific outcome if the subtask is finished.\n"
        "- Ask the user for more information if you need.\n"
        "- Revise the plan by calling 'revise_current_plan' if necessary.\n" + _OTHER_QUERY
    )
    when_no_subtask_in_progress: str = (
        "The current plan:\n```\n{plan}\n```\n"
        "The first {index} subtasks are done, and there is no subtask 'in_progress'. Now Your "
        "options include:\n"
        "- Mark the next subtask as 'in_progress' by calling 'update_subtask_state', and start "
        "executing it.\n"
        "- Ask the user for more information if you need.\n"
        "- Revise the plan by calling 'revise_current_plan' if necessary.\n" + _OTHER_QUERY
    )
    at_the_end: str = (
        "The current plan:\n```\n{plan}\n```\n"
        "All the subtasks are done. Now your options are:\n"
        "- Finish the plan by calling 'finish_plan' with the specific outcome, and summarize "
        "the whole process and outcome to the user.\n"
        "- Revise the plan by calling 'revise_current_plan' if necessary.\n" + _OTHER_QUERY
    )

    def __call__(self, plan: Plan | None) -> str | None:
        """The hint for ``plan`` wrapped in the prefix and suffix, or None."""
        hint = self.no_plan if plan is None else self._for_plan(plan)
        return f"{self.hint_prefix}{hint}{self.hint_suffix}" if hint else hint

    def _for_plan(self, plan: Plan) -> str | None:
        states = [s.state for s in plan.subtasks]
        n_done = states.count("done")
        busy = [i for i, state in enumerate(states) if state == "in_progress"]
        markdown = plan.to_markdown()
        if not busy and n_done == 0:
            return self.at_the_beginning.format(plan=markdown)
        if busy:
            index = busy[-1]
            subtask = plan.subtasks[index]
            return self.when_a_subtask_in_progress.format(
                plan=markdown,
                subtask_idx=index,
                subtask_name=subtask.name,
                subtask=subtask.to_markdown(detailed=True),
            )
        if n_done + states.count("abandoned") == len(states):
            return self.at_the_end.format(plan=markdown)
        return self.when_no_subtask_in_progress.format(plan=markdown, index=n_done)


__all__ = ["DefaultPlanToHint"]
