"""``AgentBase.print(msg, last, speech=...)`` (AgentScope 1.x): the speech reaches the message
queue and, with the last chunk, the run's events as an audio message a browser can play."""

from __future__ import annotations

import base64
from typing import Any

from ascope_nb.agent import AgentBase
from ascope_nb.events import MessageCompleted
from ascope_nb.message import Msg
from ascope_nb.run import start

PCM = b"\x01\x00" * 200


def _pcm_block() -> dict[str, Any]:
    data = base64.b64encode(PCM).decode("ascii")
    return {
        "type": "audio",
        "source": {"type": "base64", "data": data, "media_type": "audio/pcm;rate=16000"},
    }


class Speaker(AgentBase):
    """Speaks its answer while streaming it, as AgentScope's werewolves players do."""

    async def reply(self, msg: Any = None) -> Msg:
        answer = Msg(self.name, "I am the seer.", "assistant")
        await self.print(answer, False, speech=_pcm_block())
        await self.print(answer, True, speech=_pcm_block())
        return answer


async def test_speech_given_to_print_is_an_audio_message_and_is_queued() -> None:
    agent = Speaker()
    agent.name = "Player1"
    agent.set_msg_queue_enabled(True)
    run = start(agent, "who are you?")
    await run
    messages = [e.msg for e in run.events if isinstance(e, MessageCompleted)]
    audio = [
        m for m in messages if isinstance(m["content"], list) and m["content"][0]["type"] == "audio"
    ]
    assert len(audio) == 1  # only the last chunk's speech is shown
    source = audio[0]["content"][0]["source"]
    wav = base64.b64decode(source["data"])
    assert source["media_type"] == "audio/wav" and wav[:4] == b"RIFF" and wav.endswith(PCM)
    text = next(m for m in messages if m["content"] == "I am the seer.")
    assert audio[0]["metadata"] == {"speech_of": text["id"]}
    queued = [agent.msg_queue.get_nowait() for _ in range(agent.msg_queue.qsize())]
    assert [(last, speech["type"]) for _, last, speech in queued] == [
        (False, "audio"),
        (True, "audio"),
    ]


async def test_print_without_speech_emits_no_audio() -> None:
    class Quiet(AgentBase):
        async def reply(self, msg: Any = None) -> Msg:
            answer = Msg("Quiet", "hello", "assistant")
            await self.print(answer)
            return answer

    run = start(Quiet(), "hi")
    await run
    kinds = [
        block.get("type")
        for e in run.events
        if isinstance(e, MessageCompleted) and isinstance(e.msg["content"], list)
        for block in e.msg["content"]
    ]
    assert "audio" not in kinds
