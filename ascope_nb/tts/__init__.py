"""Text to speech (AgentScope 1.x ``agentscope.tts`` API): cloud models behind extras, and
``LocalTTSModel`` (offline, ``ascope-nb[voice-local]``).

Example:
    >>> from ascope_nb.tts import TTSResponse
    >>> TTSResponse(content=None).type
    'tts'
"""

from ._base import TTSModelBase
from ._cosyvoice import DashScopeCosyVoiceTTSModel
from ._cosyvoice_realtime import DashScopeCosyVoiceRealtimeTTSModel
from ._dashscope import DashScopeTTSModel
from ._dashscope_realtime import DashScopeRealtimeTTSModel
from ._gemini import GeminiTTSModel
from ._local import LocalTTSModel
from ._openai import OpenAITTSModel
from ._response import TTSResponse, TTSUsage

__all__ = [
    "TTSModelBase",
    "TTSResponse",
    "TTSUsage",
    "DashScopeTTSModel",
    "DashScopeRealtimeTTSModel",
    "GeminiTTSModel",
    "OpenAITTSModel",
    "DashScopeCosyVoiceTTSModel",
    "DashScopeCosyVoiceRealtimeTTSModel",
    "LocalTTSModel",
]
