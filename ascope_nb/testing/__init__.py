"""Deterministic test doubles: scripted and function models, and a fake OpenAI server.

Example:
    >>> from ascope_nb.testing import ScriptedModel, tool_call
    >>> model = ScriptedModel([[tool_call("add", a=1, b=2)], "3"])
"""

from __future__ import annotations

from typing import Any

from .._guard import block_remote_model_requests
from ._models import FunctionModel, ModelCall, Reply, ScriptedModel, as_reply, tool_call
from ._speech_models import ScriptedSTTModel, ToneTTSModel

_SERVER_NAMES = ("FakeOpenAIServer", "FakeReply", "FakeToolCall", "ReplySpec")
_VOICE_NAMES = {"FakeTTSModel": "_fake_tts", "FakeSTTModel": "_fake_stt"}  # voice fakes
_TRAINER_NAMES = ("FakeTrainingBackend", "adapted_model")

__all__ = [
    "ScriptedModel",
    "FunctionModel",
    "Reply",
    "ModelCall",
    "tool_call",
    "as_reply",
    "block_remote_model_requests",
    "ScriptedSTTModel",
    "ToneTTSModel",
    *_SERVER_NAMES,
    *_VOICE_NAMES,
    *_TRAINER_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        from . import openai_server

        return getattr(openai_server, name)
    if name in _VOICE_NAMES:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_VOICE_NAMES[name]}"), name)
    if name in _TRAINER_NAMES:
        from . import _fake_trainer

        return getattr(_fake_trainer, name)
    raise AttributeError(f"module 'ascope_nb.testing' has no attribute {name!r}")
