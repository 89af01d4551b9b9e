"""DashScope SDK callback classes that feed an ``AudioBuffer`` (built when first needed,
so ``dashscope`` is imported only by the models that use it)."""

from __future__ import annotations

from typing import Any

from ._audio_buffer import AudioBuffer


def qwen_realtime_callback_class() -> type:
    """A ``QwenTtsRealtimeCallback`` that stores ``response.audio.delta`` events."""
    from dashscope.audio.qwen_tts_realtime import QwenTtsRealtimeCallback

    class QwenRealtimeAudio(AudioBuffer, QwenTtsRealtimeCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            QwenTtsRealtimeCallback.__init__(self)
            AudioBuffer.__init__(self)

        def on_event(self, response: Any) -> None:  # a dict, though the SDK says str
            kind = response.get("type")
            if kind == "response.audio.delta" and response.get("delta"):
                self.add_audio(response["delta"])
            elif kind == "session.finished":
                self.finish()
            elif kind == "error":
                self.finish(error=str(response.get("error") or response))

        def on_close(self, close_status_code: int, close_msg: str) -> None:
            dropped = close_status_code not in (None, 0, 1000)
            self.finish(error=f"closed {close_status_code}: {close_msg}" if dropped else None)

    return QwenRealtimeAudio


def cosyvoice_callback_class() -> type:
    """A CosyVoice ``ResultCallback`` that stores the PCM bytes of ``on_data``."""
    from dashscope.audio.tts_v2 import ResultCallback

    class CosyVoiceAudio(AudioBuffer, ResultCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            ResultCallback.__init__(self)
            AudioBuffer.__init__(self)

        def on_data(self, data: bytes) -> None:
            if data:
                self.add_audio(data)

        def on_complete(self) -> None:
            self.finish()

        def on_error(self, message: Any) -> None:
            self.finish(error=str(message))

        def on_close(self) -> None:
            self.finish()

    return CosyVoiceAudio
