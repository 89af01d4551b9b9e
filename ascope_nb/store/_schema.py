"""Tables of the run store, and the ``runs`` summary kept in step with the event log."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ._backend import SCHEMA_VERSION, Backend
from ._process import Owner

RUN_COLUMNS = (
    "run_id",
    "agent",
    "model",
    "title",
    "status",
    "error",
    "started",
    "ended",
    "input_tokens",
    "output_tokens",
    "n_events",
    "n_steps",
    "n_tool_calls",
    "feedback_score",
    "feedback_label",
    "last_seq",
    "last_ts",
    "owner_pid",
    "owner_token",
    "owner_host",
)


def create_schema(db: Backend) -> None:
    """Create the tables if missing; refuse a store written by a newer schema version."""
    ddl = [
        "CREATE TABLE IF NOT EXISTS ascope_schema ("
        " version INTEGER NOT NULL, created DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE IF NOT EXISTS events ("
        " run_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
        f" ts DOUBLE PRECISION NOT NULL, data {db.json_type} NOT NULL,"
        " PRIMARY KEY (run_id, seq))",
        "CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, run_id)",
        "CREATE TABLE IF NOT EXISTS runs ("
        " run_id TEXT PRIMARY KEY, agent TEXT NOT NULL DEFAULT '',"
        " model TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',"
        " status TEXT NOT NULL DEFAULT 'running', error TEXT,"
        " started DOUBLE PRECISION, ended DOUBLE PRECISION,"
        " input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0,"
        " n_events INTEGER NOT NULL DEFAULT 0, n_steps INTEGER NOT NULL DEFAULT 0,"
        " n_tool_calls INTEGER NOT NULL DEFAULT 0,"
        " feedback_score DOUBLE PRECISION, feedback_label TEXT,"
        " last_seq INTEGER NOT NULL DEFAULT -1, last_ts DOUBLE PRECISION,"
        " owner_pid INTEGER, owner_token TEXT, owner_host TEXT)",
        "CREATE INDEX IF NOT EXISTS runs_by_started ON runs (started)",
    ]
    with db.lock:
        db.begin()
        try:
            if db.dialect == "postgresql":  # concurrent CREATE IF NOT EXISTS can collide
                db.execute("SELECT pg_advisory_xact_lock(7316201)")
            for stmt in ddl:
                db.execute(stmt)
            rows = db.query("SELECT MAX(version) FROM ascope_schema")
            version = rows[0][0] if rows else None
            if version is None:
                db.execute(
                    "INSERT INTO ascope_schema (version, created) VALUES (:v, :t)",
                    {"v": SCHEMA_VERSION, "t": time.time()},
                )
            elif int(version) > SCHEMA_VERSION:
                raise RuntimeError(
                    f"store schema version {version} is newer than this ascope_nb"
                    f" (reads version {SCHEMA_VERSION}); upgrade ascope_nb"
                )
            db.commit()
        except BaseException:
            db.rollback()
            raise


@dataclass
class RunDelta:
    """What one batch of events changes in a run's summary row."""

    run_id: str
    n_events: int = 0
    last_seq: int = -1
    last_ts: float | None = None
    first_ts: float | None = None
    agent: str | None = None
    model: str | None = None
    call_model: str | None = None
    title: str | None = None
    started: float | None = None
    status: str | None = None
    error: str | None = None
    ended: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    n_steps: int = 0
    n_tool_calls: int = 0
    has_feedback: int = 0
    feedback_score: float | None = None
    feedback_label: str | None = None
    owner: Owner | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, data: dict[str, Any], owner: Owner | None) -> None:
        """Fold one event (its wire dict) into the delta."""
        kind, seq, ts = data["kind"], int(data["seq"]), float(data.get("ts") or 0.0)
        self.n_events += 1
        if seq >= self.last_seq:
            self.last_seq, self.last_ts = seq, ts
        if self.first_ts is None:
            self.first_ts = ts
        if kind == "run_started":
            self.agent = data.get("agent") or ""
            self.model = data.get("model") or None
            self.title = data.get("title") or ""
            self.started = ts
            self.status = "running"
            self.owner = owner
        elif kind == "run_ended":
            self.status = data.get("status") or "completed"
            self.error = data.get("error")
            self.ended = ts
        elif kind == "model_call_ended":
            usage = data.get("usage") or {}
            self.input_tokens += int(usage.get("input_tokens") or 0)
            self.output_tokens += int(usage.get("output_tokens") or 0)
            if self.call_model is None and data.get("model"):
                self.call_model = str(data["model"])
        elif kind == "step_started":
            self.n_steps += 1
        elif kind == "tool_call":
            self.n_tool_calls += 1
        elif kind == "feedback" and data.get("step") is None:
            self.has_feedback = 1
            self.feedback_score = data.get("score")
            self.feedback_label = data.get("label")

    def params(self) -> dict[str, Any]:
        owner = self.owner
        return {
            "run_id": self.run_id,
            "n_events": self.n_events,
            "last_seq": self.last_seq,
            "last_ts": self.last_ts,
            "first_ts": self.first_ts,
            "agent": self.agent,
            "model": self.model,
            "call_model": self.call_model,
            "title": self.title,
            "started": self.started,
            "status": self.status,
            "error": self.error,
            "ended": self.ended,
            "d_in": self.input_tokens,
            "d_out": self.output_tokens,
            "d_steps": self.n_steps,
            "d_tools": self.n_tool_calls,
            "has_fb": self.has_feedback,
            "fb_score": None if self.feedback_score is None else float(self.feedback_score),
            "fb_label": self.feedback_label,
            "owner_pid": owner.pid if owner else None,
            "owner_token": owner.token if owner else None,
            "owner_host": owner.host if owner else None,
            "ended_run": 1 if self.status is not None and self.status != "running" else 0,
        }


