"""``%skill`` in a real kernel: add a skill to a ``%%agent``, its card lists it, the system
prompt carries the block; a bad ``SKILL.md`` is one line on stderr and changes nothing."""

from __future__ import annotations

from pathlib import Path

from kernel_driver import KernelDriver


def test_skill_magic_in_a_kernel(kernel: KernelDriver, tmp_path: Path) -> None:
    good = tmp_path / "haiku"
    good.mkdir()
    (good / "SKILL.md").write_text("---\nname: haiku\ndescription: Answer as a haiku.\n---\nBody\n")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\ndescription: no name here\n---\n")

    kernel.ok('sk = ScriptedModel(["ok"])')
    kernel.ok("%%agent Skilled --model sk\nYou are Skilled.")
    ex = kernel.ok(f"%skill add {good} --agent Skilled")
    assert "skill 'haiku' added to Skilled" in ex.stdout
    cards = [o["text/plain"] for o in ex.outputs if "text/plain" in o]
    assert any("skills ['haiku']" in c for c in cards), cards
    state = kernel.ok(
        "json.dumps([Skilled.sys_prompt.startswith('You are Skilled.\\n\\n# Agent Skills'),"
        " sorted(Skilled.toolkit.skills), 'view_text_file' in Skilled.toolkit.tools])"
    ).value()
    assert state == [True, ["haiku"], True]

    ex = kernel.execute(f"%skill add {bad} --agent Skilled")
    assert ex.status == "error" and ex.errors == []
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1, ex.stderr
    assert f"{bad / 'SKILL.md'}: the YAML front matter must include" in lines[0]
    assert "(missing: name)" in lines[0]
    assert kernel.ok("json.dumps(sorted(Skilled.toolkit.skills))").value() == ["haiku"]
