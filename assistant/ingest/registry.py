"""Which loader reads a file: chosen by content first, then by extension, behind one small protocol.

Loaders live in their own modules (``assistant.ingest.text``, ``.markdown``, ``.pdf``, ``.html``) and are
imported by name only when a file needs them, so this module never imports a plugin at import time and the
plugins import only :mod:`assistant.ingest.document`. A developer can register another format with
:func:`register`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.ingest.document import Document, LoadError

MAX_FILE_BYTES = 50_000_000


class LoadFn(Protocol):
    def __call__(self, path: Path, source: str) -> Document: ...


@dataclass(frozen=True)
class Format:
    """A file format: its name, extensions, and ``module:function`` of its loader."""

    name: str
    suffixes: tuple[str, ...]
    loader: str

    def load(self, path: Path, source: str) -> Document:
        module, _, function = self.loader.partition(":")
        fn: LoadFn = getattr(importlib.import_module(module), function)
        return fn(path, source)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add or replace a format (its suffixes are matched case-insensitively)."""
    FORMATS[fmt.name] = fmt


for _fmt in (
    Format("text", (".txt", ".text"), "assistant.ingest.text:load_text"),
    Format("markdown", (".md", ".markdown"), "assistant.ingest.markdown:load_markdown"),
    Format("pdf", (".pdf",), "assistant.ingest.pdf:load_pdf"),
    Format("html", (".html", ".htm"), "assistant.ingest.html:load_html"),
):
    register(_fmt)


def supported_suffixes() -> set[str]:
    return {s for fmt in FORMATS.values() for s in fmt.suffixes}


def sniff(head: bytes) -> str | None:
    """The format the first bytes of a file show, when they show one ("pdf", "html"); else None."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    lower = stripped[:512].lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        lower.startswith(b"<?xml") and b"<html" in lower
    ):
        return "html"
    return None


def format_for(path: Path, head: bytes) -> Format:
    """The format to read ``path`` with; raises :class:`LoadError` when its content contradicts its name."""
    suffix = path.suffix.lower()
    by_name = next((f for f in FORMATS.values() if suffix in f.suffixes), None)
    by_content = sniff(head)
    if by_name is None:
        raise LoadError(f"{path.name}: unsupported file type {suffix or '(none)'}")
    if by_name.name == "pdf" and by_content != "pdf":
        what = "an HTML page" if by_content == "html" else "not a PDF file (no %PDF header)"
        raise LoadError(f"{path.name}: named .pdf but is {what}; download the PDF itself")
    if by_content == "pdf" and by_name.name != "pdf":
        raise LoadError(f"{path.name}: a PDF file named {suffix}; rename it to .pdf")
    if by_content == "html" and by_name.name in ("text", "markdown"):
        return FORMATS["html"]  # a saved web page named .txt reads as the page, not as its markup
    return by_name


def load_document(path: Path, source: str | None = None) -> Document:
    """Load one corpus file; raises :class:`LoadError` with a reason a person can act on."""
    source = source or path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(2048)
    except OSError as exc:
        raise LoadError(f"{source}: cannot read ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise LoadError(f"{source}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
    fmt = format_for(Path(source) if Path(source).suffix else path, head)
    try:
        doc = fmt.load(path, source)
    except LoadError:
        raise
    except ImportError as exc:
        raise LoadError(f"{source}: the {fmt.name} loader needs a package that is missing ({exc.name})") from exc
    except Exception as exc:  # a broken file must never stop the rest of the corpus
        raise LoadError(f"{source}: could not be read ({type(exc).__name__}: {exc})") from exc
    doc.format = doc.format or fmt.name
    if not any(b.kind not in ("heading", "toc", "boilerplate", "figure") for b in doc.blocks):
        raise LoadError(f"{source}: no text found")
    return doc
