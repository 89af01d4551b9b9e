"""Multi-agent orchestration: MsgHub and pipelines (AgentScope 1.x compatible)."""

from ._functional import FanoutPipeline, SequentialPipeline, fanout_pipeline, sequential_pipeline
from ._msghub import MsgHub
from ._stream import stream_printing_messages

__all__ = [
    "MsgHub",
    "sequential_pipeline",
    "fanout_pipeline",
    "SequentialPipeline",
    "FanoutPipeline",
    "stream_printing_messages",
]
