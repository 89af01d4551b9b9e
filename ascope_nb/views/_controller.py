"""``RunController``: what a live view's buttons drive (the ``Run`` handle implements it).

Example:
    >>> from ascope_nb.views import RunController
    >>> isinstance(object(), RunController)
    False
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable


@runtime_checkable
class RunController(Protocol):
    """What a live view's buttons drive (the ``Run`` handle implements it).

    Each method only queues a request for the running agent; a coroutine result is scheduled
    on the kernel's loop by the view.
    """

    def stop(self) -> Any: ...

    def steer(self, text: str) -> Any: ...

    def approve(self, tool_call_id: str, input: dict[str, Any] | None = None) -> Any: ...

    def deny(self, tool_call_id: str, reason: str = "") -> Any: ...

    def pause(self) -> Any: ...

    def step(self) -> Any: ...

    def resume(self) -> Any: ...

    def feedback(
        self,
        *,
        score: float | None = None,
        label: Literal["up", "down"] | None = None,
        comment: str = "",
    ) -> Any: ...

    def submit_input(self, request_id: str, text: str) -> Any: ...
