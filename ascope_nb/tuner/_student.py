"""Load the model being trained (the student) and its tokenizer, on the CPU in float32.

``base_model`` is a ``transformers`` folder or hub id, a ``.gguf`` file (dequantized by
``transformers`` with the ``gguf`` package), or ``"embedded:0.5b"`` / ``"embedded:1.5b"``: the
embedded local model's pinned weights (``ascope-nb[local]``).

Example:
    >>> resolve_base("embedded:0.5b").name.endswith(".gguf")  # doctest: +SKIP
    True
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

TRAIN_HINT = "pip install 'ascope-nb[train]'"
EMBEDDED = "embedded:"


def missing_train_packages() -> list[str]:
    """The packages of the ``train`` extra the CPU backend needs that are not installed."""
    found = []
    for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            if importlib.util.find_spec(name) is None:
                found.append(name)
        except (ImportError, ValueError):
            found.append(name)
    return found


def require_train_extra(what: str = "the CPU training backend") -> None:
    """Raise ``ImportError`` naming the pip command when a training package is missing."""
    missing = missing_train_packages()
    if missing:
        raise ImportError(f"{what} needs {', '.join(missing)}: {TRAIN_HINT}")


def resolve_base(base_model: str | Path) -> Path | str:
    """``embedded:<size>`` as the weights file; a path as a ``Path``; else the hub id."""
    text = str(base_model)
    if text.startswith(EMBEDDED):
        from ..model._local import weights_path

        return weights_path(text[len(EMBEDDED) :])
    path = Path(text).expanduser()
    if path.exists():
        return path
    if text.endswith(".gguf"):
        raise ConfigError(f"base model {text!r}: no such GGUF file")
    return text


def is_gguf(base: Path | str) -> bool:
    """Whether ``base`` is a GGUF weights file."""
    return isinstance(base, Path) and base.is_file() and base.suffix == ".gguf"


def load_student(base_model: str | Path) -> tuple[Any, Any]:
    """The float32 model and the tokenizer of ``base_model`` (one line on failure)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = resolve_base(base_model)
    if is_gguf(base):
        assert isinstance(base, Path)
        source: dict[str, Any] = {
            "pretrained_model_name_or_path": str(base.parent),
            "gguf_file": base.name,
        }
    else:
        source = {"pretrained_model_name_or_path": str(base)}
    try:
        tokenizer = _tokenizer_type(base, AutoTokenizer).from_pretrained(**source)
        model = AutoModelForCausalLM.from_pretrained(**source, dtype=torch.float32)
    except ImportError as exc:
        raise ImportError(f"loading {base}: {exc} ({TRAIN_HINT})") from exc
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"base model {str(base)!r} cannot be loaded: {first}") from None
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and is_gguf(base):
        # the GGUF weights are already dequantized to float32 tensors; the leftover GGUF
        # quantization marker only makes the trainers refuse the model
        quantizer.remove_quantization_config(model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _tokenizer_type(base: Path | str, auto: Any) -> Any:
    """The folder's own generic fast tokenizer when it names one (``transformers`` would pick
    the model type's tokenizer class instead, which reads a word-level vocabulary wrongly)."""
    config = Path(base) / "tokenizer_config.json" if isinstance(base, Path) else None
    if config is None or not config.is_file():
        return auto
    import json

    try:
        named = json.loads(config.read_text(encoding="utf-8")).get("tokenizer_class")
    except ValueError:
        return auto
    if named in ("TokenizersBackend", "PreTrainedTokenizerFast"):
        from transformers import PreTrainedTokenizerFast

        return PreTrainedTokenizerFast
    return auto
