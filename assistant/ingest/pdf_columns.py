"""Reading order of PDF pages laid out in two columns.

A page laid out in two columns is read column by column: the left column first when it holds running text
(a Highlights page), or its side headings merged in by height when it holds only headings (the body pages of
GAO reports, where section headings stand in the left margin). Figures and tables (marked regions) stay whole.
"""

from __future__ import annotations

from collections import Counter

from assistant.ingest.pdf_layout import Line, Page, Run, group_lines

BULLETS = ("•", "◦", "▪", "‣", "∙", "·", "-", "–", "*", "o")


def order_columns(page: Page, body: float) -> None:
    """Put a two-column page in reading order (see the module docstring); figures and tables stay whole."""
    lines = page.lines
    gutter = _gutter([ln for ln in lines if not ln.region], page.width)
    if gutter is None:
        return
    spanning: list[Line] = []
    pools: dict[str, list[Run]] = {"left": [], "right": []}
    for line in lines:  # runs of each column regrouped on their own: lines of the two columns never mix
        if line.region or any(r.x0 < gutter < r.x1 for r in line.runs):
            spanning.append(line)
        else:
            for run in line.runs:  # a bullet hung in the margin belongs to its item in the right column
                hung = run.x1 > gutter - 25 and run.text.strip() in BULLETS
                pools["left" if run.x1 <= gutter and not hung else "right"].append(run)
    sides = {side: group_lines(runs, page.number) for side, runs in pools.items()}
    for side, side_lines in sides.items():
        for line in side_lines:
            line.column = side
    left_lines, right_lines = sides["left"], sides["right"] + spanning
    text_lines = [ln for ln in left_lines if ln.size <= body + 0.6 and len(ln.text) > 12]
    if len(text_lines) >= 5:  # running text in the left column: read it first, then the right column
        page.lines = left_lines + sorted(right_lines, key=lambda ln: -ln.y)
        return
    items: list[tuple[float, int, list[Line]]] = []  # (top, left first, lines)
    block: list[Line] = []
    for line in left_lines:  # side headings: one block per heading, placed by the height of its top
        if block and block[-1].y - line.y > 1.3 * max(line.size, block[-1].size):
            items.append((block[0].top + 3, 0, block))
            block = []
        block.append(line)
    if block:
        items.append((block[0].top + 3, 0, block))
    items += [(ln.top, 1, [ln]) for ln in right_lines]
    items.sort(key=lambda item: (-item[0], item[1]))
    page.lines = [ln for _, _, group in items for ln in group]


def _gutter(lines: list[Line], width: float) -> float | None:
    """The x of a gutter between a left and a right column, or None for a one-column page.

    Candidates are left edges shared by several lines; one is a gutter when text stands left of it, few runs
    cross it, and the lines left of it are not the first cells of table rows (same baseline, same size).
    """
    starts: Counter[int] = Counter(round(c.x0 / 3) for ln in lines for c in ln.cells)
    runs = [r for ln in lines for r in ln.runs]
    best: tuple[int, float] | None = None
    for key, n in starts.items():
        g = key * 3 - 4.0
        if n < 4 or not 0.15 * width < g < 0.6 * width:
            continue
        left = [ln for ln in lines if any(r.x1 <= g for r in ln.runs)]
        crossing = sum(1 for r in runs if r.x0 < g - 1 and r.x1 > g + 1)
        if not left or crossing > max(2, 0.08 * len(runs)):
            continue
        paired = 0
        for ln in left:
            mine = [r for r in ln.runs if r.x1 <= g]
            others = [r for r in ln.runs if r.x0 >= g]
            if mine and any(abs(o.y - mine[0].y) < 0.6 and abs(o.size - mine[0].size) < 1.0 for o in others):
                paired += 1
        if paired > 0.5 * len(left):
            continue
        if best is None or len(left) > best[0]:
            best = (len(left), g)
    return best[1] if best else None
