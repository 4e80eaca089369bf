"""The Reports tab in Chromium against a real server: add a report from the browser, refuse a broken one,
read a report, and the report filter shown in the chat as removable chips."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_chat_browser import ask, open_chat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e

# Our own fixture report (not from any real report).
LIGHTHOUSE_REPORT = """# Lighthouse Lamp Maintenance: Coastal Stations Need a Replacement Schedule

Report LX-26-900720, March 2026.

## What GAO Found

The coastal station review found that keepers replaced 41 lighthouse lamps in 2025.

Keepers reported that replacement lamps took 6 weeks to arrive at remote stations.

## What GAO Recommends

GAO recommends that the lamp office publish a replacement schedule for every station.
"""
BROKEN_PDF = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Not found</body></html>"


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory: pytest.TempPathFactory, launch_server) -> Iterator[Any]:
    files: dict[str, str | Path] = {"GAO-25-108043.txt": ROOT / "corpus" / "GAO-25-108043.txt"}
    with launch_server(tmp_path_factory.mktemp("reports"), files) as running:
        yield running


def corpus_state(server: Any) -> dict[str, str]:
    return {
        p.relative_to(server.corpus_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(server.corpus_dir.rglob("*"))
        if p.is_file()
    }


def documents(server: Any) -> list[dict]:
    return httpx.get(f"{server.url}/api/documents", timeout=10).json()


def open_reports(page) -> None:
    page.get_by_role("tab", name="Reports").click()
    page.locator("#documents table.documents").wait_for()


def upload(page, name: str, data: bytes) -> str:
    """Pick a file in the Reports tab, add it, and return the status text once the server has answered."""
    box = page.locator("#upload-report")
    box.locator("#report-file").set_input_files({"name": name, "mimeType": "application/octet-stream", "buffer": data})
    box.locator("#upload-go").click()
    page.wait_for_function(
        "() => { const s = document.querySelector('#upload-status'); "
        "return s && (s.textContent.startsWith('Added') || s.textContent.startsWith('Not added')); }",
        timeout=180_000,
    )
    return box.locator("#upload-status").inner_text()


def test_a_broken_file_is_refused_with_its_reason_and_changes_nothing(page, reports_server, output_dir):
    open_chat(page, reports_server)
    open_reports(page)
    before_corpus, before_docs = corpus_state(reports_server), documents(reports_server)

    status = upload(page, "GAO-26-999999.pdf", BROKEN_PDF)
    assert status.startswith("Not added"), status
    assert "named .pdf but is an HTML page" in status and "Nothing was changed" in status
    status = upload(page, "empty.md", b"")
    assert "empty" in status and status.startswith("Not added"), status
    status = upload(page, "bad.txt", b"\x00\xff\xfe\x00" * 64)
    assert status.startswith("Not added"), status
    page.screenshot(path=str(output_dir / "reports-upload-refused.png"), full_page=True)

    assert corpus_state(reports_server) == before_corpus
    assert documents(reports_server) == before_docs


def test_an_uploaded_report_is_answerable_without_a_restart(page, reports_server, output_dir):
    open_chat(page, reports_server)
    open_reports(page)
    status = upload(page, "lighthouse-lamps.md", LIGHTHOUSE_REPORT.encode())
    assert status.startswith("Added lighthouse-lamps.md"), status
    assert "LX-26-900720" in status

    # The list shows it (number, date, "unknown" pages: a Markdown file has none) without reloading.
    table = page.locator("#documents table.documents")
    page.wait_for_function("() => document.querySelector('#documents').innerText.includes('LX-26-900720')")
    row = table.locator("tr", has_text="LX-26-900720")
    assert "Lighthouse Lamp Maintenance" in row.inner_text() and "unknown" in row.inner_text()
    assert (reports_server.corpus_dir / "lighthouse-lamps.md").read_text() == LIGHTHOUSE_REPORT
    page.screenshot(path=str(output_dir / "reports-uploaded.png"), full_page=True)

    # It can be read in the page, as text.
    page.locator("#read-pick input").click()
    page.get_by_role("option", name="LX-26-900720: Lighthouse Lamp Maintenance", exact=False).click()
    reader = page.locator("#report-reader .report-text")
    reader.wait_for()
    assert "replaced 41 lighthouse lamps" in reader.inner_text()

    # And asked about, from the chat, whose examples now include it.
    page.get_by_role("tab", name="Chat").click()
    page.get_by_text("What is LX-26-900720 about?").wait_for()
    answer = ask(page, "How many lighthouse lamps did keepers replace in 2025?")
    assert "41" in answer.inner_text(), answer.inner_text()


def test_the_report_filter_shows_as_chips_in_the_chat_and_can_be_removed(sized_page, reports_server, output_dir):
    page = sized_page
    open_chat(page, reports_server)
    chips = page.locator("#only-documents")
    chips.locator("input").click()
    page.get_by_role("option", name="GAO-25-108043").click()
    page.keyboard.press("Escape")
    chip = chips.locator(".token", has_text="GAO-25-108043")
    chip.wait_for()
    assert "Answering from" in chips.inner_text()
    answer = ask(page, "How many recommendations did GAO make to DOD?")
    assert "recommendation" in answer.inner_text().lower()
    assert not page.locator("#filter-note").is_visible()
    # An answer that finds nothing while the filter is on says why, under the chips.
    ask(page, "What is the capital of France?")
    note = page.locator("#filter-note")
    note.get_by_text("only in the reports under").wait_for()
    page.screenshot(path=str(output_dir / f"reports-filter-chip-{page.viewport_name}.png"), full_page=True)

    chip.get_by_role("button").click()  # the chip's ×
    page.wait_for_function("() => !document.querySelector('#only-documents .token')")
    assert chips.locator(".token").count() == 0
