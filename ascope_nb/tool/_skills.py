"""Agent skills (AgentScope 1.x): folders with a ``SKILL.md`` whose front matter names them.

A skill is a folder of instructions, scripts and resources. Its ``SKILL.md`` starts with YAML
front matter::

    ---
    name: pdf-forms
    description: Fill in PDF forms with pypdf.
    ---
    How to use the skill...

``Toolkit.register_agent_skill(folder)`` reads the front matter; ``get_agent_skill_prompt()``
gives the block a ``ReActAgent`` appends to its system prompt (the same text as AgentScope
1.0.21 for the same folders and options). The agent reads ``SKILL.md`` itself with a file tool
(``view_text_file``). Front matter is parsed with PyYAML (the ``skills`` extra).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, TypedDict

from ..exceptions import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_AGENT_SKILL_INSTRUCTION = (
    "# Agent Skills\n"
    "The agent skills are a collection of folds of instructions, scripts, "
    "and resources that you can load dynamically to improve performance "
    "on specialized tasks. Each agent skill has a `SKILL.md` file in its "
    "folder that describes how to use the skill. If you want to use a "
    "skill, you MUST read its `SKILL.md` file carefully."
)
"""AgentScope 1.0.21's instruction, word for word (its typo "folds" included, so prompts and
cached prefixes match)."""

DEFAULT_AGENT_SKILL_TEMPLATE = (
    '## {name}\n{description}\nCheck "{dir}/SKILL.md" for how to use this skill'
)
"""One skill in the prompt: ``{name}``, ``{description}`` and ``{dir}`` placeholders."""

_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)


class AgentSkill(TypedDict):
    """A registered skill: its name, description and folder (AgentScope's record)."""

    name: str
    description: str
    dir: str


def read_front_matter(path: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown file as a dict (``{}`` when it has none).

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "SKILL.md"
        >>> _ = p.write_text("---\\nname: demo\\ndescription: A demo.\\n---\\nBody")
        >>> read_front_matter(str(p))
        {'name': 'demo', 'description': 'A demo.'}
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with the skills extra
        raise ConfigError("agent skills need PyYAML: pip install 'ascope-nb[skills]'") from None
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read().strip()
    if not _BOUNDARY.match(text):
        return {}
    parts = _BOUNDARY.split(text, 2)
    if len(parts) < 3:
        raise ConfigError(f"{path}: the YAML front matter has no closing '---' line")
    try:
        data = yaml.safe_load(parts[1])
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ConfigError(f"{path}: the YAML front matter does not parse ({reason})") from None
    return data if isinstance(data, dict) else {}


def load_skill(skill_dir: str) -> AgentSkill:
    """Read the skill in ``skill_dir``; a bad folder or ``SKILL.md`` is one ``ConfigError``
    line naming it.

    Example:
        >>> load_skill("/nowhere")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ascope_nb.exceptions.ConfigError: The skill directory '/nowhere' does not exist ...
    """
    if not os.path.isdir(skill_dir):
        raise ConfigError(
            f"The skill directory '{skill_dir}' does not exist or is not a directory."
        )
    path = os.path.join(skill_dir, "SKILL.md")
    if not os.path.isfile(path):
        raise ConfigError(
            f"The skill directory '{skill_dir}' must include a SKILL.md file at the top level."
        )
    meta = read_front_matter(path)
    name, description = meta.get("name"), meta.get("description")
    if not name or not description:
        missing = [k for k, v in (("name", name), ("description", description)) if not v]
        raise ConfigError(
            f"{path}: the YAML front matter must include `name` and `description` "
            f"(missing: {', '.join(missing)})."
        )
    return AgentSkill(name=str(name), description=str(description), dir=skill_dir)


class AgentSkills:
    """The skill half of the ``Toolkit``: register, remove, and the system-prompt block."""

    skills: dict[str, AgentSkill]
    _agent_skill_instruction: str
    _agent_skill_template: str

    def _init_skills(self, instruction: str | None, template: str | None) -> None:
        self.skills = {}
        self._agent_skill_instruction = instruction or DEFAULT_AGENT_SKILL_INSTRUCTION
        self._agent_skill_template = template or DEFAULT_AGENT_SKILL_TEMPLATE

    def register_agent_skill(self, skill_dir: str) -> None:
        """Register the skill in ``skill_dir`` (its ``SKILL.md`` front matter gives the name
        and description); a second skill with the same name is refused.

        Example:
            >>> from ascope_nb.tool import Toolkit
            >>> Toolkit().register_agent_skill("/nowhere")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ascope_nb.exceptions.ConfigError: The skill directory '/nowhere' does not exist ...
        """
        skill = load_skill(skill_dir)
        if skill["name"] in self.skills:
            raise ConfigError(
                f"An agent skill with name '{skill['name']}' is already registered in the "
                f"toolkit (from '{self.skills[skill['name']]['dir']}')."
            )
        self.skills[skill["name"]] = skill
        logger.info("Registered agent skill '%s' from directory '%s'.", skill["name"], skill_dir)

    def remove_agent_skill(self, name: str) -> None:
        """Remove the skill called ``name`` (a warning, not an error, when there is none)."""
        if self.skills.pop(name, None) is None:
            logger.warning("Agent skill '%s' not found in the toolkit, skipping removal.", name)

    def get_agent_skill_prompt(self) -> str | None:
        """The instruction and one templated entry per skill, joined by newlines; ``None``
        when no skill is registered. ``ReActAgent`` appends it to its system prompt."""
        if not self.skills:
            return None
        entries = [
            self._agent_skill_template.format(
                name=s["name"], description=s["description"], dir=s["dir"]
            )
            for s in self.skills.values()
        ]
        return "\n".join([self._agent_skill_instruction, *entries])
