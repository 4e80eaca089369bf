"""Figures and tables of a PDF report: a marked region written as a table, or as figure blocks, with its
caption, source line, notes and footnotes."""

from __future__ import annotations

from statistics import median

from assistant.ingest.pdf_blocks import BlockWriter
from assistant.ingest.pdf_layout import Line as _Line
from assistant.ingest.pdf_layout import join_lines
from assistant.ingest.pdf_regions import CAPTION, SOURCE, caption_goes_on, note_groups
from assistant.ingest.pdf_tables import table_grid


class FigureReader(BlockWriter):
    """Reads the captioned figures and tables (regions) of a PDF."""

    def _region(self, lines: list[_Line], kind: str) -> None:
        """A figure or table: its caption, its content, then its source line, notes and footnotes."""
        caption = [lines[0]] if kind != "grid" and (CAPTION.match(lines[0].text) or lines[0].bold) else []
        while caption and len(caption) < len(lines) and caption_goes_on(caption[-1], lines[len(caption)]):
            caption.append(lines[len(caption)])
        rest = lines[len(caption) :]
        end = next((k for k, ln in enumerate(rest) if SOURCE.match(ln.text)), len(rest))
        inner, after = rest[:end], rest[end:]
        notes = [ln for ln in inner if ln.starts_with_marker and ln.size <= median(x.size for x in inner)]
        if inner and notes:  # footnotes under the rows (before the source line)
            first = inner.index(notes[0])
            inner, after = inner[:first], inner[first:] + after
        title = join_lines(caption, self.words)
        if kind == "grid":  # a table without a caption is named by the heading over it
            title = self.stack[-1][1] if self.stack else ""
        done = kind in ("table", "grid") and self._table(title, inner, bool(caption))
        if not done:
            if caption:
                self.add("figure" if kind == "figure" else "paragraph", title, caption[0])
            prose = [ln for ln in inner if ln.size >= 0.75 * self.body and len(ln.text) > 60 and len(ln.cells) == 1]
            if kind != "figure" or (len(prose) >= 3 and len(prose) >= 0.6 * len(inner)):  # a text box: paragraphs
                for line in inner:
                    self._paragraph_line(line, 0)
                self.flush()
            elif inner:
                self.add("figure", " ".join(ln.text for ln in inner), inner[0])
        groups = note_groups(after)
        if done:  # footnotes first, then the source line: the builder attaches both to the table
            groups.sort(key=lambda g: 0 if g[0].starts_with_marker else 1 if SOURCE.match(g[0].text) else 2)
        for group in groups:
            text = join_lines(group, self.words)
            if done and (group[0].starts_with_marker or SOURCE.match(text)):
                self.add("paragraph", text, group[0])
            else:
                self.add("footnote" if group[0].starts_with_marker or kind != "figure" else "figure", text, group[0])

    def _table(self, title: str, lines: list[_Line], titled: bool) -> bool:
        """Write a table region as a table; False when its lines do not form one."""
        grid = table_grid(lines, self.pages, self.words)
        if grid is None:
            return False
        names, rows, units = grid
        title = " ".join([title, *(f"({unit})" for unit in units)]).strip()
        top = lines[0]
        block = self.builder.add_table(
            title, names[1:], rows, self.section(), top.page, self.printed[top.page], titled, names[0]
        )
        if block is not None:
            block.zone = self.zone
        return block is not None
