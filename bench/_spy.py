import subprocess
import tempfile
from pathlib import Path

from bench.orchestration_overhead import (
    COLLECTION,
    PASSAGES,
    fakes_in_another_process,
    throughput_wrk,
)
from tests.e2e.conftest import login
from tests.e2e.graphs import rag_graph
from tests.e2e.harness import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.e2e.knowledge import seed_collection
from tests.postgres import temporary_database

with (
    fakes_in_another_process() as fakes,
    temporary_database("spy") as db,
    tempfile.TemporaryDirectory() as tmp,
    launch_stack(fakes, db, Path(tmp), Path(tmp) / "logs") as stack,
):
    seed_collection(stack.env, COLLECTION, PASSAGES)
    with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
        wf = api.post("/workflows", json={"name": "x", "graph": rag_graph(COLLECTION)}).json()
        token = api.headers["Authorization"].removeprefix("Bearer ")
    pids = {p.name: p.popen.pid for p in stack.stack.processes}
    spies = [
        subprocess.Popen(
            [
                ".venv/bin/py-spy",
                "record",
                "-p",
                str(pids[n]),
                "-d",
                "8",
                "-f",
                "raw",
                "-o",
                f"/tmp/spy-{n}.txt",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in ("api", "worker")
    ]
    print(throughput_wrk(stack.api_url, token, f"/api/v1/workflows/{wf['id']}/execute", 50, 9))
    for s in spies:
        s.wait()
