"""Text to speech: real-time factor and time to first audio after the first text token.

Offline: ``LocalTTSModel`` (Piper en_US-joe-medium on onnxruntime, ``--threads`` CPU threads).
Against the fake streaming server: ``OpenAITTSModel(stream=True)`` talking HTTP to
``ascope_nb.testing.speech_server.FakeSpeechServer`` on 127.0.0.1 (a tone, so the numbers
are the package's and the protocol's overhead, not a real voice's).

Scenarios (each ``--repeats`` times, the median printed):
- ``rtf``: synthesis wall time / audio duration for a 5-sentence paragraph (warm model).
  ``rtf.cpu`` divides the process's CPU time instead (what the synthesis costs, whatever else
  runs on the machine); ``rtf.1thread`` is the wall RTF with one onnxruntime thread.
- ``stt.rtf``: ``LocalSTTModel`` recognising the same speech (wall / audio length, warm).
- ``cold``: the first call in a fresh model (voice load, sha256 check, lexicon load).
- ``ttfa.push``: text arrives as LLM tokens (``--token-ms`` apart); each is ``push``-ed;
  time from the first token to the first audio returned (streaming input).
- ``ttfa.stream``: the whole text is known; ``synthesize`` with ``stream=True``; time to
  the first chunk. For the fake server the text must be complete before the request, so
  its time to first audio after the first token adds the text's own streaming time.

Prints a Markdown table (``id | value | unit | note``); ``--json`` writes the raw numbers.

Example:
    $ python benchmarks/tts_bench.py --repeats 5 --threads 2
    $ python benchmarks/tts_bench.py --repeats 1 --quick   # the smoke test's size
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import statistics
import time
import wave
from typing import Any

PARAGRAPH = (
    "Good morning, and welcome to the notebook. The agent has read your question and checked "
    "the weather service. Tomorrow will be sunny in the morning, with clouds later in the "
    "afternoon. The temperature will reach twenty three degrees. Remember to bring a light "
    "jacket for the evening."
)
QUICK = "Hello from the notebook. The weather is sunny today."


def _seconds(block: dict[str, Any], default_rate: int = 24000) -> float:
    data = base64.b64decode(block["source"]["data"])
    if block["source"]["media_type"] == "audio/wav":
        with wave.open(io.BytesIO(data), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    return len(data) / 2 / default_rate


async def _local_rtf(text: str, threads: int) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of all this process's threads, audio seconds)."""
    from ascope_nb.message import Msg
    from ascope_nb.tts import LocalTTSModel

    tts = LocalTTSModel(stream=False, threads=threads)
    started, cpu = time.perf_counter(), time.process_time()
    speech = await tts.synthesize(Msg("a", text, "assistant"))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall, cpu, _seconds(speech.content)


async def _local_stt_rtf(text: str, threads: int) -> tuple[float, float]:
    """(wall seconds, audio seconds) to recognise ``text`` spoken by the local voice."""
    from ascope_nb.message import Msg
    from ascope_nb.stt import LocalSTTModel
    from ascope_nb.tts import LocalTTSModel

    speech = await LocalTTSModel(stream=False, threads=threads).synthesize(
        Msg("a", text, "assistant")
    )
    audio = base64.b64decode(speech.content["source"]["data"])
    stt = LocalSTTModel(threads=threads)
    await stt.transcribe(audio)  # load once
    started = time.perf_counter()
    await stt.transcribe(audio)
    return time.perf_counter() - started, _seconds(speech.content)


async def _local_push_ttfa(text: str, threads: int, token_ms: float) -> float:
    from ascope_nb.message import Msg
    from ascope_nb.tts import LocalTTSModel

    tts = LocalTTSModel(stream=True, threads=threads)
    await tts.connect()
    msg = Msg("a", "", "assistant")
    tokens = text.split(" ")
    first = time.perf_counter()
    for token in tokens:
        msg.content = f"{msg.content} {token}".strip()
        reply = await tts.push(msg)
        if reply.content is not None:
            await tts.close()
            return time.perf_counter() - first
        await asyncio.sleep(token_ms / 1000)
    async for chunk in await tts.synthesize(msg):
        if chunk.content is not None:
            break
    return time.perf_counter() - first


async def _local_stream_ttfa(text: str, threads: int) -> float:
    from ascope_nb.message import Msg
    from ascope_nb.tts import LocalTTSModel

    tts = LocalTTSModel(stream=True, threads=threads)
    await tts.connect()
    started = time.perf_counter()
    stream = await tts.synthesize(Msg("a", text, "assistant"))
    await stream.__anext__()
    elapsed = time.perf_counter() - started
    await stream.aclose()
    return elapsed


