"""``TuneJob``: one adapter's training in the background, watched, stopped and resumed.

The backend's ``train(...)`` runs in a worker thread so the kernel stays responsive (the Stop
button's comm message is handled on the kernel's loop and only sets a flag that the
backend's ``should_stop`` reads between steps). Each segment of training (the first, and
each resume) is its own artifact version: a stop leaves a ``stopped`` version with a
checkpoint; ``resume()`` trains the next version from it, to the same total of steps, with
``parent`` naming the stopped one.

Example:
    >>> job = TuneJob(name="fix", dataset=ds, backend=FakeTrainingBackend()).start()  # doctest: +SKIP
    >>> await job   # the AdapterArtifact  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, Literal

from .. import hooks
from ..exceptions import AscopeError, ConfigError
from ._artifacts import AdapterArtifact, AdapterStore, file_sha256
from ._progress import TrainingBackend, TrainProgress, TrainResult
from ._tune_data import TuneDataset

JobStatus = Literal["pending", "training", "stopping", "stopped", "completed", "error"]
CURVE_POINTS = 300


class TuneError(AscopeError, RuntimeError):
    """The training backend failed (the message is one line: the exception and the version)."""


class TuneJob:
    """A training of ``dataset`` with ``backend`` into versions of adapter ``name``."""

    def __init__(
        self,
        *,
        name: str,
        dataset: TuneDataset,
        backend: TrainingBackend,
        adapters: AdapterStore | None = None,
        parent: AdapterArtifact | None = None,
    ) -> None:
        self.name, self.dataset, self.backend = name, dataset, backend
        self.method = dataset.method
        self.adapters = adapters or AdapterStore()
        self.status: JobStatus = "pending"
        self.history: list[TrainProgress] = []
        self.artifacts: list[AdapterArtifact] = []
        self.error: str | None = None
        self.total_steps: int | None = None
        self._parent = parent
        self._stop = threading.Event()
        self._elapsed_before = 0.0  # seconds of the segments before this one
        self._segment_start: tuple[float, int] = (0.0, 0)  # (monotonic, step) of this segment
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: asyncio.Future[None] | None = None
        self._thread: threading.Thread | None = None
        self._finished = threading.Event()
        self._listeners: list[Callable[[], None]] = []
        self._view: Any = None
        self._shown_in_cell: int | None = None
        if parent is not None:
            self._adopt(parent)

    # ------------------------------------------------------------------ state
    @property
    def artifact(self) -> AdapterArtifact | None:
        """The newest version this job wrote (or resumed from)."""
        return self.artifacts[-1] if self.artifacts else None

    @property
    def step(self) -> int:
        return self.history[-1].step if self.history else 0

    @property
    def loss(self) -> float | None:
        return self.history[-1].loss if self.history else None

    @property
    def elapsed(self) -> float:
        if self.status in ("training", "stopping") and self._segment_start[0]:
            return self._elapsed_before + time.monotonic() - self._segment_start[0]
        return self._elapsed_before

    @property
    def eta(self) -> float | None:
        """Seconds left at this segment's pace (None before its first step)."""
        began, first = self._segment_start
        done = self.step - first
        if self.status != "training" or done <= 0 or not self.total_steps:
            return None
        return (time.monotonic() - began) / done * max(self.total_steps - self.step, 0)

    @property
    def done(self) -> bool:
        return self.status in ("stopped", "completed", "error")

    def curve(self) -> list[list[float]]:
        """``[step, loss]`` points of the whole training, at most ``CURVE_POINTS`` of them."""
        points = [[p.step, p.loss] for p in self.history if p.loss is not None]
        if len(points) <= CURVE_POINTS:
            return points  # type: ignore[return-value]
        stride = len(points) / CURVE_POINTS
        picked = [points[int(i * stride)] for i in range(CURVE_POINTS - 1)] + [points[-1]]
        return picked  # type: ignore[return-value]

    def summary(self) -> dict[str, Any]:
        """What the progress view shows (plain JSON)."""
        artifact = self.artifact
        return {
            "name": self.name,
            "method": self.method,
            "status": self.status,
            "step": self.step,
            "total": self.total_steps,
            "loss": self.loss,
            "first_loss": next((p.loss for p in self.history if p.loss is not None), None),
            "elapsed": self.elapsed,
            "eta": self.eta,
            "curve": self.curve(),
            "artifact": artifact.label if artifact else None,
            "artifact_path": str(artifact.path) if artifact else None,
            "parent": artifact.manifest.get("parent") if artifact else None,
            "resumable": bool(artifact and artifact.resumable and self.status == "stopped"),
            "samples": len(self.dataset.rows),
            "rejected": len(self.dataset.rejected),
            "error": self.error,
        }

    # ------------------------------------------------------------------ control
    def start(self) -> TuneJob:
        """Reserve the next version and train into it (in a thread when a loop runs, else
        here, blocking)."""
        if self.status in ("training", "stopping"):
            raise ConfigError(f"adapter {self.name!r} is already training")
        if self.status == "completed":
            raise ConfigError(f"adapter {self.name!r} finished training; start a new tune()")
        self.dataset.require_trainable()
        parent = self.artifact if self.status == "stopped" else None
        if self.status == "stopped" and (parent is None or not parent.resumable):
            raise ConfigError(f"adapter {self.name!r} has no checkpoint to resume from")
        if parent is not None:
            _check_kept_dataset(parent)
        artifact = self._reserve(parent)
        self.artifacts.append(artifact)
        self._stop.clear()
        self._finished.clear()
        self.error = None
        self.status = "training"
        self._segment_start = (time.monotonic(), self.step)
        resume_from = parent.checkpoint_dir if parent is not None else None
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        if self._loop is None:
            self._train(artifact, resume_from)
            return self
        self._done = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._train,
            args=(artifact, resume_from),
            name=f"tune-{artifact.label}",
            daemon=True,
        )
        self._thread.start()
        self._notify()
        return self

    def stop(self) -> None:
        """Ask the backend to stop after its current step (it leaves a checkpoint)."""
        if self.status == "training":
            self.status = "stopping"
            self._stop.set()
            self._notify()

    def resume(self) -> TuneJob:
        """Continue a stopped training into the next version (to the same total)."""
        if self.status != "stopped":
            raise ConfigError(
                f"adapter {self.name!r} is {self.status}, not stopped: nothing to resume"
            )
        return self.start()

    def wait(self, timeout: float | None = None) -> AdapterArtifact | None:
        """Block until this segment ends (for scripts; in a notebook ``await job``)."""
        if self._thread is not None:
            self._finished.wait(timeout)
        return self._result()

    def __await__(self) -> Generator[Any, None, AdapterArtifact | None]:
        if self._done is not None:
            yield from asyncio.shield(self._done).__await__()
        return self._result()

    def _result(self) -> AdapterArtifact | None:
        if self.status == "error":
            raise TuneError(self.error or "training failed")
        return self.artifact

    # ------------------------------------------------------------------ training
    def _reserve(self, parent: AdapterArtifact | None) -> AdapterArtifact:
        from ._tune_data import scratch_path

        source = self.dataset.source
        artifact = self.adapters.reserve(
            self.name, method=self.method, backend=type(self.backend).__name__,
            parent=parent.version if parent else None, runs=list(self.dataset.runs),
            samples=len(self.dataset.rows), rejected=len(self.dataset.rejected),
        )  # fmt: skip
        target = artifact.path / "dataset.jsonl"
        if parent is not None:
            shutil.copyfile(parent.path / "dataset.jsonl", target)
        else:
            tmp = self.dataset.write(scratch_path())
            shutil.move(str(tmp), target)
        artifact.write_manifest(
            dataset={"file": "dataset.jsonl", "sha256": file_sha256(target), "source": source}
        )
        return artifact

    def _train(self, artifact: AdapterArtifact, resume_from: Path | None) -> None:
        result: TrainResult | None = None
        try:
            result = self.backend.train(
                artifact.path / "dataset.jsonl", method=self.method,
                output_dir=artifact.train_dir, on_progress=self._on_progress,
                should_stop=self._stop.is_set, resume_from=resume_from,
            )  # fmt: skip
        except BaseException as exc:  # the worker reports every failure, never dies silently
            self.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''} (adapter {artifact.label})"
            self._end(artifact, None)
            return
        self._end(artifact, result)

    def _on_progress(self, progress: TrainProgress) -> None:
        self.history.append(progress)
        self.total_steps = progress.total_steps
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._notify)
        else:
            self._notify()

    def _end(self, artifact: AdapterArtifact, result: TrainResult | None) -> None:
        self._elapsed_before += time.monotonic() - self._segment_start[0]
        if result is None:
            status: JobStatus = "error"
            artifact.write_manifest(status="error", error=self.error, ended=time.time(),
                                    steps=self.step, final_loss=self.loss)  # fmt: skip
        else:
            status = "stopped" if result.stopped else "completed"
            artifact.write_manifest(
                status=status, base_model=result.base_model, steps=result.steps,
                total_steps=self.total_steps, final_loss=result.final_loss, ended=time.time(),
                adapter_dir=artifact.relative(result.adapter_dir),
                checkpoint_dir=artifact.relative(result.checkpoint_dir),
                metrics=dict(result.metrics), curve=self.curve(),
                elapsed_s=round(self._elapsed_before, 3),
            )  # fmt: skip
        self.status = status
        self._finished.set()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._settle)
        else:
            self._notify()

    def _settle(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(None)
        self._notify()

    def _adopt(self, parent: AdapterArtifact) -> None:
        """Continue a stopped version kept on disk (a later kernel): its curve and steps."""
        self.artifacts.append(parent)
        self.status = "stopped"
        manifest = parent.manifest
        self.total_steps = manifest.get("total_steps")
        self._elapsed_before = float(manifest.get("elapsed_s") or 0.0)
        total = int(self.total_steps or 0)
        for step, loss in manifest.get("curve") or []:
            self.history.append(
                TrainProgress(step=int(step), total_steps=total, loss=loss, elapsed_s=0.0)
            )

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # ------------------------------------------------------------------ display
    @property
    def view(self) -> Any:
        """The live progress view (made on first use)."""
        if self._view is None:  # made by the views layer (the tuner never imports it)
            self._view = hooks.live_view(self, kind="tune", title=self.name)
        return self._view

    def display(self) -> TuneJob:
        """Show the live view with a display id (replaced by a kernel-free summary at the end)."""
        self.view.display()
        self._shown_in_cell = _execution_count()
        return self

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self._shown_in_cell is not None and self._shown_in_cell == _execution_count():
            return {"text/plain": repr(self)}
        return self.view._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        label = self.artifact.label if self.artifact else self.name
        loss = f", loss={self.loss:.4g}" if self.loss is not None else ""
        return f"TuneJob({label!r}, status={self.status!r}, step={self.step}/{self.total_steps or '?'}{loss})"


def _check_kept_dataset(parent: AdapterArtifact) -> None:
    """A resumed training continues on exactly the rows its checkpoint was trained on: the
    parent's kept ``dataset.jsonl`` must still match the sha256 in its manifest."""
    kept = parent.path / "dataset.jsonl"
    expected = (parent.manifest.get("dataset") or {}).get("sha256")
    if not kept.is_file():
        raise ConfigError(
            f"cannot resume adapter {parent.label}: its dataset {str(kept)!r} is missing"
        )
    if expected and file_sha256(kept) != expected:
        raise ConfigError(
            f"cannot resume adapter {parent.label}: its dataset {str(kept)!r} changed since "
            "it was trained (sha256 differs from the manifest); train a new version instead"
        )


def _execution_count() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None


__all__ = ["JobStatus", "TuneError", "TuneJob"]
