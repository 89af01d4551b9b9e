"""The text bookkeeping shared by streaming-input TTS models: send only what is new."""

from __future__ import annotations

from ..message import Msg


class IncrementalText:
    """Tracks one utterance (``msg.id``) and returns the text not yet sent.

    ``cold_start_length`` / ``cold_start_words`` hold back the first send until the text is
    that long, so the voice does not pause after a too-short first piece.

    Example:
        >>> t = IncrementalText(); m = Msg("a", "Hi", "assistant"); t.delta(m)
        'Hi'
        >>> m.content = "Hi there"; t.delta(m)
        ' there'
    """

    def __init__(
        self, *, cold_start_length: int | None = None, cold_start_words: int | None = None
    ) -> None:
        self.cold_start_length = cold_start_length
        self.cold_start_words = cold_start_words
        self.reset()

    def reset(self) -> None:
        self.msg_id: str | None = None
        self.sent = ""

    def check(self, msg: Msg | None, model: str) -> None:
        if msg is not None and self.msg_id is not None and msg.id != self.msg_id:
            raise RuntimeError(
                f"{model} speaks one message at a time: got {msg.id!r} while {self.msg_id!r} "
                "is unfinished (call synthesize() to finish it first)"
            )

    def delta(self, msg: Msg, *, final: bool = False) -> str:
        """The text to send now for ``msg`` (and remember it as sent)."""
        self.msg_id = msg.id
        text = msg.get_text_content() or ""
        if not text.startswith(self.sent):  # the text was rewritten: send from the change
            common = 0
            while common < min(len(text), len(self.sent)) and text[common] == self.sent[common]:
                common += 1
            self.sent = text[:common]
        new = text[len(self.sent) :]
        if not self.sent and not final and not self._warm_enough(new):
            return ""
        self.sent += new
        return new

    def _warm_enough(self, text: str) -> bool:
        if self.cold_start_length and len(text) < self.cold_start_length:
            return False
        return not (self.cold_start_words and len(text.split()) < self.cold_start_words)
