"""What the source cards need from the index, and the PDF page images they show.

:class:`SourceLibrary` looks up, for a citation, its document's text, its table (from the index's table chunks)
and, for a PDF, the URL of the cited page: ``source-page/<document key>/<page>?start=&end=``. The key is a hash
of the document's name, so no file path reaches the browser; :func:`pages_router` serves the route, checks the
login like every other route, renders the page with pypdfium2 on demand (nothing is written to disk) and outlines
the quote found on it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from assistant import PDFIUM_LOCK

log = logging.getLogger(__name__)

PAGE_SCALE = 1.5  # 108 dpi: legible on a phone, ~150-300 kB a page
MAX_PAGE_CACHE = 32
SEARCH_WORDS = 6  # the quote is found on the page by its first and last words (line breaks differ)


def document_key(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]


class SourceLibrary:
    """Lookups for source cards over an ``Assistant`` (anything without an index gives texts only)."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self._lock = threading.Lock()
        self._tables: tuple[str, dict[str, dict[str, Any]]] | None = None
        self._pages: dict[tuple[str, int, int, int], bytes] = {}

    def text(self, source: str) -> str | None:
        try:
            return str(self.assistant.source_text(source))
        except Exception:  # a missing or unreadable document must not break the card: it shows the quote alone
            return None

    def table(self, citation: Mapping[str, Any]) -> dict[str, Any] | None:
        """The parsed table the citation's chunk belongs to (as a dict), if it is a table chunk."""
        loaded = self._loaded()
        if loaded is None:
            return None
        generation = str(getattr(loaded, "generation", ""))
        with self._lock:
            if self._tables is None or self._tables[0] != generation:
                tables: dict[str, dict[str, Any]] = {}
                for chunk in loaded.chunks:
                    if chunk.table_json and chunk.table_id:
                        try:
                            tables[chunk.table_id] = json.loads(chunk.table_json)
                        except ValueError:
                            continue
                self._tables = (generation, tables)
            tables = self._tables[1]
        position = loaded.by_id.get(str(citation.get("chunk_id", "")))
        if position is None:
            return None
        chunk = loaded.chunks[position]
        return tables.get(chunk.table_id) if chunk.table_id else None

    def page_url(self, citation: Mapping[str, Any]) -> str | None:
        """Where the card's image of the cited PDF page is served, or None (not a PDF, no page)."""
        source, page = str(citation.get("source", "")), citation.get("page")
        if not source.lower().endswith(".pdf") or not isinstance(page, int) or page < 1:
            return None
        if self.pdf_path(document_key(source)) is None:
            return None
        start, end = int(citation.get("char_start") or 0), int(citation.get("char_end") or 0)
        return f"source-page/{document_key(source)}/{page}?start={start}&end={end}"

    def pdf_path(self, key: str) -> tuple[str, Path] | None:
        """The indexed PDF with this key, as (source name, file inside the corpus folder), or None."""
        settings = getattr(self.assistant, "settings", None)
        corpus = getattr(settings, "corpus_dir", None)
        if corpus is None:
            return None
        try:
            sources = [d.source for d in self.assistant.documents()]
        except Exception:
            return None
        root = Path(corpus).resolve()
        for source in sources:
            if document_key(source) == key and source.lower().endswith(".pdf"):
                path = (root / source).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return source, path
        return None

    def page_png(self, key: str, page: int, start: int, end: int) -> bytes | None:
        """The page rendered as PNG with the quote ``text[start:end]`` outlined, or None when there is no such page."""
        cache_key = (key, page, start, end)
        with self._lock:
            if cache_key in self._pages:
                return self._pages[cache_key]
        found = self.pdf_path(key)
        if found is None:
            return None
        source, path = found
        text = self.text(source) or ""
        quote = text[start:end] if 0 <= start < end <= len(text) else ""
        png = render_page(path, page, quote)
        if png is not None:
            with self._lock:
                if len(self._pages) >= MAX_PAGE_CACHE:
                    self._pages.pop(next(iter(self._pages)))
                self._pages[cache_key] = png
        return png

    def _loaded(self) -> Any:
        index = getattr(self.assistant, "index", None)
        try:
            return index.loaded() if index is not None else None
        except Exception:
            return None


def render_page(path: Path, page: int, quote: str = "") -> bytes | None:
    """PDF page ``page`` (1-based) as PNG, the quote's lines outlined; None when the page does not exist."""
    with PDFIUM_LOCK:  # PDFium is not thread-safe: one use at a time in the process (ingest and uploads too)
        return _render_page(path, page, quote)


def _render_page(path: Path, page: int, quote: str) -> bytes | None:
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            return None
        pdf_page = pdf[page - 1]
        image = pdf_page.render(scale=PAGE_SCALE).to_pil().convert("RGB")
        height = pdf_page.get_height()
        boxes = quote_boxes(pdf_page, quote)
        if boxes:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            for left, bottom, right, top in boxes:
                x0, y0 = left * PAGE_SCALE - 2, (height - top) * PAGE_SCALE - 2
                x1, y1 = right * PAGE_SCALE + 2, (height - bottom) * PAGE_SCALE + 2
                draw.rectangle((x0, y0, x1, y1), fill=(253, 224, 71, 90), outline=(180, 83, 9, 255), width=2)
            image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()


def quote_boxes(pdf_page: Any, quote: str) -> list[tuple[float, float, float, float]]:
    """Rectangles (PDF points) of the quote's text on the page, found by its first and last words."""
    words = quote.split()
    if not words:
        return []
    textpage = pdf_page.get_textpage()
    try:
        first = _find(textpage, " ".join(words[:SEARCH_WORDS]))
        last = _find(textpage, " ".join(words[-SEARCH_WORDS:]), after=first[0] if first else 0)
        if first is None:
            return []
        end = last[0] + last[1] if last is not None and last[0] >= first[0] else first[0] + first[1]
        count = textpage.count_rects(first[0], end - first[0])
        return [tuple(textpage.get_rect(i)) for i in range(count)]
    finally:
        textpage.close()


def _find(textpage: Any, text: str, after: int = 0) -> tuple[int, int] | None:
    searcher = textpage.search(text, index=after, match_case=False)
    try:
        found = searcher.get_next()
        return (int(found[0]), int(found[1])) if found else None
    finally:
        searcher.close()


def pages_router(library: SourceLibrary, identify: Callable[[Request], str | None]) -> APIRouter:
    """``GET /source-page/{key}/{page}``: a cited PDF page as PNG, for logged-in users only."""
    router = APIRouter()

    @router.get("/source-page/{key}/{page}", include_in_schema=False)
    def source_page(key: str, page: int, request: Request, start: int = 0, end: int = 0) -> Response:
        if identify(request) is None:
            raise HTTPException(401, detail="Sign in to see report pages.")
        try:
            png = library.page_png(key, page, start, end)
        except Exception as exc:  # a damaged PDF: say so, never a traceback
            log.warning("could not render page %s of document %s: %s", page, key, exc)
            raise HTTPException(404, detail="This page cannot be shown.") from None
        if png is None:
            raise HTTPException(404, detail="No such page of an indexed PDF.")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    return router