ENSURE_RUN = (
    "INSERT INTO runs (run_id, started) VALUES (:run_id, :first_ts) ON CONFLICT (run_id) DO NOTHING"
)

UPDATE_RUN = """
UPDATE runs SET
  agent = COALESCE(:agent, agent),
  model = COALESCE(:model, CASE WHEN model = '' THEN COALESCE(:call_model, '') ELSE model END),
  title = COALESCE(:title, title),
  started = COALESCE(:started, started),
  status = COALESCE(:status, status),
  error = CASE WHEN :ended_run = 1 THEN :error ELSE error END,
  ended = COALESCE(:ended, ended),
  input_tokens = input_tokens + :d_in,
  output_tokens = output_tokens + :d_out,
  n_events = n_events + :n_events,
  n_steps = n_steps + :d_steps,
  n_tool_calls = n_tool_calls + :d_tools,
  feedback_score = CASE WHEN :has_fb = 1 THEN :fb_score ELSE feedback_score END,
  feedback_label = CASE WHEN :has_fb = 1 THEN :fb_label ELSE feedback_label END,
  last_seq = CASE WHEN :last_seq > last_seq THEN :last_seq ELSE last_seq END,
  last_ts = CASE WHEN :last_seq > last_seq THEN :last_ts ELSE last_ts END,
  owner_pid = COALESCE(:owner_pid, owner_pid),
  owner_token = COALESCE(:owner_token, owner_token),
  owner_host = COALESCE(:owner_host, owner_host)
WHERE run_id = :run_id
"""

RESET_RUN = """
UPDATE runs SET agent = '', model = '', title = '', status = 'running', error = NULL,
  started = NULL, ended = NULL, input_tokens = 0, output_tokens = 0, n_events = 0,
  n_steps = 0, n_tool_calls = 0, feedback_score = NULL, feedback_label = NULL,
  last_seq = -1, last_ts = NULL
WHERE run_id = :run_id
"""


def insert_sql(db: Backend) -> str:
    return (
        "INSERT INTO events (run_id, seq, kind, ts, data)"
        f" VALUES (:run_id, :seq, :kind, :ts, {db.json_param})"
    )


def insert_ignore_sql(db: Backend) -> str:
    return insert_sql(db) + " ON CONFLICT (run_id, seq) DO NOTHING"


def apply_deltas(db: Backend, deltas: dict[str, RunDelta]) -> None:
    """Update the ``runs`` rows of a batch (inside the batch's transaction)."""
    if not deltas:
        return
    params = [d.params() for d in deltas.values()]
    db.executemany(ENSURE_RUN, params)
    db.executemany(UPDATE_RUN, params)
