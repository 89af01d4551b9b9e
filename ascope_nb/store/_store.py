"""RunStore: every run's events, appended while the run happens, in SQLite or any SQL database."""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..events import Event, FeedbackGiven, Subscription, event_from_dict, subscribe
from ..exceptions import AscopeError, ConfigError
from . import _frames
from ._backend import (
    Backend,
    SQLAlchemyBackend,
    SQLiteBackend,
    is_url,
    read_only_reason,
    sqlite_path_of_url,
)
from ._process import Owner, owner_is_alive, this_process
from ._schema import (
    RESET_RUN,
    RUN_COLUMNS,
    RunDelta,
    apply_deltas,
    create_schema,
    insert_ignore_sql,
    insert_sql,
)
from ._scrub import may_hold_secret, scrub
from ._writer import Writer, _AsyncFlush, _Flush

if TYPE_CHECKING:
    import pandas as pd

_log = logging.getLogger("ascope_nb.store")

DEFAULT_PATH = os.path.join(".ascope", "runs.sqlite")
ENV_VAR = "ASCOPE_STORE"

RunIds = str | Iterable[str] | None


class StoreWarning(UserWarning):
    """The run store cannot use its file or database and keeps runs in memory instead."""


def default_store_target() -> str:
    """``$ASCOPE_STORE`` if set, else ``.ascope/runs.sqlite`` in the working directory."""
    return os.environ.get(ENV_VAR) or os.path.join(os.getcwd(), DEFAULT_PATH)


def _is_integrity_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "IntegrityError" for cls in type(exc).__mro__) or any(
        cls.__name__ == "IntegrityError" for cls in type(getattr(exc, "orig", None)).__mro__
    )


