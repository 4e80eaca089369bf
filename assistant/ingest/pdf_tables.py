"""Tables of PDF pages: columns from the cells' left edges, rows from the rules drawn between them."""

from __future__ import annotations

import re

from assistant.ingest.pdf_layout import Cell, Line, Page, Run, join_lines, make_line, read_rules

_CONTINUED = re.compile(r"^\(?continued\b", re.IGNORECASE)  # "(Continued From Previous Page)" over a table


def table_columns(cells: list[Cell], rows: int) -> list[tuple[float, float]]:
    """Column extents of a table: clusters of cells' left edges, a cluster that starts inside the usual extent
    of the one before it (wrapped or indented text, right-aligned numbers) merged into it."""
    clusters: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if clusters and cell.x0 - clusters[-1][-1].x0 <= 4:
            clusters[-1].append(cell)
        else:
            clusters.append([cell])
    least = 2 if rows >= 3 else 1
    kept = [c for c in clusters if len(c) >= least]
    spans = [(c[0].x0, _usual_end(c)) for c in kept]
    kept += [c for c in clusters if len(c) < least and not any(a - 2 <= c[0].x0 <= b for a, b in spans)]
    merged: list[list[Cell]] = []
    for cluster in sorted(kept, key=lambda c: c[0].x0):
        if merged and cluster[0].x0 < _usual_end(merged[-1]) - 2:
            merged[-1].extend(cluster)
        else:
            merged.append(list(cluster))
    return [(min(c.x0 for c in group), _usual_end(group)) for group in merged]


def _usual_end(cells: list[Cell]) -> float:
    ends = sorted(c.x1 for c in cells)
    return ends[int(0.75 * (len(ends) - 1))]


def column_of(x0: float, x1: float, columns: list[tuple[float, float]]) -> int:
    """The column a piece of text stands in: the one it overlaps most, else the nearest."""
    overlaps = [min(x1, b) - max(x0, a) for a, b in columns]
    best = max(range(len(columns)), key=lambda k: overlaps[k])
    if overlaps[best] > 0:
        return best
    return min(range(len(columns)), key=lambda k: min(abs(x0 - columns[k][1]), abs(x1 - columns[k][0])))


def split_runs(line: Line, columns: list[tuple[float, float]]) -> list[Line | None]:
    """A table line cut into its columns: each piece of text goes to the column it stands in. Runs that touch
    are one piece (a word set in fragments); a piece across two columns is cut at its spaces."""
    pieces: list[Run] = []
    for run in sorted(line.runs, key=lambda r: r.x0):
        last = pieces[-1] if pieces else None
        if last and abs(last.size - run.size) < 0.1 and run.x0 - last.x1 < 0.15 * run.size and last.text[-1:] != " ":
            pieces[-1] = Run(last.x0, run.x1, last.y, last.size, last.text + run.text, last.bold and run.bold)
        else:
            pieces.append(Run(run.x0, run.x1, run.y, run.size, run.text, run.bold))
    runs: list[list[Run]] = [[] for _ in columns]
    for piece in pieces:
        spanned = sum(1 for a, b in columns if min(piece.x1, b) - max(piece.x0, a) > 2)
        per_char = (piece.x1 - piece.x0) / max(len(piece.text), 1)
        words = [(m.start(), m.group()) for m in re.finditer(r"\S+", piece.text)] if spanned > 1 else [(0, piece.text)]
        for offset, word in words:
            x0 = piece.x0 + offset * per_char
            x1 = x0 + len(word) * per_char if spanned > 1 else piece.x1
            runs[column_of(x0, x1, columns)].append(Run(x0, x1, piece.y, piece.size, word + " ", piece.bold))
    parts = [make_line(group, line.page) if group else None for group in runs]
    if not line.runs:  # a line made without runs: its cells
        for cell in line.cells:
            parts[column_of(cell.x0, cell.x1, columns)] = Line(line.page, line.y, line.size, [cell])
    return parts


