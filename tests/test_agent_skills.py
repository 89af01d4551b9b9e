"""Agent skills: SKILL.md front matter, the prompt block (AgentScope 1.0.21's text), bad input,
the ReActAgent's system prompt, and ``%skill`` in an in-process IPython shell."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.notebook._api import AgentCard
from ascope_nb.notebook.skill_magics import register_skill_magics
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, view_text_file

# AgentScope 1.0.21's default instruction and template, written out by hand (and compared once
# with AgentScope's own output for the same folders; see the README's "Agent skills").
INSTRUCTION = (
    "# Agent Skills\n"
    "The agent skills are a collection of folds of instructions, scripts, and resources that "
    "you can load dynamically to improve performance on specialized tasks. Each agent skill has "
    "a `SKILL.md` file in its folder that describes how to use the skill. If you want to use a "
    "skill, you MUST read its `SKILL.md` file carefully."
)


def make_skill(root: Path, folder: str, text: str) -> str:
    path = root / folder
    path.mkdir(parents=True)
    (path / "SKILL.md").write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def haiku(tmp_path: Path) -> str:
    return make_skill(
        tmp_path,
        "haiku",
        "---\nname: haiku\ndescription: Write answers as a haiku.\nlicense: MIT\n---\n"
        "# Haiku\nCount syllables: 5, 7, 5.\n",
    )


@pytest.fixture
def review(tmp_path: Path) -> str:
    return make_skill(
        tmp_path,
        "code-review",
        "---\nname: code-review\ndescription: 'Review Python code: bugs first, then style.'\n---\n",
    )


def test_prompt_text_equals_agentscope_default(haiku: str, review: str) -> None:
    toolkit = Toolkit()
    assert toolkit.get_agent_skill_prompt() is None
    toolkit.register_agent_skill(haiku)
    toolkit.register_agent_skill(review)
    assert toolkit.get_agent_skill_prompt() == (
        INSTRUCTION
        + "\n## haiku\nWrite answers as a haiku.\n"
        + f'Check "{haiku}/SKILL.md" for how to use this skill'
        + "\n## code-review\nReview Python code: bugs first, then style.\n"
        + f'Check "{review}/SKILL.md" for how to use this skill'
    )
    assert toolkit.skills["haiku"] == {
        "name": "haiku",
        "description": "Write answers as a haiku.",
        "dir": haiku,
    }


def test_custom_instruction_and_template(haiku: str) -> None:
    toolkit = Toolkit(agent_skill_instruction="SKILLS:", agent_skill_template="- {name} @ {dir}")
    toolkit.register_agent_skill(haiku)
    assert toolkit.get_agent_skill_prompt() == f"SKILLS:\n- haiku @ {haiku}"
    # AgentScope's positional order works too
    positional = Toolkit("I:", "{description}")
    positional.register_agent_skill(haiku)
    assert positional.get_agent_skill_prompt() == "I:\nWrite answers as a haiku."


def test_remove_and_register_again(haiku: str, caplog: pytest.LogCaptureFixture) -> None:
    toolkit = Toolkit()
    toolkit.register_agent_skill(haiku)
    with pytest.raises(ConfigError, match="'haiku' is already registered"):
        toolkit.register_agent_skill(haiku)
    toolkit.remove_agent_skill("haiku")
    assert toolkit.get_agent_skill_prompt() is None
    with caplog.at_level(logging.WARNING):
        toolkit.remove_agent_skill("haiku")
    assert "Agent skill 'haiku' not found" in caplog.text
    toolkit.register_agent_skill(haiku)
    assert list(toolkit.skills) == ["haiku"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# Just markdown\nno front matter\n", "missing: name, description"),
        ("---\ndescription: no name\n---\nbody", "missing: name"),
        ("---\nname: x\ndescription: ''\n---\n", "missing: description"),
        ("---\nname: [unclosed\ndescription: d\n---\n", "the YAML front matter does not parse"),
        ("---\nname: x\ndescription: d\n", "has no closing '---' line"),
        ("---\n- a list\n---\n", "missing: name, description"),
    ],
)
def test_bad_skill_md_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    folder = make_skill(tmp_path, "bad", text)
    toolkit = Toolkit()
    with pytest.raises(ConfigError) as info:
        toolkit.register_agent_skill(folder)
    line = str(info.value)
    assert "\n" not in line and message in line
    assert line.startswith(str(Path(folder) / "SKILL.md"))
    assert toolkit.skills == {}


def test_missing_folder_or_file(tmp_path: Path) -> None:
    toolkit = Toolkit()
    with pytest.raises(ConfigError, match="does not exist or is not a directory"):
        toolkit.register_agent_skill(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="must include a SKILL.md file"):
        toolkit.register_agent_skill(str(tmp_path / "empty"))


def test_front_matter_with_bom_and_non_string_values(tmp_path: Path) -> None:
    folder = make_skill(tmp_path, "n", "\ufeff---\nname: 42\ndescription: true\n---\n")
    toolkit = Toolkit()
    toolkit.register_agent_skill(folder)
    assert toolkit.skills["42"]["description"] == "True"


async def test_agent_sees_the_skill_block_and_reads_skill_md(haiku: str) -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(view_text_file)
    toolkit.register_agent_skill(haiku)
    model = ScriptedModel(
        [[tool_call("view_text_file", file_path=f"{haiku}/SKILL.md")], "Old pond / a frog"],
        stream=False,
    )
    agent = ReActAgent("Friday", "You are Friday.", model, toolkit=toolkit)
    assert agent.sys_prompt == "You are Friday.\n\n" + toolkit.get_agent_skill_prompt()
    reply = await agent(Msg("user", "Write about a frog", "user"))
    assert reply.get_text_content() == "Old pond / a frog"
    first, second = model.calls
    assert first.messages[0]["role"] == "system"
    assert first.messages[0]["content"] == [{"type": "text", "text": agent.sys_prompt}]
    assert "Count syllables: 5, 7, 5." in second.text()  # the tool result: SKILL.md's body
    toolkit.remove_agent_skill("haiku")
    assert agent.sys_prompt == "You are Friday."


# ------------------------------------------------------------------ %skill
@pytest.fixture
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    register_skill_magics(ip)
    ip.user_ns["Friday"] = ReActAgent("Friday", "You are Friday.", ScriptedModel(["ok"]))
    yield ip
    ip.user_ns.pop("Friday", None)


def _error(shell: InteractiveShell, line: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("skill", line)
    return str(info.value)


def test_skill_magic_add_list_remove(
    shell: InteractiveShell, haiku: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("skill", f"add {haiku} --agent Friday")
    out = capsys.readouterr().out
    assert "skill 'haiku' added to Friday (and the view_text_file tool" in out
    agent = shell.user_ns["Friday"]
    assert "view_text_file" in agent.toolkit.tools
    assert agent.sys_prompt.endswith(f'Check "{haiku}/SKILL.md" for how to use this skill')
    card = AgentCard(agent)
    assert card.fields()["skills"] == ["haiku"]
    assert "skills ['haiku']" in card.text()
    assert "haiku" in card._repr_mimebundle_()["text/html"]
    shell.run_line_magic("skill", "list --agent Friday")
    assert f"haiku: Write answers as a haiku. ({haiku})" in capsys.readouterr().out
    shell.run_line_magic("skill", "remove haiku --agent Friday")
    assert "removed from Friday" in capsys.readouterr().out
    assert "skills" not in AgentCard(agent).fields()


def test_skill_magic_errors_are_one_line(shell: InteractiveShell, tmp_path: Path) -> None:
    bad = make_skill(tmp_path, "bad", "no front matter")
    line = _error(shell, f"add {bad} --agent Friday")
    assert line.startswith(f"{bad}/SKILL.md: ") and "\n" not in line
    assert shell.user_ns["Friday"].toolkit.skills == {}
    assert "no agent named 'Fridy'" in _error(shell, f"add {bad} --agent Fridy")
    assert "the following arguments are required: --agent" in _error(shell, f"add {bad}")
    assert "has no skill 'x' (skills: none)" in _error(shell, "remove x --agent Friday")
    assert "give a PATH" in _error(shell, "add --agent Friday")
    assert "invalid choice: 'drop'" in _error(shell, "drop x --agent Friday")
