"""ascope_nb: build, watch, steer and harvest AgentScope-style LLM agents in Jupyter.

Import cost is kept low: the names below load their modules when first used.

Example:
    >>> import ascope_nb
    >>> ascope_nb.__version__
    '0.1.0'
    >>> ascope_nb.Msg("user", "hi", "user").get_text_content()
    'hi'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "__version__": "ascope_nb._version",
    "start": "ascope_nb.run",
    "init": "ascope_nb._init",
    "start_hub": "ascope_nb.run",
    "runs": "ascope_nb._runs_api",
    "open_run": "ascope_nb._runs_api",
    "get_run": "ascope_nb.run",
    "Run": "ascope_nb.run",
    "show": "ascope_nb.notebook._api",
    "make_agent": "ascope_nb.notebook._api",
    "warm": "ascope_nb.model._warm",
    "set_default_model": "ascope_nb.model._default",
    "load_ipython_extension": "ascope_nb.notebook",
    "unload_ipython_extension": "ascope_nb.notebook",
    "Msg": "ascope_nb.message",
    "ReActAgent": "ascope_nb.agent",
    "UserAgent": "ascope_nb.agent",
    "Toolkit": "ascope_nb.tool",
    "ToolResponse": "ascope_nb.tool",
    "InMemoryMemory": "ascope_nb.memory",
    "MsgHub": "ascope_nb.pipeline",
    "sequential_pipeline": "ascope_nb.pipeline",
    "fanout_pipeline": "ascope_nb.pipeline",
    "model_from_spec": "ascope_nb.model",
    "DemoModel": "ascope_nb.model._demo",
    "experiment": "ascope_nb.evaluate",
    "compare": "ascope_nb.evaluate",
    "tune": "ascope_nb.notebook._tune_api",
    "load_run": "ascope_nb.whatif",
    "replay": "ascope_nb.whatif",
    "diff": "ascope_nb.whatif",
    "logger": "ascope_nb._logging",
    "setup_logger": "ascope_nb._logging",
    "voice_chat": "ascope_nb.notebook.voice",
}

__all__ = [
    "__version__",
    "voice_chat",
    "init",
    "experiment",
    "compare",
    "tune",
    "load_run",
    "replay",
    "diff",
    "start",
    "start_hub",
    "runs",
    "open_run",
    "get_run",
    "Run",
    "show",
    "make_agent",
    "warm",
    "set_default_model",
    "load_ipython_extension",
    "unload_ipython_extension",
    "Msg",
    "ReActAgent",
    "UserAgent",
    "Toolkit",
    "ToolResponse",
    "InMemoryMemory",
    "MsgHub",
    "sequential_pipeline",
    "fanout_pipeline",
    "model_from_spec",
    "DemoModel",
    "logger",
    "setup_logger",
]

if TYPE_CHECKING:
    from ._init import init
    from ._logging import logger, setup_logger
    from ._runs_api import open_run, runs
    from .agent import ReActAgent, UserAgent
    from .evaluate import compare, experiment
    from .memory import InMemoryMemory
    from .message import Msg
    from .model import model_from_spec
    from .model._default import set_default_model
    from .model._demo import DemoModel
    from .model._warm import warm
    from .notebook import load_ipython_extension, unload_ipython_extension
    from .notebook._api import make_agent, show
    from .notebook._tune_api import tune
    from .notebook.voice import voice_chat
    from .pipeline import MsgHub, fanout_pipeline, sequential_pipeline
    from .run import Run, get_run, start, start_hub
    from .tool import Toolkit, ToolResponse
    from .whatif import diff, load_run, replay


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ascope_nb' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where Jupyter finds the prebuilt JupyterLab extension (``ascope_nb/labextension``).

    Example:
        >>> _jupyter_labextension_paths()[0]["dest"]
        'ascope-nb'
    """
    return [{"src": "labextension", "dest": "ascope-nb"}]
