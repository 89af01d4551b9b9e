#!/usr/bin/env bash
# A Python environment for AgentScope's A2A tests (a2a_agent_test.py, a2a_resolver_test.py,
# formatter_a2a_test.py): they build a2a-sdk 0.3's pydantic types (`a2a.types.TextPart`,
# `AgentCard(url=...)`, `.model_dump()`), which a2a-sdk 1.x no longer has. ascope_nb's A2A
# client side also runs on a2a-sdk 0.3, so these tests run unchanged in this environment:
# the shared venv's packages, with a2a-sdk 0.3 installed in front of them.
# It also holds openai < 3.59 in front: three tests of model_openai_test.py build
# `openai.BadRequestError(..., response=Mock())`, which openai >= 3.59 rejects while copying the
# request's headers (the test itself fails so under AgentScope 1.0.21 too); ascope_nb's own
# tests run on the newest openai.
#
#   scripts/a2a03_env.sh [DIR] && ASCOPE_A2A03_PYTHON=DIR/bin/python \
#     COMPAT_ONLY=a2a_agent_test.py,a2a_resolver_test.py,formatter_a2a_test.py \
#     python scripts/agentscope_compat.py /work/agentscope-v1.0.21
set -euo pipefail
DIR="${1:-.venv-a2a03}"
BASE="${BASE_VENV:-$(python -c 'import sys; print(sys.prefix)')}"
SITE="$("$BASE/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
"$BASE/bin/python" -m uv venv --quiet --allow-existing --python "$BASE/bin/python" "$DIR"
# a2a-sdk 0.3 alone (its dependencies come from the shared venv, listed after it)
"$BASE/bin/python" -m uv pip install --quiet --python "$DIR/bin/python" --no-deps "a2a-sdk>=0.3,<0.4" "openai>=1.40,<3.59"
NEW_SITE="$("$DIR/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "import site; site.addsitedir('$SITE')" > "$NEW_SITE/zz_shared_venv.pth"
"$DIR/bin/python" -c 'import a2a.types, importlib.metadata as m; assert hasattr(a2a.types, "TextPart"); print("a2a-sdk", m.version("a2a-sdk"), "in", __import__("sys").prefix)'
