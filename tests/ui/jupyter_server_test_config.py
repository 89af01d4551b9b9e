"""Jupyter server settings for the browser tests (token-less, 127.0.0.1, a temp root dir).

Used by ``playwright.config.ts`` (``jupyter lab --config jupyter_server_test_config.py``).
Environment: ``ASCOPE_UI_PORT`` (default 8888), ``JUPYTERLAB_GALATA_ROOT_DIR`` (default: a
new temp dir). Never use these settings outside tests: they turn off all security.
"""

import os

from jupyterlab.galata import configure_jupyter_server

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (injected by traitlets)

configure_jupyter_server(c)

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ.get("ASCOPE_UI_PORT", "8888"))
c.ServerApp.port_retries = 0
c.ServerApp.open_browser = False
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.news_url = None
c.ServerApp.allow_root = True  # CI containers run as root
c.LabApp.extension_manager = "readonly"  # never query PyPI from a test
c.ServerApp.log_level = "WARN"
