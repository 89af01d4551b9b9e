#!/usr/bin/env bash
# Run AgentScope v1.0.21's own tests for the modules we cover against this checkout and
# print "passed / total". Usage: scripts/agentscope_compat.sh PATH [pytest args]
# (PATH/tests holds AgentScope's tests at tag v1.0.21; see docs/compat.md).
# Installs the SDKs those tests mock (dashscope, ollama) into the current Python if missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-python}"
if ! "$py" -c "import dashscope, ollama, mcp, shortuuid, sqlalchemy" 2>/dev/null; then
  "$py" -m pip install -q "dashscope>=1.20" "ollama>=0.5.4" mcp shortuuid sqlalchemy
fi
# AgentScope's A2A tests need a2a-sdk 0.3 (scripts/a2a03_env.sh makes .venv-a2a03; docs/a2a.md)
if [ -z "${ASCOPE_A2A03_PYTHON:-}" ] && [ ! -x "$here/../.venv-a2a03/bin/python" ]; then
  BASE_VENV="$("$py" -c 'import sys; print(sys.prefix)')" bash "$here/a2a03_env.sh" "$here/../.venv-a2a03"
fi
if [ -z "${ASCOPE_A2A03_PYTHON:-}" ] && [ -x "$here/../.venv-a2a03/bin/python" ]; then
  export ASCOPE_A2A03_PYTHON="$here/../.venv-a2a03/bin/python"
fi
# memory/session backends (issue 30): SQLAlchemy on aiosqlite, Redis on fakeredis, RAG stores
if ! "$py" -c "import aiosqlite, greenlet, redis, fakeredis, pymongo" 2>/dev/null; then
  "$py" -m pip install -q "sqlalchemy[asyncio]" aiosqlite redis fakeredis pymongo
fi
exec "$py" "$here/agentscope_compat.py" "$@"
