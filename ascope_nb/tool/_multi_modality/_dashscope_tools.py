"""DashScope multimodal tools: text to image (Wanx), image to text (Qwen-VL), text to speech.

Example:

    >>> from ascope_nb.tool import Toolkit
    >>> toolkit = Toolkit()
    >>> toolkit.register_tool_function(dashscope_text_to_image, preset_kwargs={"api_key": "sk-..."})
"""

from __future__ import annotations

import base64
import importlib
import os
from collections.abc import Sequence
from typing import Any, Literal

from ...formatter._history import web_bytes as _get_bytes_from_web_url
from .._response import ToolResponse
from ._common import failed, text


def dashscope_text_to_image(
    prompt: str,
    api_key: str,
    n: int = 1,
    size: Literal["1024*1024", "720*1280", "1280*720"] = "1024*1024",
    model: str = "wanx-v1",
    use_base64: bool = False,
) -> ToolResponse:
    """Generate images from a text prompt with DashScope.

    Args:
        prompt: What the image shows.
        api_key: The DashScope key.
        n: How many images.
        size: The image size.
        model: The image model.
        use_base64: Download the images and return them as base64 instead of URLs.
    """
    try:
        dashscope: Any = importlib.import_module("dashscope")

        response = dashscope.ImageSynthesis.call(
            model=model, prompt=prompt, api_key=api_key, n=n, size=size
        )
        urls = [item["url"] for item in response.output["results"]]
        blocks: list[Any] = []
        for url in urls:
            if use_base64:
                extension = url.split(".")[-1].lower()
                source = {
                    "type": "base64",
                    "media_type": f"image/{extension}",
                    "data": _get_bytes_from_web_url(url),
                }
            else:
                source = {"type": "url", "url": url}
            blocks.append({"type": "image", "source": source})
        return ToolResponse(content=blocks)
    except Exception as exc:  # noqa: BLE001 - a tool answers with the reason
        return failed("Failed to generate images: ", exc)


def dashscope_image_to_text(
    image_urls: str | Sequence[str],
    api_key: str,
    prompt: str = "Describe the image",
    model: str = "qwen-vl-plus",
) -> ToolResponse:
    """Describe images (local paths or URLs) with a DashScope vision model.

    Args:
        image_urls: One image or several.
        api_key: The DashScope key.
        prompt: The question about the images.
        model: The vision model.
    """
    urls = [image_urls] if isinstance(image_urls, str) else list(image_urls)
    resolved: list[str] = []
    for url in urls:
        if os.path.exists(url):
            if not os.path.isfile(url):
                return text(f'Error: The input image url "{url}" is not a file.')
            resolved.append(os.path.abspath(url))
        else:
            resolved.append(url)
    content: list[dict[str, str]] = [{"image": url} for url in resolved]
    content.append({"text": prompt})
    messages = [
        {"role": "system", "content": [{"text": "You are a helpful assistant."}]},
        {"role": "user", "content": content},
    ]
    try:
        dashscope: Any = importlib.import_module("dashscope")

        response = dashscope.MultiModalConversation.call(
            model=model, messages=messages, api_key=api_key
        )
        answer = response.output["choices"][0]["message"]["content"]
        if isinstance(answer, list):
            answer = answer[0]["text"]
        if answer is None:
            return text("Error: Failed to generate text")
        return text(answer)
    except Exception as exc:  # noqa: BLE001
        return failed("Failed to generate text: ", exc)


def dashscope_text_to_audio(
    text: str,
    api_key: str,
    model: str = "sambert-zhichu-v1",
    sample_rate: int = 48000,
) -> ToolResponse:
    """Speak a text with DashScope's speech synthesis; an audio block (base64 WAV).

    Args:
        text: What to say.
        api_key: The DashScope key.
        model: The voice model.
        sample_rate: The sample rate in Hz.
    """
    try:
        dashscope: Any = importlib.import_module("dashscope")

        dashscope.api_key = api_key
        result = dashscope.audio.tts.SpeechSynthesizer.call(
            model=model, text=text, sample_rate=sample_rate, format="wav"
        )
        audio = result.get_audio_data()
        if audio is None:
            return ToolResponse(
                content=[{"type": "text", "text": "Error: Failed to generate audio"}]
            )
        source = {
            "type": "base64",
            "media_type": "audio/wav",
            "data": base64.b64encode(audio).decode(),
        }
        block: Any = {"type": "audio", "source": source}
        return ToolResponse(content=[block])
    except Exception as exc:  # noqa: BLE001
        return failed("Failed to generate audio: ", exc)
