"""Both reports for three cases, rendered by Debian's chromium (headless, through Playwright) and by WeasyPrint:
no text overflows its box, no Python repr is visible, every HPO id shows its label, in-document links resolve.

Chromium comes from `scripts/install-system-deps.sh` (test set); Playwright needs no browser download because
it is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from rarepath.report.render import render_clinician_html, render_family_html
from rarepath.report.view import hpo_label

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
REPR = re.compile(r"\{'|\[\]|\bNone\b|\[\{|\bTrue\b|\bFalse\b")
#: Elements whose content is wider than their box (inline boxes have no scroll box and are skipped).
OVERFLOW_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => getComputedStyle(e).display !== 'inline' && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName}#${e.id} ${e.scrollWidth}>${e.clientWidth}: ${e.textContent.slice(0, 60)}`)"""


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as sync_api  # in the test extra: a missing install fails, never skips
    if not Path(CHROMIUM).exists():
        why = "Debian chromium not installed (scripts/install-system-deps.sh installs it for the tests)"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _reports(data):
    return {"clinician": render_clinician_html(data), "family": render_family_html(data)}


@pytest.mark.parametrize("width", [1100, 700])
def test_chromium_screenshots(browser, case_data, tmp_path: Path, width: int):
    name, data = case_data
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for kind, html in _reports(data).items():
            path = tmp_path / f"{name}.{kind}.html"
            path.write_text(html, encoding="utf-8")
            page.goto(path.as_uri())
            shot = tmp_path / f"{name}.{kind}.{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            assert page.evaluate(OVERFLOW_JS) == [], (kind, width)
            text = page.inner_text("body")
            assert not REPR.search(text), (kind, REPR.search(text))
            assert "not medical advice" in text
            if kind == "clinician":
                flat = " ".join(text.split())
                for term in data["case"]["phenotypes"] + data["case"]["excluded_phenotypes"]:
                    assert f"{hpo_label(term)} ({term})" in flat, term
            # every in-document link lands on an element
            missing = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
                .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
            assert missing == []
    finally:
        page.close()


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_weasyprint_pdf_fits_the_page_and_links_work(case_data, caplog):
    from weasyprint import HTML

    _, data = case_data
    for kind, html in _reports(data).items():
        doc = HTML(string=html).render()
        anchors: set[str] = set()
        links: list[str] = []
        for page in doc.pages:
            anchors |= set(page.anchors)
            links += [target for typ, target, *_ in page.links if typ == "internal"]
            pb = page._page_box
            right = pb.margin_width() - pb.margin_right
            over = [b for b in _boxes(pb) if type(b).__name__ != "PageBox"
                    and b.position_x + b.margin_width() > right + 0.5]
            assert not over, (kind, [getattr(b, "text", type(b).__name__) for b in over[:5]])
        assert set(links) <= anchors, (kind, set(links) - anchors)
        if kind == "clinician" and any(o["target"] for o in data["options"]):
            assert links, "the verdict table links to each option's evidence"
        assert doc.write_pdf()[:5] == b"%PDF-"
    # the style sheet is read whole: no declaration dropped (an HTML-escaped quote once lost the font)
    assert not [r.getMessage() for r in caplog.records if r.name == "weasyprint" and "Ignored" in r.getMessage()
                or "Stop token" in r.getMessage()]
