"""Accessibility in Chromium: axe-core (bundled by axe-playwright-python) finds no serious or critical
violation on the empty chat or on an answered one with its sources open, on a desktop and on a phone; the
Sources panel is a live region; the newest answer's actions are reached from the question box first."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_chat_browser import ask

pytestmark = pytest.mark.e2e


VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"desktop": "light", "phone": "light", "desktop-dark": "dark"}


# WCAG relative-luminance contrast of two computed "rgb(r, g, b)" colours, in the page.
CONTRAST_JS = """([fg, bg]) => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def placeholder_contrast(page) -> float:
    colours = page.evaluate(
        """() => { const t = document.querySelector('#question textarea');
        let bg = 'rgb(255, 255, 255)';
        for (let e = t; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
          if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') { bg = c; break; } }
        return [getComputedStyle(t, '::placeholder').color, bg]; }"""
    )
    return float(page.evaluate(CONTRAST_JS, colours))


def serious(page) -> list[str]:
    # Gradio dims a component to opacity 0.2 while an event it shows is running (the page's load events fill
    # the examples and the restored history): measure the page as it settles, not mid-event.
    page.wait_for_function("!document.querySelector('.pending')", timeout=120_000)
    page.wait_for_timeout(300)  # the opacity transition back to 1
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
    page.set_default_timeout(120_000)  # a busy 2-core machine
    try:
        page.goto(server.url + "/", wait_until="load")
        page.wait_for_selector("#question textarea")
        assert serious(page) == []
        assert placeholder_contrast(page) >= 4.5  # axe does not check placeholders
        ask(page, "What is the capital of France?")  # an abstention: muted, but still readable
        older = ask(page, "Why did receiver deliveries slip for the lunar relay ground stations?")
        answer = ask(page, "Which countries do not take part in Operation Olympic Defender?")
        answer.locator("a.cite-chip").first.click()
        page.locator(".source-card.selected").first.wait_for()
        older.locator("a.cite-chip").last.click()
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


def test_a_chip_works_from_the_keyboard_and_the_source_shows_focus(page, server):
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#question textarea")
    answer = ask(page, "Which countries do not take part in Operation Olympic Defender?")
    answer.locator("a.cite-chip").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'src-1-1'")
    style = page.evaluate("(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle(document.activeElement))")
    assert style[0] != "none" and style[1] != "0px", style
    assert page.locator("#src-1-1").is_visible()
