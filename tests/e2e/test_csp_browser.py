"""The chat works in Chromium under its Content-Security-Policy, with no violation reported (finding 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BOT = "#chatbot [data-testid='bot']"


def test_the_chat_runs_under_its_csp_without_violations(page, server, output_dir):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    response = page.goto(server.url + "/", wait_until="load")
    csp = response.headers["content-security-policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in script_src and "http" not in script_src
    page.evaluate(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.wait_for_selector("#question textarea")
    page.fill("#question textarea", "How many recommendations did GAO make to DOD?")
    page.click("#ask")
    page.locator("#sources .source-card mark").first.wait_for()
    assert page.locator(BOT).last.locator("a.cite-chip").count() >= 1
    page.get_by_role("tab", name="Reports").click()
    page.locator("#documents table.documents").wait_for()
    page.get_by_role("tab", name="Chat").click()
    with page.expect_download() as download:
        page.click("#export")
    assert "## 1. How many recommendations" in Path(download.value.path()).read_text(encoding="utf-8")
    page.screenshot(path=str(output_dir / "chat-under-csp.png"), full_page=True)
    assert page.evaluate("window.__csp") == [] and problems == []


def test_api_docs_render_under_the_csp(page, server):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server.url + "/docs", wait_until="load")
    page.get_by_text("/api/ask").first.wait_for()
    assert problems == []
