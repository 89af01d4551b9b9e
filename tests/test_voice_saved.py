"""The saved output of a spoken run is bounded: no speech chunks, short speech inlined,
long speech written beside the notebook and linked (HTML transcript and saved events)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.message import Msg
from ascope_nb.testing import FakeTTSModel, ScriptedModel
from ascope_nb.views._speech_saved import SPEECH_INLINE_BYTES
from ascope_nb.views.run_view import RUN_MIME, RunView


async def _spoken_run(text: str) -> RunView:
    agent = ReActAgent("Friday", "Be brief.", ScriptedModel([text]), tts_model=FakeTTSModel())
    events = [e async for e in agent.stream(Msg("user", "hi", "user"))]
    assert any(e.kind == "speech_chunk" for e in events)
    return RunView.from_events(events)


def _audio_blocks(payload: dict) -> list[dict]:
    return [
        b
        for e in payload["events"]
        if e["kind"] == "message_completed"
        for b in e["msg"]["content"]
        if b.get("type") == "audio"
    ]


async def test_short_speech_is_inlined_without_its_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bundle, _ = (await _spoken_run("Hello."))._repr_mimebundle_()
    payload = bundle[RUN_MIME]
    assert not any(e["kind"] == "speech_chunk" for e in payload["events"])
    assert [e["kind"] for e in payload["events"] if e["kind"].startswith("speech")] == [
        "speech_started",
        "speech_ended",
    ]
    (block,) = _audio_blocks(payload)
    assert block["source"]["type"] == "base64"
    assert 'src="data:audio/wav;base64,' in bundle["text/html"]
    assert not (tmp_path / "ascope_audio").exists()


async def test_long_speech_is_a_wav_file_beside_the_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = "A long answer that goes on. " * 6  # 168 chars * 60 ms = 10 s = 480 KB
    view = await _spoken_run(text)
    bundle, _ = view._repr_mimebundle_()
    (block,) = _audio_blocks(bundle[RUN_MIME])
    url = block["source"]["url"]
    assert (
        block["source"]["type"] == "url"
        and url.startswith("ascope_audio/")
        and url.endswith(".wav")
    )
    saved = tmp_path / url
    assert saved.stat().st_size > SPEECH_INLINE_BYTES
    with wave.open(str(saved)) as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(
            len(text.rstrip()) * 0.06, abs=0.5
        )
    html = bundle["text/html"]
    assert f'<audio controls preload="none" src="{url}"></audio>' in html
    assert "base64" not in html.split(url)[0][-200:]
    assert len(html) < SPEECH_INLINE_BYTES  # the audio is not inlined anywhere
    assert len(str(bundle[RUN_MIME])) < SPEECH_INLINE_BYTES


async def test_an_unwritable_audio_folder_is_one_line_not_a_broken_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ASCOPE_AUDIO_DIR", str(blocker / "sub"))
    view = await _spoken_run("A long answer that goes on. " * 6)
    bundle, _ = view._repr_mimebundle_()
    assert _audio_blocks(bundle[RUN_MIME]) == []
    assert "not saved" in bundle["text/html"]
    warnings = [r.getMessage() for r in caplog.records if "speech not saved" in r.getMessage()]
    assert len(warnings) == 1


async def test_a_view_opened_later_gets_no_speech_chunks_in_its_snapshot() -> None:
    view = await _spoken_run("A long answer that goes on. " * 6)
    sent: list[dict] = []
    view.send = sent.append  # type: ignore[method-assign]
    view._send_snapshot("n1")
    kinds = [e["kind"] for msg in sent for e in msg["events"]]
    assert "speech_chunk" not in kinds and "speech_started" in kinds
    assert any(e["kind"] == "speech_chunk" for e in view.events)  # kept for the store
