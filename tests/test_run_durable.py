"""``await run`` returns only once the run's last events are committed: another process
reading ``runs.sqlite`` right after ``asyncio.run(main())`` returned sees the answer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sqlite3, subprocess, sys
    import ascope_nb
    from ascope_nb.testing import ScriptedModel
    from ascope_nb.agent import ReActAgent

    READER = '''
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1])
    rows = db.execute("SELECT kind FROM events WHERE run_id = ?", (sys.argv[2],)).fetchall()
    status = db.execute("SELECT status FROM runs WHERE run_id = ?", (sys.argv[2],)).fetchall()
    print([r[0] for r in rows][-1] if rows else "none", status[0][0] if status else "none")
    '''

    async def main(i):
        agent = ReActAgent("Friday", "Be brief.", ScriptedModel([f"answer {i}"]))
        agent.set_console_output_enabled(False)
        run = ascope_nb.start(agent, "hi")
        await run
        return run.run_id

    seen = []
    for i in range(int(sys.argv[2])):
        run_id = asyncio.run(main(i))
        db = sqlite3.connect(sys.argv[1])  # read at once, as another process would
        kinds = db.execute("SELECT kind FROM events WHERE run_id = ?", (run_id,)).fetchall()
        db.close()
        if not kinds or kinds[-1][0] != "run_ended":
            seen.append(["at-once:" + (kinds[-1][0] if kinds else "none"), "?"])
            continue
        out = subprocess.run([sys.executable, "-c", READER, sys.argv[1], run_id],
                             capture_output=True, text=True, check=True).stdout.split()
        seen.append(out)
    print(json.dumps(seen))
    """
)


def test_a_second_process_sees_the_ended_run_as_soon_as_await_run_returns(
    tmp_path: Path,
) -> None:
    import json

    store = tmp_path / "runs.sqlite"
    env = {**os.environ, "ASCOPE_STORE": str(store)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(store), "8"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    missing = [
        i for i, (last, status) in enumerate(seen) if last != "run_ended" or status != "completed"
    ]
    assert not missing, f"runs not on disk when `await run` returned: {missing} of {seen}"
