"""Adding a report from the browser: who may, from where, what is refused, and that a refusal changes nothing.

The route runs in the real app (TestClient); the assistant is a small fake whose ingest reads the corpus
folder, so what lands in the corpus is what gets "indexed".
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from assistant import IngestReport, Settings
from ui.app import create_app
from ui.reports_panel import chip_label, documents_html, filter_choices, report_text_html
from ui.testing import FakeAssistant
from ui.upload import may_upload, safe_name

REPORT = b"# Harbour Dredging Review\n\n## Findings\n\nThe harbour office dredged 12 berths in 2025.\n"


class CorpusAssistant(FakeAssistant):
    """FakeAssistant whose ``ingest`` (re)reads every file of the corpus folder."""

    def __init__(self, corpus: Path) -> None:
        super().__init__(documents={})
        self.corpus, self.ingests = corpus, 0

    def ingest(self, paths=None, rebuild=False, progress=None) -> IngestReport:
        self.ingests += 1
        self.docs = {p.name: p.read_text() for p in sorted(self.corpus.iterdir()) if p.is_file()}
        return IngestReport(files_indexed=sorted(self.docs), chunks=3 * len(self.docs))


def client_for(tmp_path: Path, **settings) -> tuple[TestClient, CorpusAssistant]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bot = CorpusAssistant(corpus)
    app = create_app(bot, Settings(data_dir=tmp_path / "data", corpus_dir=corpus, **settings))
    return TestClient(app, base_url="http://127.0.0.1:7860"), bot


def post(client: TestClient, name: str, data: bytes, origin: str | None = "http://127.0.0.1:7860", **headers):
    sent = {"x-filename": name, "content-type": "application/octet-stream", **headers}
    if origin:
        sent["origin"] = origin
    return client.post("/upload-report", content=data, headers=sent)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_good_file_lands_in_the_corpus_and_is_indexed(tmp_path):
    client, bot = client_for(tmp_path)
    response = post(client, "harbour%20dredging.md", REPORT)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True and response.json()["source"] == "harbour dredging.md"
    assert (tmp_path / "corpus" / "harbour dredging.md").read_bytes() == REPORT
    assert bot.ingests == 1 and "harbour dredging.md" in bot.docs


@pytest.mark.parametrize(
    ("name", "data", "status", "reason"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><body>Not found</body></html>", 422, "named .pdf but is an HTML page"),
        ("report.pdf", b"just some words, no header", 422, "not a PDF file"),
        ("empty.md", b"", 422, "the file is empty"),
        ("blank.txt", b" \n\t\n", 422, "the file is empty"),
        ("notes.docx", b"PK\x03\x04 zipped", 422, "unsupported file type"),
        ("no-extension", b"text", 422, "unsupported file type"),
        ("../../etc/passwd", b"root:x:0:0", 422, "unsupported file type"),
    ],
)
def test_a_broken_file_gets_its_reason_and_changes_nothing(tmp_path, name, data, status, reason):
    client, bot = client_for(tmp_path)
    response = post(client, name, data)
    assert response.status_code == status and reason in response.json()["detail"], response.text
    assert response.json()["ok"] is False
    assert [p.name for p in (tmp_path / "corpus").iterdir()] == [] and bot.ingests == 0


def test_a_file_already_in_the_corpus_is_refused(tmp_path):
    client, bot = client_for(tmp_path)
    assert post(client, "a.md", REPORT).status_code == 200
    same_name = post(client, "a.md", REPORT + b"\nMore.\n")
    assert same_name.status_code == 409 and "already in the corpus" in same_name.json()["detail"]
    same_bytes = post(client, "b.md", REPORT)
    assert same_bytes.status_code == 409 and "as a.md" in same_bytes.json()["detail"]
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == ["a.md"] and bot.ingests == 1


def test_when_the_index_cannot_be_updated_the_file_is_taken_back_out(tmp_path):
    from assistant import IndexLocked

    client, bot = client_for(tmp_path)

    def locked(*args, **kwargs):
        raise IndexLocked("Another process (pid 42) is writing the index /srv/data/index.")

    bot.ingest = locked  # type: ignore[method-assign]
    response = post(client, "a.md", REPORT)
    assert response.status_code == 503 and "pid 42" in response.json()["detail"]
    assert "/srv/data" not in response.json()["detail"]  # no server paths
    assert list((tmp_path / "corpus").iterdir()) == []


def test_an_upload_over_50_mb_is_refused_before_reading_it(tmp_path):
    client, _ = client_for(tmp_path)
    response = post(client, "big.txt", b"x", **{"content-length": str(50_000_001)})
    assert response.status_code == 413 and "50 MB" in response.json()["detail"]


def test_another_site_cannot_post_a_report(tmp_path):
    client, bot = client_for(tmp_path)
    assert post(client, "a.md", REPORT, origin="http://evil.example").status_code == 403
    assert post(client, "a.md", REPORT, origin=None).status_code == 403  # no Origin, no Sec-Fetch-Site
    assert post(client, "a.md", REPORT, origin=None, **{"sec-fetch-site": "same-origin"}).status_code == 200
    assert bot.ingests == 1


def test_with_login_only_the_listed_upload_users_may_add_reports(tmp_path):
    client, bot = client_for(tmp_path, auth="ana:first-password,bo:second-password", upload_users="ana")
    assert post(client, "a.md", REPORT).status_code == 401
    refused = post(client, "a.md", REPORT, authorization=basic("bo", "second-password"))
    assert refused.status_code == 403 and "ASSISTANT_UPLOAD_USERS" in refused.json()["detail"]
    assert post(client, "a.md", REPORT, authorization=basic("ana", "first-password")).status_code == 200
    assert bot.ingests == 1


def test_who_may_upload():
    assert may_upload(Settings(), "", login_enabled=False)  # loopback, no login
    assert not may_upload(Settings(host="0.0.0.0"), "", login_enabled=False)
    assert not may_upload(Settings(), "ana", login_enabled=True)  # login on, upload_users unset
    assert may_upload(Settings(upload_users="bo, ana"), "ana", login_enabled=True)
    assert may_upload(Settings(upload_users="*"), "zed", login_enabled=True)
    assert not may_upload(Settings(upload_users="*"), "", login_enabled=True)


def test_uploaded_names_become_plain_corpus_file_names():
    assert safe_name("report.PDF") == "report.pdf"
    assert safe_name("C:\\Users\\ana\\GAO-26-1.md") == "GAO-26-1.md"
    assert safe_name("../.hidden.md") == "hidden.md"
    assert safe_name("a<b>c&quot;.txt") == "a b c quot.txt"
    assert safe_name("x</script>.txt") == "script.txt"  # "/" separates folders: the last part is kept
    assert safe_name("...") == "" and safe_name("") == ""


def test_the_reports_list_says_unknown_instead_of_guessing():
    page = documents_html(
        [
            {
                "source": "a.pdf",
                "title": "Roads <b>Review</b>",
                "report_number": "GAO-26-1",
                "date": "May 2026",
                "pages": 40,
            },
            {"source": "b.md", "title": "", "report_number": "", "date": "", "pages": None},
        ]
    )
    assert "<td>Roads &lt;b&gt;Review&lt;/b&gt;</td><td>GAO-26-1</td><td>May 2026</td><td>40</td>" in page
    assert "<td>b.md</td><td>unknown</td><td>unknown</td><td>unknown</td>" in page
    assert "Chunks" not in page


def test_chips_name_reports_by_number_then_title():
    docs = [
        {"source": "a.pdf", "title": "Roads", "report_number": "GAO-26-1"},
        {"source": "b.md", "title": "Bridges", "report_number": ""},
        {"source": "c.md", "title": "Bridges", "report_number": ""},
    ]
    assert chip_label(docs[0]) == "GAO-26-1"
    assert filter_choices(docs) == [("GAO-26-1", "a.pdf"), ("Bridges (b.md)", "b.md"), ("Bridges (c.md)", "c.md")]


def test_a_report_is_shown_as_escaped_text():
    shown = report_text_html("Line <script>alert(1)</script>\nnext", "T")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nnext" in shown and "<script>" not in shown


def test_the_chat_guard_accepts_only_known_reports_in_the_filter_chips():
    import gradio as gr

    from ui.chat_guard import value_problem

    chips = gr.Dropdown(choices=[("GAO-26-1", "a.pdf")], value=[], multiselect=True)
    reader = gr.Dropdown(choices=[("GAO-26-1", "a.pdf")], value=None)
    assert value_problem(chips, ["a.pdf"]) is None and value_problem(chips, []) is None
    assert "not one of its choices" in str(value_problem(chips, ["../etc/passwd"]))
    assert value_problem(chips, "a.pdf") == "must be a list of choices."
    assert value_problem(reader, "a.pdf") is None and value_problem(reader, None) is None
    assert "not one of its choices" in str(value_problem(reader, "b.pdf"))
