"""Plans an agent makes and follows, and a person can see and edit (AgentScope 1.x API).

``PlanNotebook`` keeps the current plan and offers the model eight tools; before each
reasoning step it gives a ``<system-hint>`` about where the plan stands. A ``ReActAgent``
with ``plan_notebook=`` emits every change as a ``PlanChanged`` event (live view, store,
fork) and applies a person's edits (``run.plan.add(...)``, the view's buttons) before its
next step.

Example:
    >>> nb = PlanNotebook(max_subtasks=5)
    >>> [tool.__name__ for tool in nb.list_tools()][:3]
    ['view_subtasks', 'update_subtask_state', 'finish_subtask']
"""

from ._edits import EDIT_OPS, PlanEdit, apply_edit, check_edit
from ._hint import DefaultPlanToHint
from ._meta import make_meta_planner, worker_tool
from ._model import Plan, SubTask
from ._notebook import PlanNotebook
from ._storage import InMemoryPlanStorage, PlanStorageBase

__all__ = [
    "SubTask",
    "Plan",
    "DefaultPlanToHint",
    "PlanNotebook",
    "PlanStorageBase",
    "InMemoryPlanStorage",
    "PlanEdit",
    "EDIT_OPS",
    "apply_edit",
    "check_edit",
    "make_meta_planner",
    "worker_tool",
]
