"""OpenAI multimodal tools: images (generate, edit, vary, describe) and audio (speak, hear).

Files are read from a local path or downloaded from an ``http(s)`` URL. Example:

    >>> from ascope_nb.tool import Toolkit
    >>> toolkit = Toolkit()
    >>> toolkit.register_tool_function(openai_text_to_image, preset_kwargs={"api_key": "sk-..."})
"""

from __future__ import annotations

import base64
import os
import urllib.parse
from io import BytesIO
from pathlib import Path
from typing import IO, Any, Literal

import requests

from ...formatter._media import image_url as _image_url
from .._response import ToolResponse
from ._common import failed, images, text

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Images and audio larger than this are refused before upload (OpenAI's own limits are
lower: 4 MB for image edits, 25 MB for transcriptions)."""


def _sdk() -> Any:
    """The ``openai`` module, looked up at call time (tests swap it in ``sys.modules``)."""
    import openai

    return openai


def _to_openai_image_url(url: str) -> str:
    """A data URL for a local image file, the web URL as it is."""
    return _image_url({"type": "url", "url": url})


def _download(url: str) -> BytesIO:
    response = requests.get(url, timeout=60)
    response.raise_for_status()
    return BytesIO(response.content)


def _parse_url(url_or_path: str) -> BytesIO | IO[bytes]:
    """The bytes at a web URL or a local path (one line ``FileNotFoundError`` if missing)."""
    if url_or_path.startswith(("http://", "https://")):
        return _download(url_or_path)
    if not os.path.exists(url_or_path):
        raise FileNotFoundError(f"File not found: {url_or_path}")
    if os.path.getsize(url_or_path) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{url_or_path} is larger than {MAX_UPLOAD_BYTES >> 20} MB")
    return open(os.path.abspath(url_or_path), "rb")  # noqa: SIM115 - handed to the SDK


def _png(url_or_path: str) -> BytesIO:
    """An image as an RGBA PNG in memory (what the edit endpoint accepts)."""
    from PIL import Image

    image: Any
    if url_or_path.startswith(("http://", "https://")):
        image = Image.open(_download(url_or_path))
    else:
        image = Image.open(url_or_path)
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "image.png"
    return buffer


def openai_text_to_image(
    prompt: str,
    api_key: str,
    n: int = 1,
    model: Literal["dall-e-2", "dall-e-3", "gpt-image-1"] = "dall-e-2",
    size: Literal["256x256", "512x512", "1024x1024", "1792x1024", "1024x1792"] = "256x256",
    quality: Literal["auto", "standard", "hd", "high", "medium", "low"] = "auto",
    style: Literal["vivid", "natural"] = "vivid",
    response_format: Literal["url", "b64_json"] = "url",
) -> ToolResponse:
    """Generate images from a text prompt with OpenAI.

    Args:
        prompt: What the image shows.
        api_key: The OpenAI key.
        n: How many images.
        model: ``dall-e-2``, ``dall-e-3`` or ``gpt-image-1`` (always base64).
        size: The image size.
        quality: The quality (not for ``dall-e-2``).
        style: ``vivid`` or ``natural`` (``dall-e-3`` only).
        response_format: ``url`` or ``b64_json``.
    """
    request: dict[str, Any] = {"model": model, "prompt": prompt, "n": n, "size": size}
    if model == "dall-e-3":
        request["style"] = style
    if model != "dall-e-2":
        request["quality"] = quality
    if model == "gpt-image-1":
        response_format = "b64_json"
    else:
        request["response_format"] = response_format
    try:
        openai = _sdk()

        response = openai.OpenAI(api_key=api_key).images.generate(**request)
        return images(response.data, response_format)
    except Exception as exc:  # noqa: BLE001 - a tool answers with the reason
        return failed("Failed to generate image: ", exc)


def openai_edit_image(
    image_url: str,
    prompt: str,
    api_key: str,
    model: Literal["dall-e-2", "gpt-image-1"] = "dall-e-2",
    mask_url: str | None = None,
    n: int = 1,
    size: Literal["256x256", "512x512", "1024x1024"] = "256x256",
    response_format: Literal["url", "b64_json"] = "url",
) -> ToolResponse:
    """Edit an image (a local path or URL) following a prompt, optionally within a mask.

    Args:
        image_url: The image to edit.
        prompt: What to change.
        api_key: The OpenAI key.
        model: ``dall-e-2`` or ``gpt-image-1`` (always base64).
        mask_url: Transparent areas mark where to edit.
        n: How many images.
        size: The image size.
        response_format: ``url`` or ``b64_json``.
    """
    try:
        openai = _sdk()

        client = openai.OpenAI(api_key=api_key)
        request: dict[str, Any] = {
            "model": model,
            "image": _png(image_url),
            "prompt": prompt,
            "n": n,
            "size": size,
        }
        if mask_url:
            request["mask"] = _png(mask_url)
        if model == "dall-e-2":
            request["response_format"] = response_format
        else:
            response_format = "b64_json"
        response = client.images.edit(**request)
        return images(response.data, response_format)
    except Exception as exc:  # noqa: BLE001
        return failed("Failed to generate image: ", exc)


def openai_create_image_variation(
    image_url: str,
    api_key: str,
    n: int = 1,
    model: Literal["dall-e-2"] = "dall-e-2",
    size: Literal["256x256", "512x512", "1024x1024"] = "256x256",
    response_format: Literal["url", "b64_json"] = "url",
) -> ToolResponse:
    """Make variations of an image (a local path or URL).

    Args:
        image_url: The image.
        api_key: The OpenAI key.
        n: How many variations.
        model: ``dall-e-2``.
        size: The image size.
        response_format: ``url`` or ``b64_json``.
    """
    image = _parse_url(image_url)
    try:
        openai = _sdk()

        client = openai.OpenAI(api_key=api_key)
        response = client.images.create_variation(model=model, image=image, n=n, size=size)
        return images(response.data, response_format)
    except Exception as exc:  # noqa: BLE001
        return failed("Failed to generate image: ", exc)


def openai_image_to_text(
    image_urls: str | list[str],
    api_key: str,
    prompt: str = "Describe the image",
    model: str = "gpt-4o",
) -> ToolResponse:
    """Describe images (local paths or URLs) with an OpenAI vision model.

    Args:
        image_urls: One image or several.
        api_key: The OpenAI key.
        prompt: The question about the images.
        model: The vision model.
    """
    urls = [image_urls] if isinstance(image_urls, str) else list(image_urls)
    content: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": _to_openai_image_url(url)}} for url in urls
    ]
    content.append({"type": "text", "text": prompt})
    try:
        openai = _sdk()

        client = openai.OpenAI(api_key=api_key)
        response = client.chat.completions.create(
            messages=[{"role": "user", "content": content}], model=model
        )
        return text(response.choices[0].message.content)
    except Exception as exc:  # noqa: BLE001
        return failed("Failed to generate text: ", exc)


def openai_text_to_audio(
    text: str,
    api_key: str,
    model: Literal["tts-1", "tts-1-hd", "gpt-4o-mini-tts"] = "tts-1",
    voice: Literal[
        "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"
    ] = "alloy",
    speed: float = 1.0,
    res_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3",
) -> ToolResponse:
    """Speak a text with OpenAI's text-to-speech; an audio block (base64).

    Args:
        text: What to say.
        api_key: The OpenAI key.
        model: The speech model.
        voice: The voice.
        speed: 0.25 to 4.0.
        res_format: The audio format.
    """
    try:
        openai = _sdk()

        client = openai.OpenAI(api_key=api_key)
        response = client.audio.speech.create(
            model=model, voice=voice, speed=speed, input=text, response_format=res_format
        )
        data = base64.b64encode(response.content).decode()
        source = {"type": "base64", "media_type": f"audio/{res_format}", "data": data}
        block: Any = {"type": "audio", "source": source}
        return ToolResponse(content=[block])
    except Exception as exc:  # noqa: BLE001
        return failed("Error: Failed to generate audio. ", exc)


def openai_audio_to_text(
    audio_file_url: str,
    api_key: str,
    language: str = "en",
    temperature: float = 0.2,
) -> ToolResponse:
    """Transcribe an audio file (a local path or URL) with Whisper.

    Args:
        audio_file_url: The audio.
        api_key: The OpenAI key.
        language: The spoken language (ISO-639-1).
        temperature: Sampling temperature.
    """
    try:
        openai = _sdk()

        client = openai.OpenAI(api_key=api_key)
        options = {"model": "whisper-1", "language": language, "temperature": temperature}
        if audio_file_url.startswith(("http://", "https://")):
            buffer = _download(audio_file_url)
            name = Path(urllib.parse.urlparse(audio_file_url).path).name
            buffer.name = name or "audio.mp3"
            result = client.audio.transcriptions.create(file=buffer, **options)
        else:
            if not os.path.exists(audio_file_url):
                raise FileNotFoundError(f"File not found: {audio_file_url}")
            with open(audio_file_url, "rb") as audio:
                result = client.audio.transcriptions.create(file=audio, **options)
        return text(result.text)
    except Exception as exc:  # noqa: BLE001
        return failed("Error: Failed to transcribe audio: ", exc)
