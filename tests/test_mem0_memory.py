"""``Mem0LongTermMemory`` against a fake ``mem0`` package (mem0ai pins an older protobuf than
the venv's, so the SDK is faked in ``sys.modules`` as AgentScope's tests fake cloud SDKs)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, field_validator

from ascope_nb.embedding import EmbeddingModelBase, EmbeddingResponse
from ascope_nb.memory import Mem0LongTermMemory
from ascope_nb.message import Msg
from ascope_nb.testing import ScriptedModel


class BaseLlmConfig(types.SimpleNamespace):
    """mem0's factories build the provider's config from ``LlmConfig.config``'s items."""


class LlmFactory:
    provider_to_class: dict[str, Any] = {"openai": "mem0.llms.openai.OpenAILLM"}


class EmbedderFactory:
    provider_to_class: dict[str, Any] = {"openai": "mem0.embeddings.openai.OpenAIEmbedding"}


class LlmConfig(BaseModel):
    provider: str = "openai"
    config: dict[str, Any] = {}

    @field_validator("config")
    @classmethod
    def validate_config(cls, value: Any, info: Any) -> Any:  # mem0 hard-codes its providers
        if info.data.get("provider") in ("openai", "ollama"):
            return value
        raise ValueError(f"Unsupported LLM provider: {info.data.get('provider')}")


class EmbedderConfig(LlmConfig):
    pass


class VectorStoreConfig(BaseModel):
    provider: str = "qdrant"
    config: dict[str, Any] = {}


class MemoryConfig(BaseModel):
    llm: Any = None
    embedder: Any = None
    vector_store: Any = None


