"""The API v2 client against a small HTTP server on loopback serving pages of the written records."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from rarepath.cli import main
from rarepath.trials.fetch import FetchError, StudiesClient
from rarepath.trials.store import TrialStore

WRITTEN = Path(__file__).resolve().parents[1] / "data" / "trials" / "written"
STUDIES = [json.loads(p.read_text()) for p in sorted(WRITTEN.glob("NCT*.json"))]


class _Registry:
    """Serves /api/v2/studies in pages of `page_size`; the first `fail_first` requests answer 503."""

    def __init__(self, fail_first: int = 0, body: bytes | None = None) -> None:
        self.fail_first = fail_first
        self.body = body
        self.requests: list[dict[str, list[str]]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                query = parse_qs(urlparse(self.path).query)
                registry.requests.append(query)
                if len(registry.requests) <= registry.fail_first:
                    self._send(503, b'{"error": "busy"}', {"Retry-After": "0"})
                    return
                if registry.body is not None:
                    self._send(200, registry.body)
                    return
                size = int(query["pageSize"][0])
                start = int(query.get("pageToken", ["0"])[0])
                page: dict = {"studies": STUDIES[start:start + size]}
                if start + size < len(STUDIES):
                    page["nextPageToken"] = str(start + size)
                self._send(200, json.dumps(page).encode())

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _serve(registry: _Registry) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), registry.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/studies"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def registry() -> _Registry:
    return _Registry(fail_first=1)


@pytest.fixture
def url(registry: _Registry) -> Iterator[str]:
    yield from _serve(registry)


def test_pages_retries_and_rate_limit(url: str, registry: _Registry) -> None:
    waits: list[float] = []
    client = StudiesClient(url, page_size=4, min_interval=0.5, backoff=0, sleep=waits.append)
    result = client.search(condition="spinal muscular atrophy", statuses=("RECRUITING",))
    client.close()
    assert [t.nct_id for t in result.trials] == [s["protocolSection"]["identificationModule"]["nctId"]
                                                 for s in STUDIES]
    assert result.pages == 2
    assert len(registry.requests) == 3  # one 503 retried, then two pages
    first, second = registry.requests[1], registry.requests[2]
    assert first["query.cond"] == ["spinal muscular atrophy"] and first["filter.overallStatus"] == ["RECRUITING"]
    assert first["format"] == ["json"] and "pageToken" not in first and second["pageToken"] == ["4"]
    assert len(waits) == 1 and 0 < waits[0] <= 0.5  # the second page waited for its turn


def test_max_records_stops_paging(url: str, registry: _Registry) -> None:
    client = StudiesClient(url, page_size=2, min_interval=0, backoff=0)
    result = client.search(term="SMN1", max_records=3)
    assert len(result.trials) == 3 and result.pages == 2
    assert registry.requests[-1]["query.term"] == ["SMN1"]


def test_not_json_is_a_fetch_error() -> None:
    for url in _serve(_Registry(body=b"<html>maintenance</html>")):
        with pytest.raises(FetchError, match="not JSON"):
            StudiesClient(url, min_interval=0, backoff=0).search(condition="x")


def test_persistent_errors_give_up_with_one_line() -> None:
    for url in _serve(_Registry(fail_first=100)):
        with pytest.raises(FetchError, match="HTTP 503 after retries"):
            StudiesClient(url, min_interval=0, backoff=0, retries=2).search(condition="x")


def test_cli_fetch_stores_records(url: str, tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["trials", "fetch", "--gene", "SMN1", "--network", "--base-url", url, "--db", str(db),
                 "--save", str(tmp_path / "saved")]) == 0
    assert "fetched 6 record(s)" in capsys.readouterr().out
    with TrialStore.open(db) as store:
        assert store.count() == 6
        assert store.get("NCT99000002").source.startswith(url)
    assert len(list((tmp_path / "saved").glob("NCT*.json"))) == 6
    assert main(["trials", "import", str(tmp_path / "saved"), "--db", str(tmp_path / "again.sqlite")]) == 0
    assert "imported 6 trial record(s)" in capsys.readouterr().out