async def _fake_server(text: str) -> tuple[float, float, float]:
    """(time to first chunk, wall time, audio seconds) of OpenAITTSModel on the fake server."""
    from ascope_nb.message import Msg
    from ascope_nb.testing.speech_server import FakeSpeechServer
    from ascope_nb.tts import OpenAITTSModel

    with FakeSpeechServer() as server:
        tts = OpenAITTSModel(
            api_key="sk-bench",
            stream=True,
            client_kwargs={"base_url": server.base_url, "max_retries": 0},
        )
        started = time.perf_counter()
        first, audio = 0.0, 0.0
        async for chunk in await tts.synthesize(Msg("a", text, "assistant")):
            if chunk.content is None or chunk.is_last:
                continue
            if not first:
                first = time.perf_counter() - started
            audio += _seconds(chunk.content)
        wall = time.perf_counter() - started
        await tts._client.close()
        return first, wall, audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--token-ms", type=float, default=25.0, help="gap between LLM tokens")
    parser.add_argument("--quick", action="store_true", help="a two-sentence text (smoke test)")
    parser.add_argument("--json", default=None, help="write the raw numbers here")
    args = parser.parse_args()
    text = QUICK if args.quick else PARAGRAPH
    words = len(text.split())
    raw: dict[str, Any] = {"words": words, "threads": args.threads, "token_ms": args.token_ms}

    raw["cold_s"] = asyncio.run(_local_rtf(text, args.threads))[0]
    runs = [asyncio.run(_local_rtf(text, args.threads)) for _ in range(args.repeats)]
    raw["rtf"] = [wall / audio for wall, _, audio in runs]
    raw["rtf_cpu"] = [cpu / audio for _, cpu, audio in runs]
    raw["audio_s"] = statistics.median(audio for _, _, audio in runs)
    one = [asyncio.run(_local_rtf(text, 1)) for _ in range(args.repeats)]
    raw["rtf_1thread"] = [wall / audio for wall, _, audio in one]
    raw["load_avg"] = os.getloadavg()
    raw["ttfa_push"] = [
        asyncio.run(_local_push_ttfa(text, args.threads, args.token_ms))
        for _ in range(args.repeats)
    ]
    raw["ttfa_stream"] = [
        asyncio.run(_local_stream_ttfa(text, args.threads)) for _ in range(args.repeats)
    ]
    stt = [asyncio.run(_local_stt_rtf(text, args.threads)) for _ in range(args.repeats)]
    raw["stt_rtf"] = [wall / audio for wall, audio in stt]
    fake = [asyncio.run(_fake_server(text)) for _ in range(args.repeats)]
    raw["fake_first_chunk"] = [f[0] for f in fake]
    raw["fake_rtf"] = [f[1] / f[2] for f in fake]
    typing_s = (words - 1) * args.token_ms / 1000
    med = statistics.median
    rows = [
        ("local.rtf", f"{med(raw['rtf']):.3f}", "x", f"{raw['audio_s']:.1f} s of audio, {words} words"),
        ("local.rtf.cpu", f"{med(raw['rtf_cpu']):.3f}", "x", "CPU seconds (all threads) / audio second"),
        ("local.rtf.1thread", f"{med(raw['rtf_1thread']):.3f}", "x", "threads=1"),
        ("local.cold", f"{raw['cold_s']:.2f}", "s", "first call (the whole text): voice load + sha256 + lexicon + synthesis"),
        ("local.ttfa.push", f"{med(raw['ttfa_push']) * 1000:.0f}", "ms", f"tokens {args.token_ms:g} ms apart"),
        ("local.ttfa.stream", f"{med(raw['ttfa_stream']) * 1000:.0f}", "ms", "after the whole text"),
        ("local.stt.rtf", f"{med(raw['stt_rtf']):.3f}", "x", "LocalSTTModel on the same speech"),
        ("fake.first_chunk", f"{med(raw['fake_first_chunk']) * 1000:.1f}", "ms", "after the whole text"),
        (
            "fake.ttfa.first_token",
            f"{(typing_s + med(raw['fake_first_chunk'])) * 1000:.0f}",
            "ms",
            f"text typed for {typing_s * 1000:.0f} ms first (whole-text API)",
        ),
        ("fake.rtf", f"{med(raw['fake_rtf']):.4f}", "x", "wall / tone length (protocol overhead)"),
    ]  # fmt: skip
    print("| id | value | unit | note |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(raw, out, indent=1)


if __name__ == "__main__":
    main()
