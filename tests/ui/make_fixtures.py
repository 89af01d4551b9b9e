"""Write the fixture notebooks of the browser tests (``tests/ui/notebooks/*.ipynb``).

The notebooks are committed; rerun this after changing a fixture:

    python tests/ui/make_fixtures.py

Every fixture uses a ``ScriptedModel`` (no network) and the ``%%agent`` / ``%%ask`` magics.
The specs address cells by index, so keep the cell order in sync with ``specs/fixtures.ts``.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent / "notebooks"

IMPORTS = "from ascope_nb.testing import ScriptedModel, tool_call"
ASYNC_IMPORTS = "import asyncio\n\n" + IMPORTS
CHECK = "run = _  # noqa: F821  (the Run that %%ask returned)\nawait run\n"


def _cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": None,
        "metadata": {},
        "outputs": [],
        "source": source.strip("\n").splitlines(keepends=True),
    }


def notebook(*sources: str) -> dict:
    cells = [_cell(s) for s in sources]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# Layout shared by all fixtures: 0 setup, 1 %load_ext, 2 %%agent, 3 %%ask, 4 check.
STOP = notebook(
    f'''
{ASYNC_IMPORTS}


async def slow_search(query: str) -> str:
    """Search the archive (slowly).

    Args:
        query: What to look for.
    """
    await asyncio.sleep(120)
    return f"results for {{query}}"


model = ScriptedModel(
    [
        [
            "Let me look that up carefully, one source at a time. " * 10,
            tool_call("slow_search", query="otters"),
        ],
        "Otters hold hands while they sleep.",
    ],
    token_delay=0.05,
)
''',
    "%load_ext ascope_nb",
    "%%agent Scout --model model --tools slow_search\nYou are Scout, a careful researcher.",
    "%%ask Scout\nTell me a fact about otters.",
    CHECK + "print(run.status, len(model.calls))",
)

GUIDANCE = "Answer in French please"

STEER = notebook(
    f'''
{ASYNC_IMPORTS}

GUIDANCE = "{GUIDANCE}"


async def slow_lookup(topic: str) -> str:
    """Look a topic up in the library (slowly).

    Args:
        topic: The topic.
    """
    await asyncio.sleep(20)
    return f"notes on {{topic}}"


model = ScriptedModel(
    [
        ["I will check the library first.", tool_call("slow_lookup", topic="tides")],
        "Les marées viennent de la Lune.",
    ],
    token_delay=0.02,
)
''',
    "%load_ext ascope_nb",
    "%%agent Sage --model model --tools slow_lookup\nYou are Sage.",
    "%%ask Sage\nWhy are there tides?",
    CHECK + "print(run.status, [GUIDANCE in c.text() for c in model.calls])",
)

APPROVE = notebook(
    f'''
{IMPORTS}

deleted = []


def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    deleted.append(path)
    return f"deleted {{path}}"


model = ScriptedModel(
    [
        ["I will clean up the old notes.", tool_call("delete_file", path="old_notes.txt")],
        "Understood: I left old_notes.txt in place.",
    ],
    token_delay=0.02,
)
''',
    "%load_ext ascope_nb",
    "%%agent Janitor --model model --tools delete_file --approve delete_file\nYou tidy files.",
    "%%ask Janitor\nClean up my notes.",
    CHECK + 'print(run.status, deleted, "denied" in model.calls[-1].text(), len(model.calls))',
)

SAVED = notebook(
    f'''
{IMPORTS}


def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city.
    """
    return f"Sunny in {{city}}"


model = ScriptedModel(
    [
        ["Checking the weather.", tool_call("get_weather", city="Lisbon")],
        "It is sunny in Lisbon today.",
    ],
    token_delay=0.01,
)
''',
    "%load_ext ascope_nb",
    "%%agent Forecaster --model model --tools get_weather\nYou report the weather.",
    "%%ask Forecaster\nWhat is the weather in Lisbon?",
    CHECK + "print(run.status)",
)

# Five steps through every state of the controls: running (slow tool), paused (Pause), one
# Step into a tool that needs approval (waiting), Resume, two more tool steps, the answer.
# Cells 5 and 6: the %runs table, then what the store holds as feedback.
CONTROLS = notebook(
    f'''
{ASYNC_IMPORTS}
from ascope_nb.store import default_store


async def survey(site: int) -> str:
    """Survey one site (takes a few seconds; sites 1 and 3 longer).

    Args:
        site: The site number.
    """
    await asyncio.sleep({{1: 15, 3: 6}}.get(site, 3))
    return f"site {{site}}: 12 otters"