class RunStore:
    """An append-only log of every run's events, with a ``runs`` summary table.

    The target is a file path (SQLite in WAL mode, ``synchronous=NORMAL``) or an SQLAlchemy
    URL (``postgresql://user@host/db``; SQLAlchemy and psycopg are imported only then). By
    default it is ``$ASCOPE_STORE`` or ``.ascope/runs.sqlite`` under the working directory.

    Writing never blocks the agent: ``attach()`` subscribes to every event of the process and
    a writer thread stores them in batches. Durability: an event of a kind in
    ``DURABLE_KINDS`` (run start/end, step end, tool result, completed message, approval,
    hint, feedback) is committed as soon as the writer has taken it and everything queued
    with it, typically well under a millisecond later; any other event at most ``linger``
    seconds later. ``flush()`` / ``await aflush()`` wait until everything queued so far is
    committed and ``await wait_durable(run_id, seq)`` until one event is: an agent that must
    have its step on disk before the next model call awaits that (cheap when already done).
    Committed means it survives the process being killed (``kill -9``); not a power loss
    with ``synchronous=NORMAL``.

    If the file is read-only, locked or corrupt, or the database unreachable, the store warns
    once (``StoreWarning`` and a log line), sets ``degraded`` to the reason and keeps runs in
    an in-memory SQLite database behind the same API; the file is left untouched.

    Example:
        >>> from ascope_nb.events import RunStarted, RunEnded
        >>> store = RunStore(":memory:")
        >>> store.append([RunStarted(run_id="r1", seq=0, agent="Friday"),
        ...               RunEnded(run_id="r1", seq=1, agent="Friday")])
        >>> store.flush()
        True
        >>> [e.kind for e in store.events("r1")]
        ['run_started', 'run_ended']
        >>> store.close()
    """

    def __init__(
        self,
        path_or_url: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 30.0,
        linger: float = 0.05,
        max_batch: int = 1000,
        mark_crashed: bool = True,
    ) -> None:
        if linger < 0 or max_batch < 1 or timeout <= 0:
            raise ConfigError("RunStore needs linger >= 0, max_batch >= 1 and timeout > 0")
        target = os.fspath(path_or_url) if path_or_url is not None else default_store_target()
        self.target = target
        self.timeout = timeout
        self.degraded: str | None = None
        self._closed = False
        self._subscription: Subscription | None = None
        self._owner: Owner = this_process()
        self._db: Backend = self._open(target)
        self._writer = Writer(self._write_batch, linger=linger, max_batch=max_batch)
        self._writer.start()
        if mark_crashed and not self.degraded:
            self.mark_crashed()

    # ------------------------------------------------------------------ opening
    def _open(self, target: str) -> Backend:
        try:
            db = self._connect(target)
            try:
                create_schema(db)
            except BaseException:
                db.close()
                raise
            return db
        except Exception as exc:  # any failure to open: keep working in memory
            return self._fallback(f"cannot use run store {target!r}: {type(exc).__name__}: {exc}")

    def _connect(self, target: str) -> Backend:
        if is_url(target):
            path = sqlite_path_of_url(target)
            if path is None:
                return SQLAlchemyBackend(target)
            target = path
        if target != ":memory:":
            reason = read_only_reason(target)
            if reason:
                raise PermissionError(reason)
            directory = os.path.dirname(os.path.abspath(target))
            os.makedirs(directory, exist_ok=True)
        return SQLiteBackend(target, timeout=self.timeout)

    def _fallback(self, reason: str, *, stacklevel: int = 4) -> Backend:
        self._degrade_notice(reason, stacklevel=stacklevel + 1)
        db = SQLiteBackend(":memory:")
        create_schema(db)
        return db

    def _degrade_notice(self, reason: str, *, stacklevel: int) -> None:
        self.degraded = reason
        message = f"{reason}; runs are kept in memory only (lost when the kernel stops)"
        _log.warning("ascope_nb store: %s", message)
        warnings.warn(message, StoreWarning, stacklevel=stacklevel)

    # ------------------------------------------------------------------ writing
    def attach(self) -> RunStore:
        """Store every event emitted in this process from now on (idempotent); returns self."""
        if self._subscription is None:
            self._subscription = subscribe(self._on_event)
            _attached.append(self)
        return self

    def detach(self) -> None:
        """Stop storing new events (queued ones are still written)."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
            if self in _attached:
                _attached.remove(self)

    def _on_event(self, event: Event) -> None:
        if event.run_id:  # events outside any run have no identity to store them under
            self._writer.put(event)

    def append(self, events: Event | Iterable[Event]) -> None:
        """Queue events for writing (``run_id`` and ``seq`` must be set); see ``flush``."""
        if isinstance(events, Event):
            events = [events]
        for event in events:
            if not event.run_id or event.seq < 0:
                raise ConfigError(
                    f"event {event.kind!r} needs a run_id and a seq >= 0 to be stored"
                )
            self._writer.put(event)

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until every event queued so far is committed; False on timeout or failure."""
        if self._closed:
            return True
        marker = _Flush()
        self._writer.put(marker)
        return marker.done.wait(timeout) and marker.ok

    async def aflush(self, timeout: float | None = 30.0) -> bool:
        """``flush`` for asyncio code: awaits the writer without blocking the loop."""
        if self._closed:
            return True
        marker = _AsyncFlush(asyncio.get_running_loop())
        self._writer.put(marker)
        try:
            return await asyncio.wait_for(marker.future, timeout)
        except asyncio.TimeoutError:
            return False

    def is_durable(self, run_id: str, seq: int) -> bool:
        """Whether event ``seq`` of ``run_id`` (and all before it) has been committed."""
        return self._writer.durable.get(run_id, -1) >= seq

    async def wait_durable(self, run_id: str, seq: int, *, timeout: float | None = 30.0) -> bool:
        """Await until event ``seq`` of ``run_id`` is committed (returns at once if it is)."""
        if self._closed or self.is_durable(run_id, seq):
            return True
        return await self.aflush(timeout)

    def _write_batch(self, batch: list[Event]) -> bool:
        rows: list[dict[str, Any]] = []
        for event in batch:
            try:
                data = event.to_dict()
                text = json.dumps(data, ensure_ascii=False, default=str)
                if may_hold_secret(text):  # the common event (a text delta) skips the walk
                    data = scrub(data)
                    text = json.dumps(data, ensure_ascii=False, default=str)
            except Exception:  # an unserialisable payload must not lose the rest
                _log.exception("ascope_nb store: cannot serialise %s event", event.kind)
                data = {
                    k: v for k, v in event.to_dict().items() if isinstance(v, (str, int, float))
                }
                data["error"] = "unserialisable event payload"
                text = json.dumps(data)
            rows.append(
                {
                    "run_id": event.run_id,
                    "seq": event.seq,
                    "kind": event.kind,
                    "ts": event.ts,
                    "data": text,
                    "_data": data,
                }
            )
        for attempt in range(3):
            db = self._db
            try:
                self._insert(db, rows)
                return True
            except Exception as exc:
                if db.is_locked(exc) and attempt < 2:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                if db.target == ":memory:" and self.degraded:
                    _log.exception("ascope_nb store: in-memory store failed")
                    return False
                with db.lock:
                    self._db = self._fallback(
                        f"writing to run store {self.target!r} failed: {type(exc).__name__}: {exc}",
                        stacklevel=2,
                    )
        self._insert(self._db, rows)
        return True

    def _insert(self, db: Backend, rows: list[dict[str, Any]]) -> None:
        with db.lock:
            db.begin()
            try:
                db.executemany(insert_sql(db), rows)
                apply_deltas(db, self._deltas(rows))
                db.commit()
                return
            except Exception as exc:
                db.rollback()
                if not _is_integrity_error(exc):
                    raise
            # some (run_id, seq) already stored (two stores on one stream, a re-import):
            # keep the stored ones, add the rest, and count only what was added
            db.begin()
            try:
                added = [row for row in rows if db.execute(insert_ignore_sql(db), row) > 0]
                apply_deltas(db, self._deltas(added))
                db.commit()
            except BaseException:
                db.rollback()
                raise
            if len(added) < len(rows):
                _log.info("ascope_nb store: %d duplicate events ignored", len(rows) - len(added))

    def _deltas(self, rows: Sequence[dict[str, Any]]) -> dict[str, RunDelta]:
        deltas: dict[str, RunDelta] = {}
        for row in rows:
            delta = deltas.get(row["run_id"])
            if delta is None:
                delta = deltas[row["run_id"]] = RunDelta(row["run_id"])
            delta.add(row["_data"], self._owner)
        return deltas

    # ------------------------------------------------------------------ maintenance
    def mark_crashed(self, *, run_ids: Iterable[str] | None = None) -> list[str]:
        """Close runs whose writing process is gone: append ``RunEnded(status="crashed")``.

        A run counts as orphaned when it is still ``running`` and its owner process (pid and
        start token recorded with ``RunStarted``) no longer exists on this host. With
        ``run_ids``, those running runs are marked whatever their owner. Called on open.
        Returns the ids marked.
        """
        from ..events import RunEnded

        with self._db.lock:
            rows = self._db.query(
                "SELECT run_id, agent, last_seq, last_ts, owner_pid, owner_token, owner_host"
                " FROM runs WHERE status = 'running'"
            )
        wanted = None if run_ids is None else set(run_ids)
        crashed: list[RunEnded] = []
        for run_id, agent, last_seq, last_ts, pid, token, host in rows:
            if wanted is not None:
                if run_id not in wanted:
                    continue
            elif owner_is_alive(pid, token, host):
                continue
            crashed.append(
                RunEnded(
                    run_id=run_id,
                    agent=agent or "",
                    seq=int(last_seq) + 1,
                    ts=float(last_ts or time.time()),
                    status="crashed",
                    error=f"the process that ran it (pid {pid}) ended before the run finished",
                )
            )
        if crashed:
            self.append(crashed)
            self.flush()
            _log.info("ascope_nb store: marked %d runs as crashed", len(crashed))
        return [e.run_id for e in crashed]

    def rebuild_runs(self) -> None:
        """Recompute the ``runs`` summary from the event log (keeps the owner columns)."""
        self.flush()
        db = self._db
        with db.lock:
            run_ids = [r[0] for r in db.query("SELECT DISTINCT run_id FROM events")]
            db.begin()
            try:
                for run_id in run_ids:
                    db.execute(
                        "INSERT INTO runs (run_id) VALUES (:run_id) ON CONFLICT (run_id) DO NOTHING",
                        {"run_id": run_id},
                    )
                    db.execute(RESET_RUN, {"run_id": run_id})
                    delta = RunDelta(run_id)
                    for (text,) in db.query(
                        "SELECT data FROM events WHERE run_id = :run_id ORDER BY seq",
                        {"run_id": run_id},
                    ):
                        delta.add(_loads(text), None)
                    apply_deltas(db, {run_id: delta})
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def add_feedback(
        self,
        run_id: str,
        *,
        score: float | None = None,
        label: str | None = None,
        comment: str = "",
        step: int | None = None,
    ) -> FeedbackGiven:
        """Append a person's judgement to a finished run (a live run gets its feedback
        through its own event stream); returns the stored event."""
        if label not in (None, "up", "down"):
            raise ConfigError(f"feedback label must be 'up' or 'down', not {label!r}")
        self.flush()
        with self._db.lock:
            rows = self._db.query(
                "SELECT last_seq, status, agent FROM runs WHERE run_id = :r", {"r": run_id}
            )
        if not rows:
            raise AscopeError(f"no stored run {run_id!r}")
        last_seq, status, agent = rows[0]
        if status == "running":
            raise AscopeError(
                f"run {run_id!r} is still running: emit FeedbackGiven on its RunContext"
            )
        event = FeedbackGiven(
            run_id=run_id,
            agent=agent or "",
            seq=int(last_seq) + 1,
            score=score,
            label=label,  # type: ignore[arg-type]  # checked above
            comment=comment,
            step=step,
        )
        self.append(event)
        self.flush()
        return event

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` of a SQLite store ("ok" when sound; "n/a" otherwise)."""
        db = self._db
        if isinstance(db, SQLiteBackend):
            with db.lock:
                return db.integrity_check()
        return "n/a"

    def close(self, timeout: float | None = 30.0) -> None:
        """Detach, write what is queued and close the connection."""
        if self._closed:
            return
        self.detach()
        self.flush(timeout)
        self._closed = True
        self._writer.stop()
        self._writer.join(timeout)
        with self._db.lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f" degraded={self.degraded!r}" if self.degraded else ""
        return f"RunStore({self.target!r}{state})"

    # ------------------------------------------------------------------ reading
    def _query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        db = self._db
        with db.lock:
            return db.query(sql, params)

    def run_ids(self) -> list[str]:
        """Ids of every stored run, oldest first."""
        return [r[0] for r in self._query("SELECT run_id FROM runs ORDER BY started, run_id")]

    def events(self, run_id: str) -> list[Event]:
        """The stored events of one run, in ``seq`` order (stable API for exporters)."""
        rows = self._query(
            "SELECT data FROM events WHERE run_id = :run_id ORDER BY seq", {"run_id": run_id}
        )
        return [event_from_dict(_loads(text)) for (text,) in rows]

    def event_dicts(
        self, run_ids: RunIds = None, *, kinds: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """Wire dicts of the events of ``run_ids`` (all runs if None), by run then seq."""
        ids = _normalise_ids(run_ids)
        kind_list = sorted(set(kinds)) if kinds is not None else None
        where: list[str] = []
        params: dict[str, Any] = {}
        if kind_list is not None:
            where.append("kind IN (" + ", ".join(f":k{i}" for i in range(len(kind_list))) + ")")
            params.update({f"k{i}": k for i, k in enumerate(kind_list)})
        out: list[dict[str, Any]] = []
        chunks: list[list[str] | None] = (
            [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
        )
        for chunk in chunks:
            clause = list(where)
            chunk_params = dict(params)
            if chunk is not None:
                if not chunk:
                    continue
                clause.append("run_id IN (" + ", ".join(f":r{i}" for i in range(len(chunk))) + ")")
                chunk_params.update({f"r{i}": r for i, r in enumerate(chunk)})
            sql = "SELECT data FROM events"
            if clause:
                sql += " WHERE " + " AND ".join(clause)
            sql += " ORDER BY run_id, seq"
            out.extend(_loads(text) for (text,) in self._query(sql, chunk_params))
        return out

    def runs(
        self,
        *,
        agent: str | None = None,
        status: str | None = None,
        since: Any = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """One row per run, newest first (stable API for exporters).

        Columns: run_id, agent, model, title, status, error, started, ended, duration,
        input_tokens, output_tokens, n_events, n_steps, n_tool_calls, feedback_score,
        feedback_label. ``since`` is a datetime, a timedelta (that long ago), epoch seconds
        or an ISO string.
        """
        where: list[str] = []
        params: dict[str, Any] = {}
        if agent is not None:
            where.append("agent = :agent")
            params["agent"] = agent
        if status is not None:
            where.append("status = :status")
            params["status"] = status
        if since is not None:
            where.append("started >= :since")
            params["since"] = _frames.to_epoch(since)
        columns = [c for c in RUN_COLUMNS if not c.startswith("owner_")]
        sql = f"SELECT {', '.join(columns)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started DESC, run_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return _frames.runs_frame(self._query(sql, params), columns)

    def steps(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per ReAct step: timing, model, tokens, tool calls, text and errors."""
        return _frames.steps_frame(self.event_dicts(run_ids, kinds=_frames.STEP_KINDS))

    def messages(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per completed message (``MessageCompleted``), in run order."""
        return _frames.messages_frame(self.event_dicts(run_ids, kinds=["message_completed"]))

    def tool_calls(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per tool call, with its result and any approval decision."""
        return _frames.tool_calls_frame(self.event_dicts(run_ids, kinds=_frames.TOOL_KINDS))

    def steering(self, run_ids: RunIds = None) -> pd.DataFrame:
        """Human and system steering: injected hints and approval decisions."""
        return _frames.steering_frame(
            self.event_dicts(run_ids, kinds=["hint_injected", "approval_resolved"])
        )

    def feedback(self, run_ids: RunIds = None) -> pd.DataFrame:
        """Every feedback event (score, label, comment, step)."""
        return _frames.feedback_frame(self.event_dicts(run_ids, kinds=["feedback"]))


def _loads(text: Any) -> dict[str, Any]:
    return text if isinstance(text, dict) else json.loads(text)


def _normalise_ids(run_ids: Any) -> list[str] | None:
    if run_ids is None:
        return None
    if isinstance(run_ids, str):
        return [run_ids]
    column = getattr(run_ids, "columns", None)
    if column is not None and "run_id" in column:  # a DataFrame from runs()
        return [str(r) for r in run_ids["run_id"]]
    return [str(r) for r in run_ids]


# ---------------------------------------------------------------------- process-wide store
_attached: list[RunStore] = []
_default: RunStore | None = None
_default_lock = threading.Lock()


def default_store() -> RunStore:
    """The process's attached store at ``default_store_target()``, created on first use."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = RunStore().attach()
        return _default


def set_default_store(store: RunStore | None) -> None:
    """Replace the process-wide store (the old one is detached, not closed)."""
    global _default
    with _default_lock:
        if _default is not None and _default is not store:
            _default.detach()
        _default = store.attach() if store is not None else None


def _flush_attached_at_exit() -> None:
    for store in tuple(_attached):
        store.flush(5.0)


def _forget_parent_stores() -> None:
    # a forked child has no writer thread: its copy of the parent's stores must not collect
    # events (the child opens its own store if it wants one)
    for store in tuple(_attached):
        if store._subscription is not None:
            store._subscription.close()
            store._subscription = None
        store._closed = True
    _attached.clear()


atexit.register(_flush_attached_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_stores)


async def wait_durable(run_id: str, seq: int, *, timeout: float | None = 30.0) -> bool:
    """Await until every attached store has committed event ``seq`` of ``run_id``.

    Costs one dict lookup when nothing is attached or the writer has caught up; call it
    after emitting ``StepEnded`` to have the step on disk before the next model call.
    """
    ok = True
    for store in tuple(_attached):
        if not store.is_durable(run_id, seq):
            ok = await store.wait_durable(run_id, seq, timeout=timeout) and ok
    return ok
