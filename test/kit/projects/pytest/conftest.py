# A pytest fixture that runs simpledb-local for the whole session on a free port.
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

READY = re.compile(r"simpledb-local listening on (http://\S+)")


def simpledb_command():
    """node and the package's CLI: a launcher in between (npx, npm) would not pass a signal on."""
    if os.environ.get("SIMPLEDB_LOCAL_COMMAND"):
        return shlex.split(os.environ["SIMPLEDB_LOCAL_COMMAND"])
    found = subprocess.run(
        ["node", "-p", "require.resolve('simpledb-local/package.json')"], capture_output=True, text=True
    )
    if found.returncode != 0:
        raise RuntimeError("simpledb-local is not installed here (npm install --save-dev simpledb-local)")
    return ["node", os.path.join(os.path.dirname(found.stdout.strip()), "dist", "emulator", "cli.js")]


def stop_group(proc):
    """SIGTERM to the emulator's process group, so whatever launched it stops with it; SIGKILL after 10 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        proc.poll()
        try:
            os.killpg(proc.pid, 0)  # raises once no process of the group is left
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="session")
def simpledb_endpoint():
    if os.environ.get("SIMPLEDB_LOCAL_EXPLORE") == "1":  # under `simpledb-local explore`: its run's emulator
        yield os.environ["SIMPLEDB_ENDPOINT"]
        return
    stderr = tempfile.TemporaryFile()
    # A process group of its own (start_new_session), stopped whole at the end of the session.
    proc = subprocess.Popen(
        simpledb_command() + ["--port", "0", "--log-level", "warn"],
        stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True,
    )
    try:
        for line in proc.stdout:  # the ready line comes first; end of output means it failed to start
            match = READY.search(line)
            if match:
                break
        else:
            code = proc.wait()
            stderr.seek(0)
            raise RuntimeError(f"simpledb-local exited with {code} before it was ready:\n{stderr.read().decode()}")
        # Read the rest of its output, so a full pipe never blocks it.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield match.group(1)
    finally:
        stop_group(proc)
        stderr.close()


@pytest.fixture
def sdb(simpledb_endpoint):
    import boto3

    return boto3.client(
        "sdb",
        endpoint_url=simpledb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def reset_simpledb(simpledb_endpoint):
    """Empties the emulator before the test that asks for it."""
    request = urllib.request.Request(
        f"{simpledb_endpoint}/_simpledb/reset", data=b"{}", headers={"content-type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request).close()
