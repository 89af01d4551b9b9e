"""The ``%skill`` line magic: give a notebook agent an agent skill (a folder with ``SKILL.md``).

::

    %skill add skills/pdf-forms --agent Friday
    %skill list --agent Friday
    %skill remove pdf-forms --agent Friday

``add`` registers the skill on the agent's toolkit (its block joins the system prompt) and, if
the agent has no ``view_text_file`` tool, registers it so the agent can read ``SKILL.md``.
The agent's card is shown again with its skills. Mistakes are one line, no traceback.
"""

from __future__ import annotations

import argparse
import os
import shlex
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError

_USAGE = (
    "%skill add PATH --agent NAME | %skill list --agent NAME | %skill remove SKILL --agent NAME"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%skill: {message} (usage: {_USAGE})")


def _parse(line: str) -> argparse.Namespace:
    parser = _Parser(prog="%skill", add_help=False, allow_abbrev=False)
    parser.add_argument("action", choices=["add", "list", "remove"])
    parser.add_argument("target", nargs="?")
    parser.add_argument("--agent", required=True)
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ConfigError(f"%skill: cannot parse the line ({exc})") from None
    opts = parser.parse_args(words)
    if opts.action in ("add", "remove") and not opts.target:
        raise ConfigError(
            f"%skill {opts.action}: give a {'PATH' if opts.action == 'add' else 'SKILL'}"
        )
    if opts.action == "list" and opts.target:
        raise ConfigError("%skill list takes no positional argument")
    return opts


def _toolkit_of(agent: Any, name: str) -> Any:
    toolkit = getattr(agent, "toolkit", None)
    if toolkit is None or not hasattr(toolkit, "register_agent_skill"):
        raise ConfigError(f"%skill: agent {name!r} has no toolkit to hold skills")
    return toolkit


def add_skill(agent: Any, path: str) -> str:
    """Register the skill at ``path`` on ``agent``'s toolkit (plus ``view_text_file`` when it
    is missing); returns the line ``%skill add`` prints.

    Example:
        >>> add_skill(agent, "skills/haiku")  # doctest: +SKIP
        "skill 'haiku' added to Friday"
    """
    from ..tool import view_text_file

    toolkit = _toolkit_of(agent, agent.name)
    before = set(toolkit.skills)
    toolkit.register_agent_skill(os.path.expanduser(path))
    (name,) = set(toolkit.skills) - before
    line = f"skill {name!r} added to {agent.name}"
    if "view_text_file" not in toolkit.tools:
        toolkit.register_tool_function(view_text_file)
        line += " (and the view_text_file tool, to read SKILL.md)"
    return line


@magics_class
class SkillMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%skill add|list|remove``: agent skills of a notebook agent."""

    @line_magic
    def skill(self, line: str) -> Any:
        """%skill add PATH --agent NAME | list --agent NAME | remove SKILL --agent NAME"""
        try:
            return self._run(line)
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    def _agent(self, name: str) -> Any:
        from ..agent import AgentBase

        shell: Any = self.shell
        agent = shell.user_ns.get(name)
        if not isinstance(agent, AgentBase):
            raise ConfigError(f"%skill: no agent named {name!r} (make one with %%agent {name})")
        return agent

    def _run(self, line: str) -> Any:
        from IPython.display import display

        from ._api import AgentCard

        opts = _parse(line)
        agent = self._agent(opts.agent)
        toolkit = _toolkit_of(agent, opts.agent)
        if opts.action == "add":
            print(add_skill(agent, opts.target))
            display(AgentCard(agent))
            return None
        if opts.action == "remove":
            if opts.target not in toolkit.skills:
                known = ", ".join(toolkit.skills) or "none"
                raise ConfigError(
                    f"%skill remove: {opts.agent} has no skill {opts.target!r} (skills: {known})"
                )
            toolkit.remove_agent_skill(opts.target)
            print(f"skill {opts.target!r} removed from {opts.agent}")
            return None
        if not toolkit.skills:
            print(f"{opts.agent} has no skills")
        for skill in toolkit.skills.values():
            print(f"{skill['name']}: {skill['description']} ({skill['dir']})")
        return None


def register_skill_magics(ipython: Any) -> None:
    """Register ``%skill`` (called by ``load_ipython_extension``)."""
    ipython.register_magics(SkillMagics)
