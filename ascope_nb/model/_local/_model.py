"""``LocalModel``: the embedded offline chat model (llama.cpp in-process, Qwen2.5-Coder)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from ...exceptions import ConfigError
from .._base import ChatModelBase, ToolChoice
from .._response import ChatResponse

LOAD_HOLD_OFF = 0.5  # seconds a warming thread waits before a GIL-holding server load

Prefix = list[dict[str, Any]] | Callable[[], Awaitable[list[dict[str, Any]]]]
"""A prompt prefix to warm: messages, or an async function that returns them."""

DEFAULT_GENERATE: dict[str, Any] = {"temperature": 0.2, "max_tokens": 1024}


class LocalModel(ChatModelBase):
    """A chat model that runs on this machine's CPU, with no key and no network.

    On the first call it starts an in-process llama.cpp server (``xllamacpp``) on
    127.0.0.1 and talks to it through ``OpenAIChatModel``. The weights are ``model_path``
    (any chat GGUF) or the pinned Qwen2.5-Coder-Instruct Q4_K_M weights from the
    ``ascope-nb[local]`` extra, assembled once into ``~/.cache/ascope_nb/models`` and
    sha256-verified. Models with the same weights share one server per process.

    Args:
        model_path: A ``.gguf`` file; default: the installed pinned weights of ``size``.
        size: ``"1.5b"`` (default, 1.1 GB) or ``"0.5b"`` (0.5 GB, faster, loops more).
        n_threads: CPU threads; default: the cores this process may use.
        n_ctx: Context window in tokens (of each slot).
        n_slots: Requests the server decodes at once (continuous batching, a prompt cache
            per slot); default ``$ASCOPE_LOCAL_SLOTS``, else 4. The first model to start the
            server for a weights file sets it.
        stream: Return cumulative chunks instead of one response.
        tool_mode: ``"schema"`` (tools through a JSON-schema-constrained reply, see
            ``SchemaToolModel``) or ``"native"`` (send ``tools`` as is).
        generate_kwargs: Request fields for every call (default temperature 0.2,
            max_tokens 1024).
        verbosity: llama.cpp log level (0 silent .. 4 debug).
        lora: a GGUF LoRA adapter file (``ascope_nb.tuner.adapter_to_gguf``) applied to
            every answer; the model then has its own server and ``+lora`` in its name.

    Example:
        >>> model = LocalModel()  # nothing loads until the first call
        >>> model.model_name
        'qwen2.5-coder-1.5b-instruct'
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        size: str = "1.5b",
        n_threads: int | None = None,
        n_ctx: int = 8192,
        stream: bool = True,
        tool_mode: Literal["schema", "native"] = "schema",
        generate_kwargs: dict[str, Any] | None = None,
        verbosity: int = 1,
        n_slots: int | None = None,
        lora: str | Path | None = None,
    ) -> None:
        from ._server import check_slots
        from ._weights import weight_set

        if tool_mode not in ("schema", "native"):
            raise ConfigError(f"tool_mode must be 'schema' or 'native', got {tool_mode!r}")
        if model_path is not None:
            path = Path(model_path).expanduser()
            if not path.is_file():
                raise ConfigError(f"LocalModel: model_path {str(path)!r} is not a file")
            name = path.stem
        else:
            weight_set(size)  # fail now on an unknown size
            path, name = None, f"qwen2.5-coder-{size.lower()}-instruct"
        self.lora = Path(lora).expanduser() if lora is not None else None
        if self.lora is not None:
            if not self.lora.is_file() or self.lora.suffix != ".gguf":
                raise ConfigError(f"LocalModel: lora {str(self.lora)!r} is not a .gguf file")
            name = f"{name}+lora-{self.lora.parent.name or self.lora.stem}"
        super().__init__(name, stream)
        self.model_path = path
        self.size = size.lower()
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.n_slots = check_slots(n_slots) if n_slots is not None else None
        self.tool_mode = tool_mode
        self.generate_kwargs = {**DEFAULT_GENERATE, **(generate_kwargs or {})}
        self.verbosity = verbosity
        self._delegate: ChatModelBase | None = None
        self._starting: asyncio.Lock | None = None
        self._warming: concurrent.futures.Future[None] | None = None
        self.state = "cold"
        """``"cold"``, ``"warming…"``, ``"ready"`` or ``"failed: <reason>"`` (see ``warm``)."""
        self.server: Any = None

    def resolve_weights(self) -> Path:
        """The weights file, assembling the pinned weights on first use (blocking)."""
        if self.model_path is not None:
            return self.model_path
        from ._server import import_engine
        from ._weights import weights_path

        import_engine()  # name the missing engine before a 1 GB assembly
        return weights_path(self.size)

    def start(self) -> Any:
        """Load the weights and start (or join) the server now; blocking. Returns it."""
        from ._server import get_server

        if self.server is None:
            self.server = get_server(
                self.resolve_weights(),
                n_threads=self.n_threads,
                n_ctx=self.n_ctx,
                verbosity=self.verbosity,
                n_slots=self.n_slots,
                lora=self.lora,
            )
        return self.server

    @property
    def warming(self) -> concurrent.futures.Future[None] | None:
        """The future of ``warm``, or None when it was never called."""
        return self._warming

    def warm(
        self,
        messages: Prefix | None = None,
        *,
        tools: list[dict[str, Any]] | None = None,
        on_done: Callable[[LocalModel], None] | None = None,
    ) -> concurrent.futures.Future[None]:
        """Start the server, create the client and process a prompt prefix, in a thread.

        ``messages`` (OpenAI format, e.g. the formatted system prompt, or an async function
        that returns them, called in the warming thread) and ``tools`` are
        sent once with ``max_tokens=1`` through the same path as a real call, so llama.cpp
        keeps their tokens in its prompt cache and the first real request with the same
        prefix only processes the new part. Returns at once; calls made meanwhile wait for
        the warming to end. ``state`` says where it is; ``on_done(model)`` runs at the end.
        Warming again (another agent on this model) runs after the previous warming.
        ``ascope_nb.warm(agent)`` builds the prefix from an agent.

        Example:
            >>> model = LocalModel()
            >>> model.warm([{"role": "system", "content": "Be brief."}]).result()  # doctest: +SKIP
            >>> model.state  # doctest: +SKIP
            'ready'
        """
        previous = self._warming
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._warming, self.state = future, "warming…"
        prefix = messages if callable(messages) else [dict(m) for m in messages or []]
        context = contextvars.copy_context()  # a notebook's output parent travels along

        def work() -> None:
            if previous is not None:
                concurrent.futures.wait([previous])  # one warming at a time
            try:
                self._warm_now(prefix, tools)
            except BaseException as exc:  # noqa: BLE001 - reported through state and future
                self.state = f"failed: {type(exc).__name__}: {exc}"
                future.set_exception(exc)
            else:
                self.state = "ready"
                future.set_result(None)
            if on_done is not None:
                on_done(self)

        name = f"ascope-warm-{self.model_name}"
        threading.Thread(target=context.run, args=(work,), name=name, daemon=True).start()
        return future

    def _warm_now(self, prefix: Prefix, tools: list[dict[str, Any]] | None) -> None:
        if self.server is None:
            self.resolve_weights()  # a first-time assembly leaves the interpreter free
            # llama.cpp's load holds the GIL for its whole length (seconds): give the cell
            # that started warming the moment to finish and tell Jupyter it is idle first
            time.sleep(LOAD_HOLD_OFF)
        server = self.start()
        if self._delegate is None:
            self._delegate = self._make_delegate(server)  # imports openai, makes the client
        prefill = self._make_delegate(server)  # same request path, its own client and loop
        prefill.stream = False
        asyncio.run(self._prefill(prefill, prefix, tools))

    @staticmethod
    async def _prefill(delegate: ChatModelBase, prefix: Prefix, tools: Any) -> None:
        messages = list(await prefix()) if callable(prefix) else prefix
        if not messages and not tools:
            return
        # an empty user turn: the cached tokens end where the real question begins
        messages = [*messages, {"role": "user", "content": ""}]
        client = getattr(getattr(delegate, "inner", delegate), "client", None)
        try:
            await delegate(messages, tools=tools, max_tokens=1)
        finally:
            if client is not None:
                await client.close()  # before this thread's loop ends

    async def _ensure(self) -> ChatModelBase:
        warming = self._warming
        if warming is not None and not warming.done():
            try:
                await asyncio.wrap_future(warming)
            except Exception:  # noqa: BLE001 - the call below reports the real cause
                pass
        if self._delegate is not None:
            return self._delegate
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._delegate is None:
                server = await asyncio.to_thread(self.start)
                self._delegate = self._make_delegate(server)
        return self._delegate

    def _make_delegate(self, server: Any) -> ChatModelBase:
        from .._openai import OpenAIChatModel
        from .._schema_model import SchemaToolModel

        inner = OpenAIChatModel(
            self.model_name,
            api_key=server.api_key,
            stream=self.stream,
            client_kwargs={"base_url": server.base_url, "timeout": 600},
            generate_kwargs=self.generate_kwargs,
            max_retries=0,
        )
        if self.tool_mode != "schema":
            return inner
        from ._grammar import grammar_fields

        return SchemaToolModel(inner, constrain=grammar_fields)

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Start the local server if needed, then answer like ``OpenAIChatModel``.

        Other speakers' messages at the end of ``messages`` (a ``MsgHub``) are sent as one
        user turn: llama.cpp would continue a trailing assistant message, or refuse several.
        """
        from ._turns import end_on_user_turn

        delegate = await self._ensure()
        delegate.stream = self.stream
        messages = end_on_user_turn(messages)
        return await delegate(messages, tools=tools, tool_choice=tool_choice, **kwargs)

    def __repr__(self) -> str:
        where = self.model_path or f"pinned {self.size} weights"
        lora = f", lora={str(self.lora)!r}" if self.lora is not None else ""
        return (
            f"LocalModel({self.model_name!r}, weights={str(where)!r}, "
            f"tool_mode={self.tool_mode!r}{lora})"
        )
