"""The hooks a lower layer asks and a higher one answers (``ascope_nb.hooks``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ascope_nb.hooks import Hook


def _fresh(code: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_an_unset_hook_answers_its_default_and_a_set_one_its_function() -> None:
    hook: Hook = Hook("probe", default=lambda x: None)
    assert hook(1) is None and not hook.is_set
    hook.set(lambda x: x + 1)
    assert hook(1) == 2 and hook.is_set
    hook.reset()
    assert hook(1) is None


def test_an_unset_hook_with_a_missing_provider_fails_with_the_module_name() -> None:
    hook: Hook = Hook("probe", default=lambda: None, provider="ascope_nb.no_such_layer")
    with pytest.raises(ModuleNotFoundError, match="no_such_layer"):
        hook()


def test_higher_layers_answer_only_once_imported() -> None:
    code = (
        "import json, sys\n"
        "from ascope_nb import hooks\n"
        "before = [hooks.wait_durable.is_set, hooks.trace_id_of.is_set, hooks.find_run.is_set]\n"
        "import ascope_nb.store, ascope_nb.tracing._registry as reg, ascope_nb.run\n"
        "reg.remember('r1', 'ab' * 16)\n"
        "after = [hooks.wait_durable.is_set, hooks.trace_id_of('r1'), hooks.find_run('nope')]\n"
        "print(json.dumps([before, after]))\n"
    )
    assert _fresh(code) == [[False, False, False], [True, "ab" * 16, None]]


def test_run_view_and_fork_load_their_provider_on_first_ask() -> None:
    code = (
        "import json, sys\n"
        "import ascope_nb.run\n"
        "from ascope_nb import hooks\n"
        "loaded = ['ascope_nb.views' in sys.modules, 'ascope_nb.whatif' in sys.modules]\n"
        "view = hooks.live_view(None, kind='hub', title='t')\n"
        "try:\n"
        "    hooks.fork_run(None, 0)\n"
        "except Exception as exc:\n"
        "    fork = type(exc).__name__\n"
        "print(json.dumps([loaded, type(view).__name__, hooks.fork_run.is_set, fork]))\n"
    )
    loaded, view, fork_set, fork_error = _fresh(code)
    assert loaded == [False, False]
    assert view == "HubView" and fork_set and fork_error != "RuntimeError"


def test_the_old_views_import_path_keeps_working() -> None:
    import ascope_nb.views as views
    from ascope_nb.notebook.views import HubView, RunController, RunView

    assert (RunView, HubView, RunController) == (views.RunView, views.HubView, views.RunController)
