"""Client of the public ClinicalTrials.gov API v2 (`GET /api/v2/studies`): paging, retries, a polite rate limit.

Used only behind an explicit network option (`rarepath trials fetch ... --network`); rarepath never goes to
the network on its own. Retries (HTTP 429 and 5xx, connection errors) back off exponentially and honour
`Retry-After`, through urllib3's `Retry` on a requests session; requests are spaced at least
`min_interval` seconds apart (the registry asks clients to stay near 50 requests a minute).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rarepath import __version__
from rarepath.errors import InputError, RarepathError
from rarepath.trials.records import RecordError, RecordProblem, Trial, parse_v2

__all__ = ["API_URL", "FetchResult", "StudiesClient"]

API_URL = "https://clinicaltrials.gov/api/v2/studies"
USER_AGENT = f"rarepath/{__version__} (clinical-trial pre-screening)"


class FetchError(RarepathError):
    """The registry could not be reached or answered with something that is not a study page."""


@dataclass
class FetchResult:
    trials: list[Trial] = field(default_factory=list)
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)  # NCT id -> the study as the API sent it
    problems: list[RecordProblem] = field(default_factory=list)
    pages: int = 0
    query: str = ""


class StudiesClient:
    """Pages through `/studies` for a condition or a free-text term (a gene symbol)."""

    def __init__(self, base_url: str = API_URL, *, page_size: int = 100, min_interval: float = 1.2,
                 retries: int = 4, backoff: float = 1.0, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        if not 1 <= page_size <= 1000:
            raise InputError(f"page size must be 1-1000 (the API's limit), got {page_size}", field="page_size")
        self.base_url = base_url
        self.page_size = page_size
        self.min_interval = min_interval
        self.timeout = timeout
        self._sleep = sleep
        self._last = 0.0
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                      status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                      respect_retry_after_header=True, raise_on_status=False)
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def close(self) -> None:
        self.session.close()

    def _wait_turn(self) -> None:
        gap = time.monotonic() - self._last
        if self._last and gap < self.min_interval:
            self._sleep(self.min_interval - gap)
        self._last = time.monotonic()

    def pages(self, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Each JSON page of the query, following `nextPageToken`."""
        import requests

        token: str | None = None
        while True:
            query = {**params, "format": "json", "pageSize": str(self.page_size)}
            if token:
                query["pageToken"] = token
            self._wait_turn()
            try:
                resp = self.session.get(self.base_url, params=query, timeout=self.timeout)
            except requests.RequestException as err:
                raise FetchError(f"cannot reach the registry ({type(err).__name__}: {err})",
                                 source=self.base_url) from None
            if resp.status_code != 200:
                raise FetchError(f"the registry answered HTTP {resp.status_code} after retries",
                                 source=resp.url) from None
            try:
                page = resp.json()
            except ValueError:
                raise FetchError("the registry's answer is not JSON", source=resp.url) from None
            if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
                raise FetchError("the registry's answer has no 'studies' list", source=resp.url)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    def search(self, *, condition: str | None = None, term: str | None = None, max_records: int = 1000,
               statuses: tuple[str, ...] = ()) -> FetchResult:
        """Up to `max_records` studies for `condition` (`query.cond`) and/or `term` (`query.term`)."""
        if not condition and not term:
            raise InputError("give a condition or a search term", field="--condition/--gene")
        params: dict[str, str] = {}
        if condition:
            params["query.cond"] = condition
        if term:
            params["query.term"] = term
        if statuses:
            params["filter.overallStatus"] = ",".join(statuses)
        result = FetchResult(query=" ".join(f"{k}={v}" for k, v in params.items()))
        for page in self.pages(params):
            result.pages += 1
            for i, study in enumerate(page["studies"]):
                try:
                    trial = parse_v2(study)
                    result.trials.append(trial)
                    result.raw[trial.nct_id] = study
                except RecordError as err:
                    result.problems.append(RecordProblem(f"{self.base_url} page {result.pages} study {i}",
                                                         str(err), err.nct_id))
                if len(result.trials) >= max_records:
                    return result
        return result
