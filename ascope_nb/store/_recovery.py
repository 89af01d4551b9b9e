"""Recovering a run store: runs left ``running`` by a process that died are closed as
``crashed``, and the ``runs`` summary can be rebuilt from the event log."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from ._process import owner_is_alive
from ._reading import loads
from ._schema import RESET_RUN, RunDelta, apply_deltas
from ._writing import StoreWriting

_log = logging.getLogger("ascope_nb.store")


class StoreRecovery(StoreWriting):
    """Crash marking and summary rebuilding of ``RunStore`` (they write through the writer)."""

    def mark_crashed(self, *, run_ids: Iterable[str] | None = None) -> list[str]:
        """Close runs whose writing process is gone: append ``RunEnded(status="crashed")``.

        A run counts as orphaned when it is still ``running`` and its owner process (pid and
        start token recorded with ``RunStarted``) no longer exists on this host. With
        ``run_ids``, those running runs are marked whatever their owner. Called on open.
        Returns the ids marked.
        """
        from ..events import RunEnded

        rows = self._conn.query(
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
        db = self._conn.db
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
                        delta.add(loads(text), None)
                    apply_deltas(db, {run_id: delta})
                db.commit()
            except BaseException:
                db.rollback()
                raise
