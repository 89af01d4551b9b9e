"""Convert a peft LoRA adapter into a GGUF LoRA file that llama.cpp applies at serving time.

The file is what llama.cpp's ``convert_lora_to_gguf.py`` writes and ``llama_adapter_lora_init``
reads: ``general.type = "adapter"``, ``general.architecture`` = the base model's,
``adapter.type = "lora"``, ``adapter.lora.alpha``, and per adapted weight a pair
``blk.N.attn_q.weight.lora_a`` (rank x in) / ``.lora_b`` (out x rank), named by the ``gguf``
package's tensor map. llama.cpp scales by alpha / rank, as peft does.

Example:
    >>> adapter_to_gguf("adapters/v1", base_gguf="qwen2.5-0.5b.gguf")  # doctest: +SKIP
    PosixPath('adapters/v1/adapter.gguf')
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

GGUF_NAME = "adapter.gguf"
# llama.cpp's converter reorders the q/k rows of these architectures (rotary layout)
_PERMUTED = {"llama", "mistral"}
_HF_TO_ARCH = {"qwen2": "qwen2", "llama": "llama", "mistral": "llama", "qwen3": "qwen3"}
_PEFT_KEY = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<part>[AB])\.weight$")


def _trained_on_gguf(folder: Path) -> Path | None:
    """The GGUF file the adapter's manifest names as its base (None: not a GGUF, or no
    manifest)."""
    from ._manifest import MANIFEST_NAME
    from ._student import resolve_base

    if not (folder / MANIFEST_NAME).is_file():
        return None
    base = _read_json(folder / MANIFEST_NAME).get("base_model")
    if not isinstance(base, str):
        return None
    try:
        path = resolve_base(base)
    except Exception:  # noqa: BLE001 - weights not installed here: fall back to arch
        return None
    return path if isinstance(path, Path) and path.suffix == ".gguf" and path.is_file() else None


def adapter_to_gguf(
    adapter_dir: str | Path,
    out_path: str | Path | None = None,
    *,
    base_gguf: str | Path | None = None,
    arch: str | None = None,
) -> Path:
    """Write ``adapter_dir``'s LoRA (peft ``adapter_model.safetensors``) as a GGUF LoRA.

    ``base_gguf`` (the model the adapter was trained on) gives the architecture and is
    checked: every adapted tensor must exist in it with matching shape, else one
    ``ConfigError`` line naming the tensor. Without it, the base named in the adapter's
    ``ascope_adapter.json`` is used when it is a GGUF (``embedded:0.5b`` or a ``.gguf``
    path); else ``arch`` (default: from the base model's config, e.g. ``qwen2``).
    """
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    folder = Path(adapter_dir)
    config = _read_json(folder / "adapter_config.json")
    weights_file = folder / "adapter_model.safetensors"
    if not weights_file.is_file():
        raise ConfigError(f"{folder}: no adapter_model.safetensors (a peft LoRA adapter folder)")
    if config.get("use_rslora") or config.get("use_dora"):
        raise ConfigError(f"{folder}: rsLoRA/DoRA adapters are not supported by llama.cpp's LoRA")
    alpha = float(config.get("lora_alpha", config.get("r", 8)))
    if base_gguf is None and arch is None:
        base_gguf = _trained_on_gguf(folder)
    base_shapes, base_arch, n_blocks, heads = _base_info(base_gguf)
    arch = base_arch or arch or _HF_TO_ARCH.get(str(config.get("base_model_type", "")), None)
    if arch is None:
        raise ConfigError(f"{folder}: the architecture is unknown; pass base_gguf= or arch=")
    tensors = load_file(str(weights_file))
    blocks = n_blocks or 1 + max(
        (int(m.group(1)) for k in tensors if (m := re.search(r"layers\.(\d+)\.", k))), default=0
    )
    names = gguf.get_tensor_name_map(_arch_enum(gguf, arch), blocks)
    pairs: dict[str, dict[str, Any]] = {}
    for key, value in tensors.items():
        match = _PEFT_KEY.match(key)
        if match is None:
            raise ConfigError(f"{weights_file}: unexpected tensor {key!r} (not a LoRA A/B weight)")
        hf_name = match.group("module") + ".weight"
        target = names.get_name(hf_name, try_suffixes=(".weight",))
        if target is None:
            raise ConfigError(f"{weights_file}: {hf_name!r} has no GGUF name for arch {arch!r}")
        pairs.setdefault(target, {})[match.group("part")] = np.asarray(value, dtype=np.float32)

    out = Path(out_path) if out_path is not None else folder / GGUF_NAME
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    for target, pair in sorted(pairs.items()):
        if set(pair) != {"A", "B"}:
            raise ConfigError(f"{weights_file}: LoRA pair for {target!r} lacks one half")
        lora_a, lora_b = pair["A"], pair["B"]
        if arch in _PERMUTED and heads is not None:
            lora_b = _permute_rows(lora_b, target, heads)
        _check_shape(target, lora_a, lora_b, base_shapes, base_gguf)
        writer.add_tensor(target + ".lora_a", lora_a)
        writer.add_tensor(target + ".lora_b", lora_b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path.parent}: no adapter_config.json (a peft LoRA adapter folder)"
        ) from None
    except ValueError as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from None
    return data if isinstance(data, dict) else {}


def _arch_enum(gguf: Any, arch: str) -> Any:
    for value, name in gguf.MODEL_ARCH_NAMES.items():
        if name == arch:
            return value
    raise ConfigError(f"GGUF architecture {arch!r} is unknown to the gguf package")


def _base_info(
    base_gguf: str | Path | None,
) -> tuple[dict[str, tuple[int, ...]], str | None, int | None, tuple[int, int] | None]:
    """Tensor shapes (numpy order), architecture, block count and (heads, kv heads)."""
    if base_gguf is None:
        return {}, None, None, None
    import gguf

    path = Path(base_gguf)
    if not path.is_file():
        raise ConfigError(f"base_gguf {str(path)!r} is not a file")
    reader = gguf.GGUFReader(str(path))

    def field(key: str) -> Any:
        item = reader.get_field(key)
        return None if item is None else item.contents()

    arch = field("general.architecture")
    shapes = {t.name: tuple(int(n) for n in reversed(t.shape.tolist())) for t in reader.tensors}
    blocks = field(f"{arch}.block_count")
    heads = field(f"{arch}.attention.head_count")
    kv_heads = field(f"{arch}.attention.head_count_kv") or heads
    return shapes, arch, blocks, (heads, kv_heads) if heads else None


def _permute_rows(lora_b: Any, target: str, heads: tuple[int, int]) -> Any:
    if target.endswith("attn_q.weight"):
        n_head = heads[0]
    elif target.endswith("attn_k.weight"):
        n_head = heads[1]
    else:
        return lora_b
    rows = lora_b.shape[0]
    return (
        lora_b.reshape(n_head, 2, rows // n_head // 2, *lora_b.shape[1:])
        .swapaxes(1, 2)
        .reshape(lora_b.shape)
    )


def _check_shape(
    target: str,
    lora_a: Any,
    lora_b: Any,
    base_shapes: dict[str, tuple[int, ...]],
    base_gguf: str | Path | None,
) -> None:
    if lora_a.shape[0] != lora_b.shape[1]:
        raise ConfigError(f"LoRA {target!r}: rank of A {lora_a.shape} and B {lora_b.shape} differ")
    if not base_shapes:
        return
    shape = base_shapes.get(target)
    if shape is None:
        raise ConfigError(f"LoRA {target!r} does not exist in the base model {base_gguf}")
    if shape != (lora_b.shape[0], lora_a.shape[1]):
        raise ConfigError(
            f"LoRA {target!r} is {lora_b.shape[0]}x{lora_a.shape[1]} but the base model "
            f"{base_gguf} has {shape[0]}x{shape[1]} (another base model?)"
        )
