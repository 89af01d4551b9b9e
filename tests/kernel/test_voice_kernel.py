"""voice_chat in a real kernel, driven by the comm messages the browser's microphone sends:
a recording uploaded in pieces, bad uploads as one notice line, Stop during synthesis, and
barge-in ordering."""

from __future__ import annotations

import base64
import io
import math
import queue
import struct
import time
import wave
from typing import Any

import pytest
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

CHAT = """
import ascope_nb
from ascope_nb.agent import ReActAgent
from ascope_nb.testing import FakeSTTModel, FakeTTSModel
tts_{tag} = FakeTTSModel(chunk_ms=100, delay=0.05)
stt_{tag} = FakeSTTModel({heard!r})
agent_{tag} = ReActAgent("Friday", "Be brief.", ScriptedModel({replies!r}))
chat_{tag} = ascope_nb.voice_chat(agent_{tag}, stt=stt_{tag}, tts=tts_{tag})
chat_{tag}
"""


def wav(seconds: float = 0.6, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(5000 * math.sin(i / 4))) for i in range(int(seconds * rate))
            )
        )
    return buffer.getvalue()


def upload(kernel: KernelDriver, comm: str, audio: bytes, upload_id: str, pieces: int = 3) -> None:
    """What voice.js sends for one recording: begin, base64 pieces, end."""
    size = -(-len(audio) // pieces)
    parts = [audio[i : i + size] for i in range(0, len(audio), size)]
    kernel.click(
        comm,
        {
            "cmd": "voice_begin",
            "upload_id": upload_id,
            "media_type": "audio/wav",
            "size": len(audio),
            "chunks": len(parts),
        },
    )
    for index, part in enumerate(parts):
        data = base64.b64encode(part).decode()
        kernel.click(
            comm, {"cmd": "voice_chunk", "upload_id": upload_id, "index": index, "data": data}
        )
    kernel.click(comm, {"cmd": "voice_end", "upload_id": upload_id})


def notices(kernel: KernelDriver, comm: str, *, want: int, timeout: float = 15) -> list[str]:
    """The notice lines the view sent to the browser (comm messages on iopub)."""
    found: list[str] = []
    end = time.monotonic() + timeout
    while len(found) < want and time.monotonic() < end:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        content: dict[str, Any] = msg["content"]
        data = content.get("data") or {}
        if content.get("comm_id") == comm and data.get("method") == "custom":
            if data["content"].get("type") == "notice":
                found.append(data["content"]["text"])
    return found


def test_a_recording_uploaded_in_pieces_is_heard_answered_and_spoken(kernel: KernelDriver) -> None:
    ex = kernel.ok(CHAT.format(tag="a", heard=["what time is it"], replies=["Noon. Bye."]))
    comm = ex.widget_comm("voice")
    audio = wav(0.6)
    upload(kernel, comm, audio, "u1", pieces=4)
    got = kernel.ok(
        """
await until(lambda: any(e.kind == "speech_ended" for e in chat_a.run.events))
json.dumps([stt_a.calls, [e.input[0]["content"] for e in chat_a.run.events if e.kind == "reply_started"],
            [e.status for e in chat_a.run.events if e.kind == "speech_ended"],
            sum(e.kind == "speech_chunk" for e in chat_a.run.events), tts_a.calls])
""",
        timeout=30,
    ).value()
    calls, heard, ended, n_chunks, spoken = got
    assert calls == [[0.6, 16000]]  # the whole recording arrived, byte for byte
    assert heard == ["what time is it"]
    assert ended == ["completed"] and n_chunks >= 2
    assert spoken == ["Noon.", "Bye."]
    # the conversation ends: its output becomes the saved transcript, speech bounded
    ended = kernel.ok("chat_a.close()\nawait chat_a", timeout=30)
    updates = [
        m["content"]["data"]
        for m in ended.messages
        if m["header"]["msg_type"] == "update_display_data"
    ]
    assert updates, "the live view was not replaced by the saved transcript"
    saved = [e["kind"] for e in updates[-1]["application/vnd.ascope.run+json"]["events"]]
    assert "speech_started" in saved and "speech_ended" in saved and "speech_chunk" not in saved
    assert '<audio controls preload="none" src="data:audio/wav;base64,' in updates[-1]["text/html"]


@pytest.mark.parametrize(
    ("messages", "said"),
    [
        (
            [
                {
                    "cmd": "voice_begin",
                    "upload_id": "big",
                    "media_type": "audio/wav",
                    "size": 64 * 1024 * 1024,
                    "chunks": 1,
                }
            ],
            "voice: recording 'big' is 67,108,864 bytes; the limit is 8,388,608",
        ),
        (
            [
                {
                    "cmd": "voice_begin",
                    "upload_id": "g",
                    "media_type": "audio/wav",
                    "size": 9,
                    "chunks": 1,
                },
                {"cmd": "voice_chunk", "upload_id": "g", "index": 0, "data": "@@not base64@@"},
            ],
            "voice: recording 'g': piece 0 is not valid base64",
        ),
        (
            [
                {
                    "cmd": "voice_begin",
                    "upload_id": "o",
                    "media_type": "audio/wav",
                    "size": 8,
                    "chunks": 2,
                },
                {"cmd": "voice_chunk", "upload_id": "o", "index": 1, "data": "AAAA"},
            ],
            "voice: recording 'o': piece 1 arrived, expected 0 of 2",
        ),
        (
            [
                {
                    "cmd": "voice_begin",
                    "upload_id": "x",
                    "media_type": "audio/wav",
                    "size": 21,
                    "chunks": 1,
                },
                {
                    "cmd": "voice_chunk",
                    "upload_id": "x",
                    "index": 0,
                    "data": base64.b64encode(b"garbled audio bytes!!").decode(),
                },
                {"cmd": "voice_end", "upload_id": "x"},
            ],
            "voice: not a WAV recording (21 bytes)",
        ),
    ],
    ids=["oversize", "bad-base64", "out-of-order", "garbled-wav"],
)
def test_a_bad_upload_is_one_notice_line_and_the_next_recording_works(
    kernel: KernelDriver, messages: list[dict[str, Any]], said: str
) -> None:
    tag = f"b{abs(hash(said)) % 10_000}"
    ex = kernel.ok(CHAT.format(tag=tag, heard=["hello"], replies=["Hi."]))
    comm = ex.widget_comm("voice")
    kernel.drain_iopub()
    for msg in messages:
        kernel.click(comm, msg)
    (line,) = notices(kernel, comm, want=1)
    assert line.startswith(said) and "\n" not in line
    upload(kernel, comm, wav(), "good")
    replies = kernel.ok(
        f"""
await until(lambda: any(e.kind == "reply_ended" for e in chat_{tag}.run.events))
json.dumps([e.status for e in chat_{tag}.run.events if e.kind == "reply_ended"])
""",
        timeout=30,
    ).value()
    assert replies == ["completed"]


def test_stop_during_synthesis_cuts_speech_and_synthesis_and_ends_the_chat(
    kernel: KernelDriver,
) -> None:
    ex = kernel.ok(
        CHAT.format(tag="s", heard=["count"], replies=["One. Two. Three. Four. Five. Six."])
    )
    comm = ex.widget_comm("voice")
    upload(kernel, comm, wav(), "u1")
    kernel.ok(
        "await until(lambda: any(e.kind == 'speech_chunk' for e in chat_s.run.events))", timeout=30
    )
    kernel.click(comm, {"cmd": "stop"})
    got = kernel.ok(
        """
await until(lambda: any(e.kind == "speech_ended" for e in chat_s.run.events))
sent = tts_s.chunks_sent
await asyncio.sleep(0.5)
ev = chat_s.run.events
end = [e for e in ev if e.kind == "speech_ended"][0]
json.dumps([end.status, any(e.kind == "speech_chunk" and e.seq > end.seq for e in ev),
            tts_s.chunks_sent == sent, [e.status for e in ev if e.kind == "reply_ended"],
            (await asyncio.wait_for(chat_s.run.wait(), 10)) is None, chat_s.run.status])
""",
        timeout=30,
    ).value()
    status, chunk_after, synthesis_stopped, replies, _, run_status = got
    assert status == "interrupted"
    assert not chunk_after
    assert synthesis_stopped
    assert replies == ["interrupted"]
    assert run_status == "interrupted"  # Stop ends the conversation


def test_barge_in_interrupts_the_reply_then_answers_the_new_utterance(kernel: KernelDriver) -> None:
    ex = kernel.ok(
        CHAT.format(
            tag="g",
            heard=["tell me a story", "stop, be brief"],
            replies=["Once upon a time. " * 5, "Brief."],
        )
    )
    comm = ex.widget_comm("voice")
    upload(kernel, comm, wav(), "u1")
    kernel.ok(
        "await until(lambda: any(e.kind == 'speech_chunk' for e in chat_g.run.events))", timeout=30
    )
    kernel.click(comm, {"cmd": "barge_in"})  # the person starts talking...
    upload(kernel, comm, wav(0.8), "u2")  # ...and sends what they said
    order = kernel.ok(
        """
await until(lambda: sum(e.kind == "reply_ended" for e in chat_g.run.events) == 2)
json.dumps([[e.kind, getattr(e, "status", None) or (e.input[0]["content"] if e.kind == "reply_started" else None)]
            for e in chat_g.run.events if e.kind in ("reply_started", "speech_ended", "reply_ended")])
""",
        timeout=30,
    ).value()
    assert order == [
        ["reply_started", "tell me a story"],
        ["speech_ended", "interrupted"],
        ["reply_ended", "interrupted"],
        ["reply_started", "stop, be brief"],
        ["speech_ended", "completed"],
        ["reply_ended", "completed"],
    ]
