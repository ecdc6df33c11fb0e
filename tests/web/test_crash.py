"""Killing the server (SIGKILL) in the middle of a write burst loses no acknowledged record; the audit chain verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from rarepath.examples import EXAMPLES
from rarepath.registry import audit, service
from rarepath.registry.access import Actor
from rarepath.registry.models import Observation, Role

WRITERS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_sigkill_during_a_write_burst_loses_nothing(registry) -> None:
    admin = Actor("test-admin", Role.ADMIN)
    with registry.session() as s:
        service.add_user(s, admin, username="dr", password="long-password", role="clinician", team="t")
        case = service.add_case(s, admin, filename="sma.yaml", content=(EXAMPLES / "sma_infant.yaml").read_bytes(), team="t")
        pseudonym = case.pseudonym
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rarepath.cli", "serve", "--db", registry.location, "--port",
                             str(port), "--no-demo"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail(f"server did not start: {proc.stderr.read().decode()[-2000:] if proc.poll() else ''}")
            time.sleep(0.2)
        token = httpx.post(f"{base}/api/token", data={"username": "dr", "password": "long-password"},
                           timeout=30).json()["access_token"]
        acknowledged: list[float] = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(n: int) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
                for i in range(10_000):
                    if stop.is_set():
                        return
                    value = n * 100_000 + i
                    try:
                        r = c.post(f"/api/cases/{pseudonym}/observations", json={
                            "analyte": "ALT", "value": value, "unit": "U/L", "upper_limit": 40,
                            "observed_on": "2025-01-06"})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        with lock:
                            acknowledged.append(float(value))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-burst: requests are in flight
        proc.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(acknowledged) >= 40
    with registry.session() as s:
        stored = set(s.scalars(select(Observation.value)))
        assert set(acknowledged) <= stored  # every write the client saw succeed is there
        check = audit.verify(s)
        assert check.ok, check.problem
        assert check.entries >= 3 + len(stored)
