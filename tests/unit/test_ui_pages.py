"""Cited PDF pages: rendered on demand with the quote outlined, served by document key, login-checked."""

from __future__ import annotations

import base64
import importlib.util
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from assistant import Settings
from ui.app import create_app
from ui.pages import SourceLibrary, document_key, render_page
from ui.testing import FakeAssistant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# On page 3 of the fixture report (tests/fixtures/report_pdf.py, GROUND).
QUOTE = "Officials told us that receiver deliveries slipped by eleven months because a sole supplier had"
OUTLINE = (180, 83, 9)


@pytest.fixture(scope="module")
def pdf_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    spec = importlib.util.spec_from_file_location("report_pdf_fixture", FIXTURES / "report_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_report_pdf(corpus / "lunar.pdf")
    return corpus


class PdfAssistant(FakeAssistant):
    """The fake assistant with one PDF in a real corpus folder (its text holds the quote at offset 10)."""

    def __init__(self, corpus: Path) -> None:
        super().__init__({"lunar.pdf": "0123456789" + QUOTE + " manufacturing problems."})
        self.settings = Settings(corpus_dir=corpus)


def _outlined(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for pixel in image.getdata() if pixel == OUTLINE)


def test_render_page_is_a_letter_page_at_1_5x_with_the_quote_outlined(pdf_corpus):
    png = render_page(pdf_corpus / "lunar.pdf", 3, QUOTE)
    assert png is not None and png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (918, 1188)  # US Letter, 612 x 792 pt, at scale 1.5
    assert _outlined(png) > 200
    plain = render_page(pdf_corpus / "lunar.pdf", 3, "")
    assert plain is not None and _outlined(plain) == 0
    assert render_page(pdf_corpus / "lunar.pdf", 9, QUOTE) is None  # the report has 3 pages


def test_page_url_names_the_document_by_key_only(pdf_corpus):
    library = SourceLibrary(PdfAssistant(pdf_corpus))
    citation = {"source": "lunar.pdf", "page": 3, "char_start": 10, "char_end": 10 + len(QUOTE)}
    url = library.page_url(citation)
    assert url == f"source-page/{document_key('lunar.pdf')}/3?start=10&end={10 + len(QUOTE)}"
    assert str(pdf_corpus) not in url and "lunar" not in url
    assert library.page_url({**citation, "source": "notes.txt"}) is None
    assert library.page_url({**citation, "page": None}) is None


def test_the_page_route_serves_the_page_and_refuses_unknown_keys(pdf_corpus, tmp_path):
    app = create_app(PdfAssistant(pdf_corpus), Settings(data_dir=tmp_path, corpus_dir=pdf_corpus))
    client = TestClient(app, base_url="http://127.0.0.1")
    key = document_key("lunar.pdf")
    response = client.get(f"/source-page/{key}/3", params={"start": 10, "end": 10 + len(QUOTE)})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert _outlined(response.content) > 200
    assert client.get(f"/source-page/{document_key('../../etc/passwd')}/1").status_code == 404
    assert client.get(f"/source-page/{key}/99").status_code == 404
    assert client.get(f"/source-page/{key}/3", params={"start": 5, "end": 10_000}).status_code == 200


def test_the_page_route_needs_a_login(pdf_corpus, tmp_path):
    settings = Settings(data_dir=tmp_path, corpus_dir=pdf_corpus, auth="ana:long-password-for-tests")
    client = TestClient(create_app(PdfAssistant(pdf_corpus), settings), base_url="http://127.0.0.1")
    url = f"/source-page/{document_key('lunar.pdf')}/3"
    assert client.get(url).status_code == 401
    login = base64.b64encode(b"ana:long-password-for-tests").decode()
    assert client.get(url, headers={"Authorization": f"Basic {login}"}).status_code == 200
