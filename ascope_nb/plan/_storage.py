"""Where finished plans are kept: ``PlanStorageBase`` and the default ``InMemoryPlanStorage``.

Example:
    >>> import asyncio
    >>> from ascope_nb.plan import Plan
    >>> storage = InMemoryPlanStorage()
    >>> plan = Plan(name="p", description="d", expected_outcome="e", subtasks=[])
    >>> asyncio.run(storage.add_plan(plan)); len(storage.plans)
    1
"""

from __future__ import annotations

from abc import abstractmethod
from collections import OrderedDict
from typing import Any

from ..exceptions import ConfigError
from ..module import StateModule
from ._model import Plan


class PlanStorageBase(StateModule):
    """The interface of a store of (historical) plans."""

    @abstractmethod
    async def add_plan(self, plan: Plan) -> None:
        """Keep ``plan``."""

    @abstractmethod
    async def delete_plan(self, plan_id: str) -> None:
        """Forget the plan ``plan_id``."""

    @abstractmethod
    async def get_plans(self) -> list[Plan]:
        """Every kept plan, oldest first."""

    @abstractmethod
    async def get_plan(self, plan_id: str) -> Plan | None:
        """The plan ``plan_id``, or None."""


def _dump(plans: OrderedDict[str, Plan]) -> dict[str, Any]:
    return {key: plan.model_dump() for key, plan in plans.items()}


def _load(data: dict[str, Any]) -> OrderedDict[str, Plan]:
    return OrderedDict((key, Plan.model_validate(value)) for key, value in data.items())


class InMemoryPlanStorage(PlanStorageBase):
    """Plans in a dict by id (saved with the agent's state)."""

    def __init__(self) -> None:
        super().__init__()
        self.plans: OrderedDict[str, Plan] = OrderedDict()
        self.register_state("plans", _dump, _load)

    async def add_plan(self, plan: Plan, override: bool = True) -> None:
        """Keep ``plan``; with ``override=False`` a plan id already kept is an error."""
        if plan.id in self.plans and not override:
            raise ConfigError(f"Plan with id {plan.id!r} already exists.")
        self.plans[plan.id] = plan

    async def delete_plan(self, plan_id: str) -> None:
        """Forget the plan ``plan_id`` (nothing happens if it is not kept)."""
        self.plans.pop(plan_id, None)

    async def get_plans(self) -> list[Plan]:
        """Every kept plan, oldest first."""
        return list(self.plans.values())

    async def get_plan(self, plan_id: str) -> Plan | None:
        """The plan ``plan_id``, or None."""
        return self.plans.get(plan_id)


__all__ = ["PlanStorageBase", "InMemoryPlanStorage"]
