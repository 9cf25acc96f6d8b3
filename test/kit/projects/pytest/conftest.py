# A pytest fixture that runs simpledb-local for the whole session on a free port.
import os
import re
import shlex
import subprocess

import pytest

READY = re.compile(r"simpledb-local listening on (http://\S+)")


@pytest.fixture(scope="session")
def simpledb_endpoint():
    command = shlex.split(os.environ.get("SIMPLEDB_LOCAL_COMMAND", "npx --no-install simpledb-local"))
    proc = subprocess.Popen(command + ["--port", "0", "--log-level", "warn"], stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # the ready line comes first; end of output means it failed to start
            match = READY.search(line)
            if match:
                break
        else:
            raise RuntimeError(f"simpledb-local exited with {proc.wait()} before it was ready")
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
