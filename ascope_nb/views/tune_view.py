"""``TuneView``: the live progress of a training (loss curve, step x/N, elapsed, ETA) with
Stop and Resume buttons.

The view is given the training job (anything with ``summary()``, ``stop()``, ``resume()``
and a ``_listeners`` list; ``ascope_nb.tuner.TuneJob`` has them) and depends on nothing
above the views layer. Traffic stays small: the summary trait (the curve downsampled to a
few hundred points) is sent at most every ``FLUSH_SECONDS``. When the training completes
or fails, a displayed view is replaced by its kernel-free HTML (final loss, steps, adapter
name), which saved notebooks show without a kernel; a stopped one keeps its widget (for
Resume) with that HTML beside it.

Example:
    >>> job.view  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import anywidget
import traitlets as t

from ._assets import bundle_esm, read_static
from .run_view import _reaches_frontend
from .tune_html import dataset_html, progress_html

FLUSH_SECONDS = 0.2
_log = logging.getLogger("ascope_nb.views")


class TuneView(anywidget.AnyWidget):
    """Live view of a training job; its buttons call the job's ``stop`` / ``resume``."""

    messages_sent: int = 0
    _esm = bundle_esm("tune_view.js")
    _css = read_static("tune.css")

    tune = t.Dict().tag(sync=True)

    def __init__(self, job: Any) -> None:
        super().__init__()
        self.job = job
        self._scheduled = False
        self._last_flush = 0.0
        self._display: Any = None
        self._static_shown = False
        job._listeners.append(self._on_change)
        self.on_msg(self._on_command)
        self.tune = job.summary()

    def _on_change(self) -> None:
        if self.job.done or self.job.status == "stopping":
            self.flush()
            return
        if not self._scheduled:
            self._scheduled = True
            delay = max(0.0, FLUSH_SECONDS - (time.monotonic() - self._last_flush))
            try:
                asyncio.get_running_loop().call_later(delay, self.flush)
            except RuntimeError:
                self.flush()

    def flush(self) -> None:
        """Send the summary now; at the end, replace a displayed view by its saved HTML."""
        self._scheduled = False
        self._last_flush = time.monotonic()
        self.tune = self.job.summary()
        if self._display is None:
            return
        if self.job.status in ("completed", "error"):
            self._display.update(self._static_bundle(), raw=True)
            self._static_shown = True
        elif self.job.status == "stopped":
            data, _ = self._widget_bundle()
            self._display.update(data, raw=True)

    def _on_command(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        cmd = content.get("cmd")
        try:
            if cmd == "stop":
                self.job.stop()
            elif cmd == "resume":
                self.job.resume()
            elif cmd == "snapshot":
                self.tune = self.job.summary()
        except Exception as exc:  # a button must never raise into the kernel's comm handler
            _log.warning("ascope tune view: %s failed: %s", cmd, exc)
            self.send({"type": "notice", "text": f"{cmd} failed: {exc}"})

    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        if _reaches_frontend(self.comm):
            self.messages_sent += 1
        super()._send(msg, buffers)

    def display(self) -> TuneView:
        """Show the view with a display id (so it can be replaced by its saved form)."""
        from IPython.display import display

        self._display = display(self, display_id=True)
        return self

    def _static_bundle(self) -> dict[str, Any]:
        summary = self.job.summary()
        return {"text/plain": repr(self.job), "text/html": progress_html(summary)}

    def _widget_bundle(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if bundle is not None else ({}, {})
        data["text/plain"] = repr(self.job)
        data["text/html"] = progress_html(self.job.summary())
        return data, metadata

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.job.status in ("completed", "error"):
            return self._static_bundle(), {}
        return self._widget_bundle(**kwargs)

    def __repr__(self) -> str:
        return f"TuneView({self.job!r})"


class DatasetPreview:
    """The dataset before training, shown as HTML (``preview`` is ``TuneDataset.preview()``:
    method, counts, rows, rejected, source; already redacted)."""

    def __init__(self, preview: Any) -> None:
        self.preview = preview

    def _repr_html_(self) -> str:
        return dataset_html(**self.preview)


__all__ = ["DatasetPreview", "TuneView"]