def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    return f"deleted {{path}}"


model = ScriptedModel(
    [
        ["First I survey site 1.", tool_call("survey", site=1)],
        ["The draft is outdated; I will delete it.", tool_call("delete_file", path="draft.txt")],
        ["Now site 2.", tool_call("survey", site=2)],
        ["And site 3, the last one.", tool_call("survey", site=3)],
        "Counted 36 otters at 3 sites, 12 at each: the survey found the same family groups"
        " at every site, resting on the banks in the afternoon. 水獭很可爱。",
    ],
    token_delay=0.03,
)
''',
    "%load_ext ascope_nb",
    "%%agent Ranger --model model --tools survey,delete_file --approve delete_file\nYou count otters.",
    "%%ask Ranger\nCount the otters at the three sites.",
    CHECK + "print(run.status)",
    "%runs --agent Ranger",
    "fb = default_store().feedback([run.run_id])\nprint(list(fb['label']), list(fb['comment']))",
)

# Layout: 0 setup, 1 %load_ext, 2 the experiment (its live view), 3 check.
EXPERIMENT = notebook(
    """
import asyncio
import re

from ascope_nb import ReActAgent, experiment
from ascope_nb.testing import FunctionModel


async def add(messages, tools):
    \"\"\"Sums "a + b", but adds one when a is 3, 7, 11 or 15 (four wrong answers).\"\"\"
    await asyncio.sleep(0.4)
    content = messages[-1]["content"]  # a string, or a list of content blocks
    text = content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)
    a, b = map(int, re.findall(r"\\d+", text)[:2])
    return f"The sum is {a + b + (a % 4 == 3)}."


Adder = ReActAgent("Adder", "You add.", FunctionModel(add))
rows = [{"id": f"s{i}", "question": f"{i} + {i + 1}?", "answer": 2 * i + 1} for i in range(16)]
""",
    "%load_ext ascope_nb",
    'exp = experiment(agent=Adder, dataset=rows, input="question", target="answer",\n'
    '                 metrics=["numeric"], concurrency=2, name="ui-experiment")\nexp',
    'await exp\nprint(exp.status, exp.finished, exp.summary()["mean"][0])',
)

FORK = notebook(
    '''
import asyncio

from ascope_nb.run import runs
from ascope_nb.testing import FunctionModel, tool_call


async def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city.
    """
    await asyncio.sleep(1.0)
    return f"{city}: sunny"


async def plan(messages, tools):
    results = [m["content"] for m in messages if m["role"] == "tool"]
    if not results:
        return ["Checking.", tool_call("get_weather", city="Paris")]
    return f"Weather report: {results[-1]}"


model = FunctionModel(plan)
''',
    "%load_ext ascope_nb",
    "from ascope_nb import ReActAgent, Toolkit, start\n\ntools = Toolkit()\n"
    "tools.register_tool_function(get_weather)\n"
    'Forecaster = ReActAgent("Forecaster", "You report the weather.", model, toolkit=tools)',
    'run = start(Forecaster, "What is the weather?")\nrun  # shown as the value: stays a widget',
    "await run\nfork = runs()[-1]\nawait fork\nmeta = fork.events[0].metadata\n"
    "print(meta['parent_run_id'] == run.run_id, meta['fork_step'], meta['fork_edit'],"
    " fork.result.get_text_content())",
)

PLAN = notebook(
    f"""
{IMPORTS}


def task(name):
    return {{"name": name, "description": "Do " + name, "expected_outcome": name + " done"}}


