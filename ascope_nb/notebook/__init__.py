"""Notebook layer (the magic shell): magics and the user-facing helpers on top of every layer.

``%load_ext ascope_nb`` (or ``%load_ext ascope_nb.notebook``) registers the magics; heavy
modules load when a magic first runs.
"""

from __future__ import annotations

from typing import Any

_previous_input_method: Any = None


def load_ipython_extension(ipython: Any) -> None:
    """Register ``AgentMagics`` and ``%runs``/``%export``, attach the run store (one
    warning line if it is degraded); in a kernel, UserAgents ask through the live view's box.

    Agents made in a kernel already keep quiet on the console (their events go to views).
    """
    from .magics import AgentMagics
    from .store_magics import register_store_magics

    ipython.register_magics(AgentMagics)
    register_store_magics(ipython)  # %runs, %export; attaches the run store
    from .mcp_magics import register_mcp_magics

    register_mcp_magics(ipython)  # %mcp; closes MCP clients when the kernel shuts down
    from .eval_magics import register_eval_magics

    register_eval_magics(ipython)  # %eval: experiments
    from .knowledge_magics import register_knowledge_magics  # %knowledge

    register_knowledge_magics(ipython)
    from .a2a_magics import register_a2a_magics  # %a2a serve/stop/add

    register_a2a_magics(ipython)
    from .skill_magics import register_skill_magics  # %skill

    register_skill_magics(ipython)
    from .session_magics import register_session_magics  # %session save/load

    register_session_magics(ipython)
    from .tune_magics import register_tune_magics  # %tune: train an adapter, live

    register_tune_magics(ipython)
    if getattr(ipython, "kernel", None) is not None:
        _install_notebook_input()


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics and restore the UserAgent input method."""
    global _previous_input_method

    manager = getattr(ipython, "magics_manager", None)
    if manager is not None:
        for kind, names in (
            ("cell", ("agent", "ask", "chat", "hub")),
            ("line", ("agent_memory", "runs", "ascope", "export", "hub")),
        ):
            for name in names:
                manager.magics[kind].pop(name, None)
        manager.registry.pop("AgentMagics", None)
        manager.registry.pop("StoreMagics", None)
        manager.magics["line"].pop("mcp", None)
        manager.registry.pop("McpMagics", None)
        manager.magics["line"].pop("eval", None)
        manager.registry.pop("EvalMagics", None)
        manager.magics["line"].pop("a2a", None)
        manager.registry.pop("A2AMagics", None)
        manager.magics["line"].pop("skill", None)
        manager.registry.pop("SkillMagics", None)
        manager.magics["line"].pop("tune", None)
        manager.registry.pop("TuneMagics", None)
    if _previous_input_method is not None:
        from ..agent import UserAgent

        UserAgent.override_class_input_method(_previous_input_method)
        _previous_input_method = None


def _install_notebook_input() -> None:
    global _previous_input_method

    from ..agent import UserAgent
    from ._input import NotebookUserInput

    current = UserAgent._input_method
    if isinstance(current, NotebookUserInput):
        return
    _previous_input_method = current
    UserAgent.override_class_input_method(NotebookUserInput())


__all__ = ["load_ipython_extension", "unload_ipython_extension"]
