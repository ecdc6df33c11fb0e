"""The pages in a real browser: Playwright driving Debian's chromium against uvicorn on loopback.

A screenshot of each page is kept under .pytest_cache/artifacts/browser (CI keeps it as an artifact).
Without chromium or the playwright package the test skips with the reason; under CI (CI=true) it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, _unavailable
from registry_cases import PATIENT_ID, phenopacket

CHROMIUM = os.environ.get("RAREPATH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
ARTIFACTS = REPO / ".pytest_cache" / "artifacts" / "browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app on a seeded SQLite registry, served by uvicorn in a thread on a free loopback port."""
    import uvicorn

    from rarepath.registry.db import open_registry
    from rarepath.web.app import create_app
    from rarepath.web.seed import seed_demo

    registry = open_registry(str(tmp_path / "registry.sqlite"))
    seed_demo(registry)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(registry=registry), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)
    registry.close()


@pytest.fixture
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        _unavailable(f"chromium not found at {CHROMIUM}: install the Debian package 'chromium' "
                     "(scripts/install-system-deps.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.slow
def test_clinician_and_family_in_the_browser(server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(f"{server}/")
    assert "/login" in page.url
    _shot(page, "01-login")
    _login(page, server, "clinician", "demo-clinician")
    assert page.locator("h1").inner_text() == "Cases"
    _shot(page, "02-cases")
    # a broken upload: a clear message in the page, nothing saved
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ')
    rows_before = page.locator("table").first.locator("tr").count()
    page.set_input_files("input[type=file]", str(broken))
    page.click("text=Upload and assess")
    assert "not a valid Phenopacket v2" in page.locator(".error").inner_text()
    assert page.locator("table").first.locator("tr").count() == rows_before
    _shot(page, "03-bad-upload")
    # upload a phenopacket: the case page shows the assessment
    good = tmp_path / "doe.json"
    good.write_bytes(phenopacket())
    page.set_input_files("input[type=file]", str(good))
    page.fill("input[name=patient_name]", "Jane Doe")
    page.select_option("select[name=consent]", "research")
    page.click("text=Upload and assess")
    assert page.locator("h1").inner_text().startswith("Case RP-")
    pseudonym = page.locator("h1").inner_text().split()[-1]
    assert "gene_replacement" in page.content() and "Jane Doe" in page.content()
    _shot(page, "04-case")
    page.click("text=Clinician report")
    assert "onasemnogene abeparvovec" in page.content() and PATIENT_ID not in page.content()
    _shot(page, "05-clinician-report")
    page.go_back()
    page.click("text=Family report")
    assert "not medical advice" in page.content().lower()
    _shot(page, "06-family-report")
    page.go_back()
    # decision, treatment, generated follow-up schedule
    page.select_option("select[name=option]", "gene_replacement:SMN1")
    page.fill("input[name=product]", "onasemnogene abeparvovec")
    page.fill("input[name=rationale]", "approved; anti-AAV9 titre below the label threshold")
    page.click("text=Record decision")
    assert "approved; anti-AAV9 titre" in page.content()
    page.fill("form[action$='/treatment'] input[name=administered_on]", "2025-01-06")
    page.fill("form[action$='/treatment'] input[name=lot]", "LOT-42")
    page.click("text=Record treatment")
    assert "/follow-up" in page.url
    assert "18 visits to 2030-01-05" in page.content()
    assert page.locator("tr.overdue").count() > 0 and "Overdue" in page.content()
    _shot(page, "07-follow-up")
    page.fill("input[name=analyte]", "ALT")
    page.fill("input[name=value]", "250")
    page.fill("input[name=unit]", "U/L")
    page.fill("input[name=upper_limit]", "40")
    page.click("text=Record value")
    assert page.locator("tr.sev3").count() == 1
    page.goto(f"{server}/cases/{pseudonym}")
    page.fill("input[name=term]", "Hepatotoxicity")
    page.select_option("select[name=grade]", "3")
    page.check("input[name=serious]")
    page.select_option("select[name=relatedness]", "probable")
    page.click("text=Record adverse event")
    assert page.locator("tr.sev3", has_text="Hepatotoxicity").count() == 1
    _shot(page, "08-adverse-event")
    page.goto(f"{server}/")
    assert "serious adverse event: Hepatotoxicity" in page.content()
    page.click("text=Log out")

    # the family sees their own case only, and the family report
    _login(page, server, "family", "demo-family")
    links = page.locator("a[href^='/cases/']")
    assert links.count() == 1
    own = links.first.inner_text()
    resp = page.goto(f"{server}/cases/{pseudonym}")
    assert resp.status == 403 and "not allowed" in page.content()
    _shot(page, "09-family-forbidden")
    page.goto(f"{server}/cases/{own}/report/clinician")
    assert "families see the family report" in page.content()
    page.goto(f"{server}/cases/{own}/report/family")
    assert "not medical advice" in page.content().lower()
    page.goto(f"{server}/")
    page.click("text=Log out")

    # the researcher sees pseudonyms, never names
    _login(page, server, "researcher", "demo-researcher")
    assert pseudonym in page.content() and "Jane Doe" not in page.content()
    page.goto(f"{server}/cases/{pseudonym}")
    assert "Jane Doe" not in page.content() and PATIENT_ID not in page.content()
    _shot(page, "10-researcher")
