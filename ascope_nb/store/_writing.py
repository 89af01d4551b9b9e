"""Writing a run store: events queued from the process's stream (or ``append``), serialised
and scrubbed, and committed in batches by the writer thread with the ``runs`` summary."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from .. import hooks
from ..events import Event, FeedbackGiven, Subscription, subscribe
from ..exceptions import AscopeError, ConfigError
from . import _stores
from ._backend import Backend
from ._connection import Connection, describe, notice, shown_target
from ._process import Owner
from ._schema import RunDelta, apply_deltas, insert_ignore_sql, insert_sql
from ._scrub import may_hold_secret, scrub
from ._writer import Writer, _AsyncFlush, _Flush

_log = logging.getLogger("ascope_nb.store")

_S = TypeVar("_S", bound="StoreWriting")

RETRY_SECONDS = 1.0  # how often held events are retried while the target fails
_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode  # made once, not per event


def _is_integrity_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "IntegrityError" for cls in type(exc).__mro__) or any(
        cls.__name__ == "IntegrityError" for cls in type(getattr(exc, "orig", None)).__mro__
    )


def event_row(event: Event) -> dict[str, Any]:
    """The stored row of one event: its wire dict scrubbed of secrets, as JSON text
    (``_data`` keeps the dict for the ``runs`` summary)."""
    try:
        data = event.to_dict()
        text = _to_json(data)
        if may_hold_secret(text):  # the common event (a text delta) skips the walk
            data = scrub(data)
            text = _to_json(data)
    except Exception:  # an unserialisable payload must not lose the rest
        _log.exception("ascope_nb store: cannot serialise %s event", event.kind)
        data = {k: v for k, v in event.to_dict().items() if isinstance(v, (str, int, float))}
        data["error"] = "unserialisable event payload"
        text = json.dumps(data)
    return {
        "run_id": event.run_id,
        "seq": event.seq,
        "kind": event.kind,
        "ts": event.ts,
        "data": text,
        "_data": data,
    }


class StoreWriting:
    """The writing half of ``RunStore`` (attach, append, flush, durability, feedback)."""

    target: str
    _conn: Connection
    _writer: Writer
    _owner: Owner
    _closed: bool
    _subscription: Subscription | None
    _held: list[dict[str, Any]]  # rows not yet written while the target fails, in order
    _retry_at: float  # monotonic time of the next retry of the held rows
    _reopen: bool  # reopen the target before the next retry
    _checkpoint_due: bool  # a run ended since the last checkpoint

    def attach(self: _S) -> _S:
        """Store every event emitted in this process from now on (idempotent); returns self."""
        if self._subscription is None:
            self._subscription = subscribe(self._on_event)
            _stores.attached.append(self)
        return self

    def detach(self) -> None:
        """Stop storing new events (queued ones are still written)."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
            if self in _stores.attached:
                _stores.attached.remove(self)

    def _forget(self) -> None:
        """In a forked child: stop collecting events without touching the parent's writer."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
        self._closed = True

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
        self._retry_at = 0.0  # an explicit flush retries held events at once
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

    # ------------------------------------------------------------------ the writer thread
    def _write_batch(self, batch: list[Event]) -> bool:
        """Commit ``batch`` (on the writer thread); True when it and everything before it is
        committed. While the target fails, rows are held in order and retried."""
        rows = [event_row(event) for event in batch]
        if self._held:
            self._held.extend(rows)
            if time.monotonic() < self._retry_at:
                return False
            return self._write_held()
        if not rows:
            return True
        error = self._try_insert(rows)
        if error is None:
            self._committed(rows)
            return True
        if self._conn.in_memory:  # the stand-in itself failed: nothing left to fall back on
            _log.error("ascope_nb store: in-memory store failed: %s", error)
            return False
        self._hold(rows, error)
        return False

    def _try_insert(self, rows: list[dict[str, Any]]) -> Exception | None:
        """Insert and commit ``rows``, retrying a few times while another writer holds the
        database; the error if it still fails."""
        for attempt in range(3):
            db = self._conn.db
            try:
                self._insert(db, rows)
                return None
            except Exception as exc:
                if db.is_locked(exc) and attempt < 2:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                return exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _committed(self, rows: list[dict[str, Any]]) -> None:
        if not self._checkpoint_due:
            self._checkpoint_due = any(row["kind"] == "run_ended" for row in rows)

    def _hold(self, rows: list[dict[str, Any]], error: Exception) -> None:
        """Start holding events after a failed write: say so once, retry later."""
        db = self._conn.db
        reason = f"writing to run store {shown_target(self.target)!r} failed: {describe(error)}"
        self._held = list(rows)
        self._conn.degraded = reason
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self._reopen = not (db.is_full(error) or db.is_locked(error))
        notice(
            f"{reason}; new events are held in memory and written to it"
            " as soon as it is writable again"
        )

    def _write_held(self) -> bool:
        """Write the held rows, oldest first (reopening the target first when the failure
        was not a full disk or a lock); True when none is left."""
        held = self._held
        if self._reopen:
            self._conn.reattach()
        step = self._writer.max_batch
        for start in range(0, len(held), step):
            chunk = held[start : start + step]
            error = self._try_insert(chunk)
            if error is not None:
                del held[:start]
                self._retry_at = time.monotonic() + RETRY_SECONDS
                db = self._conn.db
                self._reopen = not (db.is_full(error) or db.is_locked(error))
                return False
            self._committed(chunk)
            for row in chunk:
                self._writer.mark_durable(row["run_id"], row["seq"])
        _log.info(
            "ascope_nb store: %r is writable again; %d held events written",
            shown_target(self.target),
            len(held),
        )
        self._held = []
        self._conn.degraded = None
        return True

    def _maintain(self) -> float | None:
        """Writer idle: retry held events when due, checkpoint after a run ended. Returns
        the seconds until the next retry (None: nothing to retry)."""
        if self._held:
            if time.monotonic() >= self._retry_at:
                self._write_held()
            if self._held:
                return max(0.01, self._retry_at - time.monotonic())
        if self._checkpoint_due:
            self._checkpoint_due = False
            self._conn.checkpoint()
        return None

    def _save_held(self) -> None:
        """On close with events still held: keep them as JSON lines in the temp directory
        (``RunStore.append`` takes them back) and say where, in one line."""
        held, self._held = self._held, []
        runs = len({row["run_id"] for row in held})
        path = os.path.join(
            tempfile.gettempdir(), f"ascope-held-events-{os.getpid()}-{int(time.time())}.jsonl"
        )
        try:
            with open(path, "w", encoding="utf-8") as out:
                out.writelines(row["data"] + "\n" for row in held)
        except OSError as exc:
            notice(f"{len(held)} events of {runs} run(s) could not be written anywhere: {exc}")
            return
        notice(
            f"{len(held)} events of {runs} run(s) could not be written to"
            f" {shown_target(self.target)!r};"
            f" they are saved in {path!r} (RunStore.append takes them back)"
        )

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
        rows = self._conn.query(
            "SELECT last_seq, status, agent FROM runs WHERE run_id = :r", {"r": run_id}
        )
        if not rows:
            raise AscopeError(f"no stored run {run_id!r}")
        last_seq, status, agent = rows[0]
        if status == "running":
            raise AscopeError(
                f"run {run_id!r} is still running: emit FeedbackGiven on its RunContext"
            )
        live = _live_run(run_id) if self in _stores.attached else None
        if live is not None:  # numbered by the run: its events (the view) get it too
            event = FeedbackGiven(
                agent=agent or "",
                score=score,
                label=label,  # type: ignore[arg-type]  # checked above
                comment=comment,
                step=step,
            )
            live._context.emit(event)
            self.flush()
            return event
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


def _live_run(run_id: str) -> Any:
    """The ``Run`` handle of ``run_id`` if this process still holds it (never imports it)."""
    return hooks.find_run(run_id)