def table_rows(
    lines: list[Line], columns: list[tuple[float, float]], pages: list[Page]
) -> list[tuple[list[list[Line]], bool]]:
    """Table lines -> rows of cells (each cell a list of lines), each with whether it shares the row header of
    the row above (the rule between them leaves the first column open). Rows are split at the rules drawn
    between them; without rules, a line with a row header starts a row. Each text run goes to its column."""
    width = columns[-1][1] - columns[0][0]
    rows: list[tuple[list[list[Line]], bool]] = []
    boundary: float | None = None
    page = 0
    rules: dict[float, float] = {}  # y -> x0
    for line in lines:
        if line.page != page:
            page = line.page
            rules = {y: x0 for x0, _, y, drawn in read_rules(pages[page - 1]) if drawn >= 0.3 * width}
            boundary = None
        above = [y for y in rules if y > line.y]
        band = min((y for y in rules if y < line.y), default=None, key=lambda y: line.y - y)  # the rule below
        parts = [[part] if part else [] for part in split_runs(line, columns)]
        if not rows or (band != boundary if rules else bool(parts[0])):
            opening = min(above, default=None, key=lambda y: y - line.y)  # the rule that opens this row
            shared = opening is not None and rules[opening] > columns[0][1] - 1
            rows.append((parts, shared))
        else:
            for k, part in enumerate(parts):
                rows[-1][0][k].extend(part)
        boundary = band
    return rows


def table_grid(
    lines: list[Line], pages: list[Page], words: frozenset[str]
) -> tuple[list[str], list[tuple[str, list[str]]], list[str]] | None:
    """A table region's lines -> (column names, rows as (row header, cells), unit lines), or None.

    The header is the bold lines at the top (under a unit line such as "Dollars in millions" if any) or the
    lines above the first rule drawn across the table, whichever is longer; a header label over several
    columns names them as a group. Header lines repeated on a continuation page are skipped.
    """
    if len(lines) < 2:
        return None
    bolds = [all(c.bold for c in ln.cells) for ln in lines]
    first = next((k for k in range(min(3, len(lines))) if bolds[k]), None)
    bold = 0
    if first is not None:  # a unit line may stand above the bold header ("Cents per kilowatt-hour")
        bold = next((k for k in range(first, len(lines)) if not bolds[k]), len(lines))
    top = lines[0]
    width = max(ln.x1 for ln in lines) - min(ln.x0 for ln in lines)
    under = [y for _, _, y, drawn in read_rules(pages[top.page - 1]) if drawn >= 0.6 * width and y < top.y]
    ruled = next((k for k, ln in enumerate(lines) if under and ln.y < max(under)), 0)
    count = max(bold if bold < len(lines) else 0, ruled if ruled <= 6 else 0) or 1
    header, repeated = lines[:count], {ln.text for ln in lines[:count]}
    units = header[: first if first and first < count else 0]
    data = [ln for ln in lines[count:] if ln.text not in repeated and not _CONTINUED.match(ln.text)]
    columns = table_columns([c for ln in data for c in ln.cells], len(data))
    if len(columns) < 2 or not data:
        return None
    names: list[list[Line]] = [[] for _ in columns]
    groups: list[tuple[set[int], str]] = []
    for line in header[len(units) :]:
        for run in line.runs:  # a label over several columns names a group of them
            hit = {k for k, (a, b) in enumerate(columns) if min(run.x1, b) - max(run.x0, a) > 0.5 * (b - a)}
            if len(hit) > 1 and (group_line := make_line([run], line.page)) is not None:
                groups.append((hit, group_line.text))
        for k, part in enumerate(split_runs(line, columns)):
            if part and not any(k in cover and part.text in g for cover, g in groups):
                names[k].append(part)
    column_names = []
    for k, parts in enumerate(names):
        name = join_lines(parts, words) if parts else ""
        group = next((g for cover, g in reversed(groups) if k in cover and len(cover) < len(columns) - 1), "")
        column_names.append(f"{name} ({group})" if name and group else name or group)
    rows: list[tuple[str, list[str]]] = []
    for row, shared in table_rows(data, columns, pages):
        cells = [join_lines(part, words) if part else "" for part in row]
        label = cells[0] or (rows[-1][0] if rows and shared else "")  # a row header over several rows
        rows.append((label, cells[1:]))
    return column_names, rows, [ln.text for ln in units]
