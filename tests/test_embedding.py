"""ascope_nb.embedding: the embedded MiniLM encoder, the HTTP models, the file cache."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from ascope_nb.embedding import (
    DashScopeTextEmbedding,
    FileEmbeddingCache,
    LocalTextEmbedding,
    OllamaTextEmbedding,
    OpenAITextEmbedding,
)
from ascope_nb.embedding._minilm import MiniLMEncoder, model_dir, verify
from ascope_nb.exceptions import ConfigError
from ascope_nb.testing.openai_server import FakeOpenAIServer, fake_embedding

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A monkey is playing drums.",
    "word " * 400,  # longer than the 256-token window: truncated
]


async def test_local_model_matches_transformers_reference() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    ours = np.asarray((await LocalTextEmbedding()(SENTENCES)).embeddings)
    folder = str(model_dir())
    tok = AutoTokenizer.from_pretrained(folder)
    ref_model = AutoModel.from_pretrained(folder).eval()
    batch = tok(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = ref_model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ref = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    cosines = (ours * ref).sum(1)
    assert cosines.min() >= 0.999, cosines
    assert ours.shape == (5, 384)


async def test_local_model_similarities_make_sense() -> None:
    vecs = np.asarray((await LocalTextEmbedding()(SENTENCES[:4])).embeddings)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    sims = vecs @ vecs.T
    assert sims[0, 1] > 0.7  # eating food ~ eating bread
    assert sims[0, 1] > sims[0, 2] + 0.5 and sims[0, 1] > sims[0, 3] + 0.5
    # batch composition does not change a vector (padding is masked out)
    alone = np.asarray((await LocalTextEmbedding()([SENTENCES[2]])).embeddings[0])
    np.testing.assert_allclose(alone, vecs[2], atol=1e-5)


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    for name in ("model.safetensors", "tokenizer.json"):
        shutil.copy(model_dir() / name, tmp_path / name)
    verify(tmp_path)  # an exact copy passes
    with (tmp_path / "tokenizer.json").open("ab") as fh:
        fh.write(b" ")
    with pytest.raises(ConfigError, match="sha256"):
        MiniLMEncoder(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(ConfigError, match="missing"):
        verify(tmp_path)


async def test_local_model_uses_the_cache(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(cache_dir=str(tmp_path))
    model = LocalTextEmbedding(embedding_cache=cache)
    first = await model(["cached sentence"])
    second = await model([{"type": "text", "text": "cached sentence"}])
    assert (first.source, second.source) == ("api", "cache")
    np.testing.assert_allclose(first.embeddings, second.embeddings, atol=1e-6)
    assert len(list(tmp_path.glob("*.npy"))) == 1


async def test_openai_embedding_over_http_with_cache(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(cache_dir=str(tmp_path))
    with FakeOpenAIServer() as server:
        model = OpenAITextEmbedding(
            api_key="sk-test",
            model_name="emb",
            dimensions=16,
            embedding_cache=cache,
            base_url=server.base_url,
        )
        res = await model(["alpha", {"type": "text", "text": "beta"}])
        again = await model(["alpha", "beta"])
        assert len(server.requests) == 1  # the second call came from the cache
    np.testing.assert_allclose(res.embeddings, [fake_embedding(t, 16) for t in ("alpha", "beta")])
    assert res.usage is not None and res.usage.tokens == 2 and res.source == "api"
    assert again.source == "cache"
    np.testing.assert_allclose(again.embeddings, res.embeddings)
    assert server.requests[0]["model"] == "emb" and server.requests[0]["dimensions"] == 16


async def test_dashscope_embedding_batches_by_ten() -> None:
    with FakeOpenAIServer() as server:
        model = DashScopeTextEmbedding(
            api_key="sk-test",
            model_name="text-embedding-v4",
            dimensions=8,
            base_url=server.base_url,
        )
        texts = [f"t{i}" for i in range(23)]
        res = await model(texts)
    assert [len(r["input"]) for r in server.requests] == [10, 10, 3]
    np.testing.assert_allclose(res.embeddings, [fake_embedding(t, 8) for t in texts])


async def test_ollama_embedding_over_http() -> None:
    with FakeOpenAIServer() as server:
        host = server.base_url.removesuffix("/v1")
        res = await OllamaTextEmbedding("nomic", 8, host=host)(["hello"])
    np.testing.assert_allclose(res.embeddings, [fake_embedding("hello", 8)])
    assert server.requests[0]["model"] == "nomic"


async def test_bad_input_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="strings or text blocks"):
        await LocalTextEmbedding()([{"type": "image"}])


async def test_file_cache_limits_and_names(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(cache_dir=str(tmp_path), max_file_number=2)
    for i in range(3):
        await cache.store([[float(i)]], {"model": "m", "input": [str(i)]})
    names = {p.name for p in tmp_path.glob("*.npy")}
    expected = hashlib.sha256(b'{"model": "m", "input": ["2"]}').hexdigest() + ".npy"
    assert len(names) == 2 and expected in names
    assert await cache.retrieve({"model": "m", "input": ["0"]}) is None
    (tmp_path / expected).write_bytes(b"not numpy")  # corrupt: ignored, removed
    assert await cache.retrieve({"model": "m", "input": ["2"]}) is None
    assert not (tmp_path / expected).exists()
    with pytest.raises(FileNotFoundError):
        await cache.remove({"model": "m", "input": ["2"]})
    await cache.clear()
    assert not list(tmp_path.glob("*.npy"))


def test_in_place_gelu_is_exact_gelu_across_blocks() -> None:
    import math

    from ascope_nb.embedding._minilm import _gelu_

    rng = np.random.default_rng(3)
    x = (rng.standard_normal((131, 40)) * 4).astype(np.float32)  # 131 rows: a partial block
    x[0, :3] = [0.0, -12.0, 12.0]
    expected = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))(
        x.astype(np.float64)
    )
    out = _gelu_(x.copy())
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=2e-6, rtol=0)
