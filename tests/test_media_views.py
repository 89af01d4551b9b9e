"""Images and audio made by the multimodal tools show in the saved transcript (and the
live view's block renderer), inlined only up to a size bound."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, subscribe
from ascope_nb.message import Msg
from ascope_nb.views._html import run_html
from ascope_nb.views._media_html import MAX_INLINE_CHARS, media_html
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, ToolResponse

WAV = base64.b64encode(b"RIFF" + b"\0" * 60).decode()
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 40).decode()


def speak(text: str) -> ToolResponse:
    """Say a text aloud (a stand-in for openai_text_to_audio: the same block shape).

    Args:
        text: What to say.
    """
    source = {"type": "base64", "media_type": "audio/wav", "data": WAV}
    block: Any = {"type": "audio", "source": source}
    return ToolResponse(content=[block])


def draw(prompt: str, huge: bool = False) -> ToolResponse:
    """Draw a picture (a stand-in for openai_text_to_image).

    Args:
        prompt: What to draw.
        huge: Make it larger than the inline bound.
    """
    data = "A" * (MAX_INLINE_CHARS + 4) if huge else PNG
    block: Any = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": data},
    }
    return ToolResponse(content=[block])


def _transcript(calls: list[Any]) -> str:
    toolkit = Toolkit()
    toolkit.register_tool_function(speak)
    toolkit.register_tool_function(draw)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=ScriptedModel([calls, "Done."]),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    seen: list[Event] = []

    async def go() -> None:
        with subscribe(seen.append):
            await agent(Msg("user", "make media", "user"))

    asyncio.run(go())
    return run_html([e.to_dict() for e in seen])


def test_tool_audio_and_image_render_in_the_saved_transcript() -> None:
    html = _transcript([tool_call("speak", text="hi"), tool_call("draw", prompt="a cat")])
    assert f'<audio controls preload="none" src="data:audio/wav;base64,{WAV}"></audio>' in html
    assert f'src="data:image/png;base64,{PNG}"' in html


def test_media_over_the_bound_is_named_not_inlined() -> None:
    html = _transcript([tool_call("draw", prompt="a mural", huge=True)])
    assert "too large to keep in the saved notebook" in html
    assert "A" * 1000 not in html
    assert len(html) < MAX_INLINE_CHARS // 10


def test_unsafe_sources_are_not_inlined() -> None:
    bad_type = {
        "type": "audio",
        "source": {"type": "base64", "media_type": "text/html", "data": "AAAA"},
    }
    assert "<audio" not in media_html(bad_type)
    script = {"type": "image", "source": {"type": "url", "url": "javascript:alert(1)"}}
    assert "<img" not in media_html(script) and "javascript:alert(1)" in media_html(script)
    quoted = {"type": "image", "source": {"type": "url", "url": 'https://x/a.png" onerror="x'}}
    assert 'onerror="x' not in media_html(quoted)
    assert media_html({"type": "text", "text": "hi"}) == ""