model = ScriptedModel(
    [
        [
            tool_call(
                "create_plan",
                name="Oslo weekend",
                description="Plan a weekend in Oslo",
                expected_outcome="A schedule",
                subtasks=[task("Pick dates"), task("Book train"), task("Book hotel")],
            )
        ],
        [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
        [tool_call("finish_subtask", subtask_idx=0, subtask_outcome="May 3-5")],
        [tool_call("finish_subtask", subtask_idx=1, subtask_outcome="Night train 22:50")],
        [tool_call("finish_plan", state="done", outcome="Weekend planned")],
        "Your weekend is planned.",
    ],
    stream=False,
)
""",
    "%load_ext ascope_nb",
    "%%agent Planner --model model --approve-plan\nYou plan trips.",
    "%%ask Planner\nPlan a weekend in Oslo.",
    CHECK + 'print(run.status, "Book a night train" in model.calls[1].text())',
)

# Voice (specs/voice.spec.ts): 0 setup, 1 %load_ext, 2 voice_chat (the view with the mic),
# 3 check. The fake recogniser hears its script; the fake TTS streams an audible melody
# 1.7x faster than real time, so a story is still being synthesized and played when the
# next utterance (barge-in) or the run's Stop interrupts it.
VOICE = notebook(
    """
import asyncio, json
import ascope_nb
from ascope_nb.agent import ReActAgent
from ascope_nb.testing import FakeSTTModel, FakeTTSModel, ScriptedModel

stt = FakeSTTModel(["tell me a story", "stop, be brief", "one more story"])
tts = FakeTTSModel(chunk_ms=250, delay=0.15)  # 1.7x real time: still synthesizing when interrupted
story = "Once upon a time there was a notebook that could talk. " * 4
agent = ReActAgent("Teller", "You tell stories.", ScriptedModel([story.strip(), "Brief.", story.strip()]))
""",
    "%load_ext ascope_nb",
    "chat = ascope_nb.voice_chat(agent, stt=stt, tts=tts)\nchat",
    "await chat  # ended by the Stop button\n"
    "ev = chat.run.events\n"
    "print(json.dumps([[e.kind, getattr(e, 'status', None)] for e in ev\n"
    "                  if e.kind in ('reply_started', 'speech_ended', 'reply_ended')]),\n"
    "      [(c[1], c[0] > 0.5) for c in stt.calls], chat.run.status)",
)

# A2A: a served agent (a2a-sdk's server via ascope_nb.a2a.serve, on 127.0.0.1) called as
# a remote agent from this notebook. Its first step streams slowly, then its tool call needs
# approval (asked of this notebook's view); cell 2 binds the remote with `%a2a add`. The
# check cell says which of the remote model's requests carried the guidance sent meanwhile.
A2A_REMOTE = notebook(
    f'''
{IMPORTS}
from ascope_nb.a2a import serve
from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import TextBlock
from ascope_nb.tool import Toolkit, ToolResponse


def add(a: int, b: int) -> ToolResponse:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return ToolResponse(content=[TextBlock(type="text", text=str(a + b))])


toolkit = Toolkit()
toolkit.register_tool_function(add)
THINKING = "Let me add these two numbers with my calculator, one digit at a time. " * 4
Friday = ReActAgent(
    name="Friday",
    sys_prompt="You add numbers.",
    model=ScriptedModel([[THINKING, tool_call("add", a=1, b=2)], "It is 3."], token_delay=0.06),
    formatter=OpenAIChatFormatter(),
    toolkit=toolkit,
    require_approval="add",
)
Friday.set_console_output_enabled(False)
server = serve(Friday)
''',
    "%load_ext ascope_nb",
    "%a2a add Remote {server.url}",
    "%%ask Remote\nWhat is 1 + 2?",
    CHECK
    + "results = [b for m in await Friday.memory.get_memory() for b in m.get_content_blocks('tool_result')]\n"
    + "said = ['Please add in words.' in str(c.messages) for c in Friday.model.calls]\n"
    + "print(run.status, run.result.get_text_content(), [r['output'][0]['text'] for r in results], said)",
)

# Layout: 0 setup, 1 %load_ext, 2 %tune (the dataset, then its live progress view), 3 check.
TUNE = notebook(
    """
import json
import tempfile
from pathlib import Path

from ascope_nb.testing import FakeTrainingBackend

work = Path(tempfile.mkdtemp(prefix="ascope_ui_tune_"))
data, adapters = work / "rows.jsonl", work / "adapters"
rows = [{"prompt": [{"role": "user", "content": f"q{i}"}],
         "completion": [{"role": "assistant", "content": f"a{i}"}]} for i in range(20)]
data.write_text("".join(json.dumps(r) + "\\n" for r in rows))
trainer = FakeTrainingBackend(step_seconds=0.5)  # 20 steps, 10 s: time to press the buttons
""",
    "%load_ext ascope_nb",
    "%tune ui-fix --dataset {data} --backend trainer --adapters {adapters} --out job",
    'await job\nprint(job.status, job.step, job.artifact.label, job.artifact.manifest["parent"])',
)

FIXTURES = {
    "voice": VOICE,
    "a2a_remote": A2A_REMOTE,
    "fork": FORK,
    "stop": STOP,
    "steer": STEER,
    "approve": APPROVE,
    "saved": SAVED,
    "controls": CONTROLS,
    "experiment": EXPERIMENT,
    "plan": PLAN,
    "tune": TUNE,
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, nb in FIXTURES.items():
        (HERE / f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
