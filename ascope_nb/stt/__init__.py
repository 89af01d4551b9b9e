"""Speech to text: the one interface every recogniser here implements.

AgentScope 1.x has no speech-to-text module of its own (its realtime models recognise speech
server-side); ``ascope_nb.stt`` is the offline path for audio a person speaks into the notebook
(the live view's microphone button) before a ReAct agent answers it. ``LocalSTTModel`` recognises English offline
(``ascope-nb[voice-local]``).

Example:
    >>> from ascope_nb.stt import STTResponse
    >>> STTResponse(text="hello").text
    'hello'
"""

from ._base import STTModelBase, STTResponse
from ._local import LocalSTTModel

__all__ = ["STTModelBase", "STTResponse", "LocalSTTModel"]