class FakeAsyncMemory:
    """Stores each line of what ``add`` gets as a memory; answers searches by shared words."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.memories: list[dict[str, Any]] = []
        self.infers_nothing_for: set[str] = set()
        self.relations: list[dict[str, str]] = []
        self.fail: Exception | None = None

    async def add(self, messages: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("add", {"messages": messages, **kwargs}))
        if self.fail is not None:
            raise self.fail
        scope = {k: kwargs.get(k) for k in ("agent_id", "user_id", "run_id")}
        new = []
        for message in messages:
            if kwargs.get("infer", True) and message["role"] in self.infers_nothing_for:
                continue
            for line in message["content"].splitlines():
                item = {"id": f"m{len(self.memories)}", "memory": line, **scope}
                item["memory_type"] = kwargs.get("memory_type")
                self.memories.append(item)
                new.append({"id": item["id"], "memory": line, "event": "ADD"})
        return {"results": new}

    def _in_scope(self, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        keys = ("agent_id", "user_id", "run_id")
        return [m for m in self.memories if all(m[k] == kwargs.get(k) for k in keys)]

    async def search(self, query: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("search", {"query": query, **kwargs}))
        if self.fail is not None:
            raise self.fail
        words = set(query.lower().split())
        hits = [
            {**m, "score": 0.9}
            for m in self._in_scope(kwargs)
            if words & set(m["memory"].lower().split())
        ]
        result: dict[str, Any] = {"results": hits[: kwargs["limit"]]}
        if self.relations:
            result["relations"] = self.relations
        return result

    async def get_all(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_all", kwargs))
        if self.fail is not None:
            raise self.fail
        return {"results": self._in_scope(kwargs)[: kwargs["limit"]]}


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def fake_mem0_modules() -> dict[str, types.ModuleType]:
    """The fake ``mem0`` package, module by module (for ``sys.modules``)."""
    LlmFactory.provider_to_class.pop("agentscope", None)
    EmbedderFactory.provider_to_class.pop("agentscope", None)
    return {
        "mem0": _module("mem0", AsyncMemory=FakeAsyncMemory),
        "mem0.configs": _module("mem0.configs"),
        "mem0.configs.base": _module("mem0.configs.base", MemoryConfig=MemoryConfig),
        "mem0.configs.llms": _module("mem0.configs.llms"),
        "mem0.configs.llms.base": _module("mem0.configs.llms.base", BaseLlmConfig=BaseLlmConfig),
        "mem0.llms": _module("mem0.llms"),
        "mem0.llms.configs": _module("mem0.llms.configs", LlmConfig=LlmConfig),
        "mem0.embeddings": _module("mem0.embeddings"),
        "mem0.embeddings.configs": _module(
            "mem0.embeddings.configs", EmbedderConfig=EmbedderConfig
        ),
        "mem0.utils": _module("mem0.utils"),
        "mem0.utils.factory": _module(
            "mem0.utils.factory", LlmFactory=LlmFactory, EmbedderFactory=EmbedderFactory
        ),
        "mem0.vector_stores": _module("mem0.vector_stores"),
        "mem0.vector_stores.configs": _module(
            "mem0.vector_stores.configs", VectorStoreConfig=VectorStoreConfig
        ),
    }


@pytest.fixture
def fake_mem0(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, module in fake_mem0_modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    yield


class Ones(EmbeddingModelBase):
    async def __call__(self, text: list[str], **kwargs: Any) -> EmbeddingResponse:
        return EmbeddingResponse(embeddings=[[float(len(t)), 1.0] for t in text])


def memory(**kwargs: Any) -> Mem0LongTermMemory:
    model = ScriptedModel(["ok"], stream=False)
    options: dict[str, Any] = {"model": model, "embedding_model": Ones("ones", 2)}
    return Mem0LongTermMemory(**{**options, **kwargs})


def backend(mem: Mem0LongTermMemory) -> FakeAsyncMemory:
    assert isinstance(mem.long_term_working_memory, FakeAsyncMemory)
    return mem.long_term_working_memory


def text(response: Any) -> str:
    return str(response.content[0]["text"])


def test_missing_sdk_is_one_line_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("mem0", "mem0.configs.llms.base", "mem0.utils.factory"):
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
    with pytest.raises(ImportError) as info:
        Mem0LongTermMemory(agent_name="Friday", model=object(), embedding_model=object())
    assert str(info.value) == "Mem0LongTermMemory needs mem0ai: pip install 'ascope-nb[mem0]'"


def test_config_registers_agentscope_providers(fake_mem0: None) -> None:
    with pytest.raises(ValueError, match="at least one of agent_name, user_name, and run_name"):
        memory()
    with pytest.raises(ValueError, match="model and embedding_model are required"):
        Mem0LongTermMemory(user_name="ada")
    mem = memory(agent_name="Friday", user_name="ada")
    config = backend(mem).config
    assert config.llm.provider == "agentscope" and config.llm.config["model"].__class__.__name__
    assert isinstance(config.embedder.config["model"], Ones)
    assert config.vector_store.config == {"on_disk": True}
    assert memory(
        run_name="r1", on_disk=False
    ).long_term_working_memory.config.vector_store.config == {"on_disk": False}
    # the registered class paths import to our adapters, which run our models
    path, config_class = LlmFactory.provider_to_class["agentscope"]
    module, _, cls = path.rpartition(".")
    llm = getattr(importlib.import_module(module), cls)(config_class(**config.llm.config))
    assert llm.generate_response([{"role": "user", "content": "hi"}]) == "ok"
    module, _, cls = EmbedderFactory.provider_to_class["agentscope"].rpartition(".")
    embedder_config = types.SimpleNamespace(**config.embedder.config)
    embedder = getattr(importlib.import_module(module), cls)(embedder_config)
    assert embedder.embed("abc") == [3.0, 1.0]
    # a given mem0_config keeps what is not overridden
    own = MemoryConfig(llm=LlmConfig(), embedder=EmbedderConfig(), vector_store="mine")
    kept = Mem0LongTermMemory(agent_name="a", mem0_config=own, model=ScriptedModel(["x"]))
    assert kept.long_term_working_memory.config.llm.provider == "agentscope"  # type: ignore[attr-defined]
    assert own.embedder.provider == "openai" and own.vector_store == "mine"


async def test_record_to_memory_scopes_and_falls_back(fake_mem0: None) -> None:
    mem = memory(agent_name="Friday", user_name="ada", run_name="s1")
    fake = backend(mem)
    done = await mem.record_to_memory("a preference", "Ada likes Longjing tea")  # type: ignore[arg-type]
    assert text(done).startswith("Successfully recorded content to memory {'results': [")
    ((kind, call),) = fake.calls
    assert kind == "add" and call["messages"] == [
        {"role": "user", "content": "a preference\nAda likes Longjing tea", "name": "user"}
    ]  # a single string is one memory, not one per character
    assert (call["agent_id"], call["user_id"], call["run_id"]) == ("Friday", "ada", "s1")
    assert call["infer"] is True and call["memory_type"] is None
    fake.calls.clear()
    fake.infers_nothing_for = {"user"}
    await mem.record_to_memory("", ["Ada cycles to work"])
    assert [(c["messages"][0]["role"], c["infer"]) for _, c in fake.calls] == [
        ("user", True),
        ("assistant", True),
    ]
    fake.calls.clear()
    fake.infers_nothing_for = {"user", "assistant"}
    await mem.record_to_memory("", ["Ada has a cat"])
    assert [(c["messages"][0]["role"], c["infer"]) for _, c in fake.calls] == [
        ("user", True),
        ("assistant", True),
        ("assistant", False),
    ]
    assert "Ada has a cat" in [m["memory"] for m in fake.memories]


async def test_retrieve_from_memory_per_keyword_within_scope(fake_mem0: None) -> None:
    mem = memory(agent_name="Friday", user_name="ada")
    other = memory(agent_name="Friday", user_name="bob")
    backend(other).memories = backend(mem).memories  # one store, two users
    await mem.record_to_memory("", ["Ada likes tea", "Ada lives in Hangzhou"])
    await other.record_to_memory("", ["Bob likes tea"])
    found = await mem.retrieve_from_memory(["tea", "hangzhou"], limit=3)
    assert text(found) == "Ada likes tea\nAda lives in Hangzhou"
    searches = [c for k, c in backend(mem).calls if k == "search"]
    assert [(s["query"], s["limit"], s["user_id"]) for s in searches] == [
        ("tea", 3, "ada"),
        ("hangzhou", 3, "ada"),
    ]
    assert text(await other.retrieve_from_memory("tea")) == "Bob likes tea"  # type: ignore[arg-type]
    backend(mem).relations = [{"source": "ada", "relationship": "likes", "destination": "tea"}]
    assert text(await mem.retrieve_from_memory(["tea"])).endswith("\nada -- likes -- tea")


async def test_record_and_retrieve_messages(fake_mem0: None) -> None:
    mem = memory(agent_name="Friday", default_memory_type="procedural_memory")
    fake = backend(mem)
    await mem.record(
        [Msg("ada", "I ride a red bike", "user"), None, Msg("Friday", "Noted", "assistant")]
    )
    ((_, call),) = fake.calls
    assert call["messages"] == [
        {"role": "assistant", "content": "I ride a red bike\nNoted", "name": "assistant"}
    ]
    assert call["memory_type"] == "procedural_memory"
    with pytest.raises(TypeError, match="list of Msg"):
        await mem.record(["not a message"])  # type: ignore[list-item]
    assert await mem.retrieve(Msg("ada", "which bike", "user")) == "I ride a red bike"
    assert await mem.retrieve(None) == ""
    with pytest.raises(TypeError, match="Msg or a list of Msg"):
        await mem.retrieve("bike")  # type: ignore[arg-type]


async def test_mem0_failures_are_one_line_tool_results(fake_mem0: None) -> None:
    mem = memory(user_name="ada")
    backend(mem).fail = ConnectionError("qdrant down\n  at localhost:6333")
    recorded = await mem.record_to_memory("t", ["x"])
    assert text(recorded) == "Error recording memory: qdrant down at localhost:6333"
    found = await mem.retrieve_from_memory(["x"])
    assert text(found) == "Error retrieving memory: qdrant down at localhost:6333"
    backend(mem).fail = None
    assert text(await mem.record_to_memory("", ["after the outage"])).startswith("Successfully")


async def test_to_rows_lists_the_scope_or_searches(fake_mem0: None) -> None:
    mem = memory(agent_name="Friday", user_name="ada")
    await mem.record_to_memory("", ["Ada likes tea", "Ada has a cat"])
    rows = await mem.to_rows(limit=1)
    assert [(r["text"], r["agent"]) for r in rows] == [("Ada likes tea", "Friday")]
    assert backend(mem).calls[-1] == (
        "get_all",
        {"agent_id": "Friday", "user_id": "ada", "run_id": None, "limit": 1},
    )
    hits = await mem.to_rows("cat")
    assert [(r["text"], r["score"]) for r in hits] == [("Ada has a cat", 0.9)]


async def test_agent_static_control_reads_and_writes_mem0(fake_mem0: None) -> None:
    from ascope_nb import start
    from ascope_nb.agent import ReActAgent
    from ascope_nb.events import KnowledgeRetrieved

    mem = memory(agent_name="Friday", user_name="ada")
    await mem.record_to_memory("", ["Ada drinks green tea"])
    model = ScriptedModel(["Green tea, as always."], stream=False)
    agent = ReActAgent(
        "Friday",
        "You are Friday.",
        model,
        long_term_memory=mem,
        long_term_memory_mode="static_control",
    )
    run = start(agent, Msg("ada", "what tea do I drink", "user"))
    reply = await run
    assert reply.get_text_content() == "Green tea, as always."
    assert "Ada drinks green tea" in str(model.calls[0].messages)  # retrieved before the reply
    found = [e for e in run.events if isinstance(e, KnowledgeRetrieved)]
    assert [(e.query, e.via, [c["text"] for c in e.chunks]) for e in found] == [
        ("what tea do I drink", "reply", ["Ada drinks green tea"])
    ]
    added = [c for k, c in backend(mem).calls if k == "add"][-1]
    assert "what tea do I drink" in added["messages"][0]["content"]  # recorded after it
    assert "Green tea, as always." in added["messages"][0]["content"]
