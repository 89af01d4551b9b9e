"""``DashScopeStreamingTTSBase``: what the two DashScope streaming-input models share (the
SDK key, options, the text pushed so far, the audio received so far)."""

from __future__ import annotations

from typing import Any, ClassVar

from ..message import Msg
from ._base import TTSModelBase
from ._incremental import IncrementalText
from ._keys import set_dashscope_key
from ._response import TTSResponse


class DashScopeStreamingTTSBase(TTSModelBase):
    """Streaming-input speech over DashScope's SDK; subclasses own the SDK client and keep
    its audio callback in ``_dashscope_callback``.

    Example:
        >>> from ascope_nb.tts import DashScopeRealtimeTTSModel
        >>> issubclass(DashScopeRealtimeTTSModel, DashScopeStreamingTTSBase)
        True
    """

    supports_streaming_input = True
    _dashscope_callback: Any
    default_model: ClassVar[str]
    default_voice: ClassVar[str]

    def __init__(
        self,
        api_key: str,
        model_name: str | None = None,
        voice: str | None = None,
        stream: bool = True,
        cold_start_length: int | None = None,
        cold_start_words: int | None = None,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        max_retries: int = 3,
        retry_delay: float = 5.0,
    ) -> None:
        """``model_name`` and ``voice`` default to the class's ``default_model`` and
        ``default_voice``; ``_setup()`` then makes the subclass's SDK state."""
        model_name = self.default_model if model_name is None else model_name
        voice = self.default_voice if voice is None else voice
        super().__init__(model_name=model_name, stream=stream)
        set_dashscope_key(api_key, who=type(self).__name__)
        self._set_voice_options(voice, generate_kwargs)
        self.client_kwargs = dict(client_kwargs or {})
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self._text = IncrementalText(
            cold_start_length=cold_start_length, cold_start_words=cold_start_words
        )
        self._setup()

    def _setup(self) -> None:
        """The subclass's own state (its SDK client), made at the end of ``__init__``."""

    def _new_text(self, msg: Msg | None, *, final: bool = False) -> str:
        """The part of ``msg``'s text not sent yet ("" for none or no message)."""
        self._text.check(msg, type(self).__name__)
        if msg is None:
            return ""
        return self._text.delta(msg, final=final)

    async def _audio_so_far(self) -> TTSResponse:
        """The audio received for the pushed text (empty before any text went out)."""
        if not self._text.sent:
            return TTSResponse(content=None)
        return await self._dashscope_callback.get_audio_data(block=False)
