"""Load test of the registry web app on loopback: concurrent clients mixing reads and writes.

For each back-end a fresh registry is seeded (one clinician, the example cases, one treatment with its
follow-up plan), `rarepath serve` is started as a separate process, and `--clients` asyncio clients (httpx)
send requests for `--seconds`: 40 % case reads, 20 % follow-up calendars, 10 % alert lists, 30 % lab-value
writes. Every read is audited, so every request writes. Afterwards the rows are counted: every write the
server acknowledged (201) must be in the database (`lost`), and the audit chain must verify. The baseline
is one client for a sixth of the time, in the same process: the ratio is the throughput gained by 50 clients.

PostgreSQL: `--pg-url postgresql://...` (an empty database), else a private server is started with
tests/pg_server.py (Debian package `postgresql`).

Usage: .venv/bin/python benchmarks/registry_load.py [--seconds 60] [--clients 50] [--backend both]
Development: --seconds 10 --clients 20. Last lines, one per back-end:
`registry_load: backend=B clients=C requests=N errors=E lost=L p50_ms=X p99_ms=Y`
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from rarepath.examples import EXAMPLES
from rarepath.registry import audit, service
from rarepath.registry.access import Actor
from rarepath.registry.db import open_registry
from rarepath.registry.models import Observation, Role

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password"


@dataclass
class Run:
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: set[float] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def seed(location: str) -> list[str]:
    reg = open_registry(location)
    admin = Actor("load-seed", Role.ADMIN)
    with reg.session() as s:
        service.add_user(s, admin, username="dr", password=PASSWORD, role="clinician", team="load")
        cases = []
        for name in ("sma_infant.yaml", "dmd_boy.yaml"):
            case = service.add_case(s, admin, filename=name, content=(EXAMPLES / name).read_bytes(), team="load")
            service.assess(s, admin, case)
            cases.append(case)
        service.treat(s, admin, cases[0], product="onasemnogene abeparvovec", administered_on=dt.date(2025, 1, 6))
        pseudonyms = [c.pseudonym for c in cases]
    reg.close()
    return pseudonyms


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(location: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rarepath.cli", "serve", "--db", location, "--port", str(port),
                             "--no-demo"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"server did not start: {proc.stderr.read().decode()[-2000:]}")


async def client(c: httpx.AsyncClient, pseudonyms: list[str], until: float, run: Run, counter: itertools.count,
                 rng: random.Random) -> None:
    while time.monotonic() < until:
        p = rng.choice(pseudonyms)
        roll = rng.random()
        value = None
        t0 = time.perf_counter()
        try:
            if roll < 0.4:
                r = await c.get(f"/api/cases/{p}")
            elif roll < 0.6:
                r = await c.get(f"/api/cases/{p}/follow-up")
            elif roll < 0.7:
                r = await c.get("/api/alerts")
            else:
                value = float(next(counter))
                r = await c.post(f"/api/cases/{p}/observations", json={
                    "analyte": "ALT", "value": value, "unit": "U/L", "upper_limit": 1e12, "observed_on": "2025-02-01"})
            ok = r.status_code < 300
        except httpx.HTTPError:
            ok = False
        run.latencies_ms.append((time.perf_counter() - t0) * 1000)
        run.requests += 1
        if not ok:
            run.errors += 1
        elif value is not None:
            run.acknowledged.add(value)


async def load(base: str, token: str, pseudonyms: list[str], clients: int, seconds: float, start: int) -> Run:
    run = Run()
    counter = itertools.count(start)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120,
                                 limits=limits) as c:
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(*(client(c, pseudonyms, until, run, counter, random.Random(i)) for i in range(clients)))
        run.seconds = time.monotonic() - t0
    return run


def check(location: str, acknowledged: set[float]) -> tuple[int, int, bool]:
    """(stored observation rows, acknowledged writes missing, audit chain intact)."""
    reg = open_registry(location)
    with reg.session() as s:
        stored = set(s.scalars(select(Observation.value)))
        ok = audit.verify(s).ok
    reg.close()
    return len(stored), len(acknowledged - stored), ok


def bench(backend: str, location: str, clients: int, seconds: float) -> str:
    pseudonyms = seed(location)
    proc, base = start_server(location)
    try:
        token = httpx.post(f"{base}/api/token", data={"username": "dr", "password": PASSWORD},
                           timeout=60).json()["access_token"]
        baseline = asyncio.run(load(base, token, pseudonyms, 1, max(seconds / 6, 2), 0))
        run = asyncio.run(load(base, token, pseudonyms, clients, seconds, 10_000_000))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    stored, lost, chain_ok = check(location, baseline.acknowledged | run.acknowledged)
    lat = sorted(run.latencies_ms)
    p50 = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{backend}: baseline 1 client {baseline.per_s:.1f} req/s (p50 {statistics.median(baseline.latencies_ms):.1f} "
          f"ms); {clients} clients {run.per_s:.1f} req/s, ratio {run.per_s / baseline.per_s:.2f}x; "
          f"{len(run.acknowledged)} writes acknowledged, {stored} observation rows stored, audit chain "
          f"{'intact' if chain_ok else 'BROKEN'}", flush=True)
    return (f"registry_load: backend={backend} clients={clients} requests={run.requests} errors={run.errors} "
            f"lost={lost} p50_ms={p50:.1f} p99_ms={p99:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg-url", help="empty PostgreSQL database to use (default: start a private server)")
    args = ap.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="rarepath-load-") as tmp:
        if args.backend in ("sqlite", "both"):
            lines.append(bench("sqlite", str(Path(tmp) / "registry.sqlite"), args.clients, args.seconds))
        if args.backend in ("postgresql", "both"):
            server = None
            url = args.pg_url
            if url is None:
                sys.path.insert(0, str(REPO / "tests"))
                from pg_server import start_server as start_pg

                server = start_pg()
                url = server.create_database("registry_load")
            try:
                lines.append(bench("postgresql", url, args.clients, args.seconds))
            finally:
                if server is not None:
                    server.stop()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
