"""Citation chips, source cards, PDF pages, Copy and scrolling, in Chromium on a desktop and on a phone.

The server's corpus (tests/e2e/conftest.py) has the GAO report (with its table of countries), the HTML-injection
fixture and a small made-up PDF report. Every test also fails on a Content-Security-Policy violation.
"""

from __future__ import annotations

import re

import pytest
from test_chat_browser import BOT, ask

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
PDF_QUESTION = "Why did receiver deliveries slip for the lunar relay ground stations?"
TABLE_QUESTION = "Which countries do not take part in Operation Olympic Defender?"


@pytest.fixture(params=sorted(VIEWPORTS))
def device(request, browser, server):
    """A page at one viewport, with clipboard access, that records CSP violations and page errors."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a busy 2-core machine
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(server.url + "/", wait_until="load")
    page.evaluate(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.wait_for_selector("#question textarea")
    yield request.param, page
    assert page.evaluate("window.__csp") == [] and problems == []
    context.close()


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + min(box["height"], 200) > 0


def test_chips_of_an_older_answer_show_its_pdf_page_and_table_cells(device, output_dir):
    name, page = device
    older = ask(page, PDF_QUESTION)
    assert "eleven months" in older.inner_text()
    latest = ask(page, TABLE_QUESTION)
    assert "Japan" in latest.inner_text()

    # A chip of the OLDER answer opens that answer's sources and scrolls to the card, with its PDF page.
    chip = older.locator("a.cite-chip", has_text="[2]")
    chip.scroll_into_view_if_needed()
    chip.click()
    card = older.locator(".source-card.selected")
    card.wait_for()
    assert card.get_attribute("id") == "src-1-2"
    assert in_viewport(page, card)
    assert "eleven months" in card.locator("mark").inner_text()
    assert "p. 2 (PDF page 3)" in card.locator(".source-meta").inner_text()
    image = card.locator("details.page-view img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=image.element_handle())
    src = image.get_attribute("src") or ""
    assert re.fullmatch(r"source-page/[0-9a-f]{20}/3\?start=\d+&end=\d+", src), src
    assert "lunar" not in src and "/tmp" not in src
    page.screenshot(path=str(output_dir / f"citations-pdf-page-{name}.png"))

    # The table citation of the latest answer: an HTML table, the cited cells (Japan, Norway) marked.
    latest.locator("a.cite-chip", has_text="[1]").click()
    table_card = latest.locator(".source-card.selected")
    table_card.wait_for()
    assert in_viewport(page, table_card)
    cited = table_card.locator("table.src-table td.cited")
    assert cited.count() == 2 and cited.all_inner_texts() == ["No", "No"]
    heads = table_card.locator("th.cited-head").all_inner_texts()
    assert heads[:2] == ["Japan", "Norway"] and heads[2].startswith("Combined operations (OOD)")
    assert table_card.locator("th.cited-head sup").inner_text() == "a"  # a real superscript, not "<sup>a</sup>"
    cell = cited.first.bounding_box()
    width = VIEWPORTS[name]["width"]
    assert cell is not None and cell["x"] >= 0 and cell["x"] + cell["width"] <= width, f"cited cell out of view: {cell}"
    assert "<sup>" not in table_card.inner_text()
    page.screenshot(path=str(output_dir / f"citations-table-{name}.png"))

    # On a desktop, the Sources panel beside the chat: picking a citation there brings its card into view.
    if name == "desktop":
        page.locator("#citation-pick label").last.click()
        picked = page.locator("#sources .source-card.selected[data-n='2']")
        picked.wait_for()
        page.wait_for_timeout(300)
        assert in_viewport(page, picked)

    # Copy: the answer and its numbered sources as plain text.
    latest.locator("button.copy-answer").click()
    page.wait_for_function("() => document.querySelector('button.copy-answer:last-of-type') !== null")
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(latest.locator(".answer-text").inner_text()[:40])
    assert "[1]" in copied and "Sources:\n[1] DOD Is Pursuing Efforts" in copied
    assert "<" not in copied and "&#" not in copied and "&amp;" not in copied


def test_the_chat_scrolls_to_a_new_answer_and_shows_no_developer_links(device, output_dir):
    name, page = device
    ask(page, TABLE_QUESTION)
    ask(page, "How many recommendations did GAO make to DOD?")
    # Scroll the conversation back up to the first answer, then ask again.
    page.locator(BOT).first.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#chatbot [data-testid=\"bot\"]').scrollIntoView({block: 'start'})")
    ask(page, "Did DOD concur with the recommendations?")
    page.wait_for_timeout(400)
    questions = page.locator("#chatbot [data-testid='user']")
    assert in_viewport(page, questions.last), "the newest question and answer are not in view"
    assert "concur" in page.locator(BOT).last.inner_text().lower()
    footer = page.locator("footer")
    assert footer.count() == 0 or not re.search(r"API|Gradio|Settings", footer.first.inner_text())
    page.screenshot(path=str(output_dir / f"citations-scrolled-{name}.png"))
