"""Accessibility in Chromium: axe-core (bundled by axe-playwright-python) finds no serious or critical
violation on the empty chat or on an answered one with its sources open, on a desktop and on a phone; the
Sources panel is a live region; the newest answer's actions are reached from the question box first."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e

BOT = "#chatbot [data-testid='bot']"

VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"desktop": "light", "phone": "light", "desktop-dark": "dark"}


def ask(page, question: str):
    before = page.locator(BOT).count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        "([s, n]) => { const b = document.querySelectorAll(s); return b.length > n && !b[b.length - 1]"
        ".querySelector('.pending'); }",
        arg=[BOT, before],
    )
    return page.locator(BOT).nth(before)  # this answer, not whichever is last when the locator is used


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_no_serious_accessibility_violations(browser, server, output_dir, name):
    viewport = VIEWPORTS[name.removesuffix("-dark")]
    context = browser.new_context(viewport=viewport, color_scheme=SCHEMES[name])
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url + "/", wait_until="load")
        page.wait_for_selector("#question textarea")
        assert serious(page) == []
        ask(page, "Why did receiver deliveries slip for the lunar relay ground stations?")
        answer = ask(page, "Which countries do not take part in Operation Olympic Defender?")
        answer.locator("a.cite-chip").first.click()
        page.locator(".source-card.selected").first.wait_for()
        page.locator(BOT).first.locator("a.cite-chip").last.click()
        page.wait_for_timeout(500)
        assert serious(page) == []
        assert page.locator("#sources").get_attribute("aria-live") == "polite"
        page.screenshot(path=str(output_dir / f"a11y-{name}.png"), full_page=True)
    finally:
        context.close()


def test_the_answers_actions_come_right_before_the_question_box(page, server):
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#question textarea")
    ask(page, "How many recommendations did GAO make to DOD?")
    page.focus("#question textarea")
    reached = []
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        reached.append(page.evaluate("(e => e.getAttribute('aria-label') || e.textContent)(document.activeElement)"))
    assert any(r and r.strip() in ("Like", "Dislike", "Copy answer") for r in reached), reached
    # a visible focus indicator: the focused control has an outline
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
