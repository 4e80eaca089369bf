"""The Reports tab and the chat's report filter: one list, read a report, add one, answer from some.

- The list: title, report number, date and pages of each indexed report; what a report does not state
  is shown as "unknown" (never guessed).
- The filter lives in the chat, above the question, as removable chips ("Answering from: GAO-26-900720 ×",
  a multiselect ``Dropdown``); empty means every report.
- Reading: the report's indexed text, escaped, in the page (never a file path or a link to the file).
- Adding: a file picker whose small script posts the file to ``/upload-report`` (``ui.upload``) with a
  progress bar, then refreshes the list and the filter. Shown only to users who may add reports.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from .security import public_text
from .upload import MAX_UPLOAD_BYTES

log = logging.getLogger(__name__)

MAX_READ_CHARS = 1_500_000  # a report's text shown in the page (the longest real report is ~600k)
UNKNOWN = "unknown"

CSS = """
table.documents { width: 100%; border-collapse: collapse; }
table.documents th, table.documents td { text-align: left; padding: .35em .6em;
  border-bottom: 1px solid var(--border-color-primary); }
.report-text { white-space: pre-wrap; max-height: 32em; overflow-y: auto; font-size: .92em; line-height: 1.45;
  border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .6em .8em; }
.report-text:focus-visible, .upload-box button:focus-visible, .upload-box input:focus-visible {
  outline: 3px solid var(--color-accent); outline-offset: 2px; }
.upload-box { display: flex; flex-direction: column; gap: .5em; }
.upload-box .upload-row { display: flex; gap: .6em; flex-wrap: wrap; align-items: center; }
.upload-box button { padding: .35em .9em; border-radius: 6px; border: 1px solid var(--border-color-primary);
  background: var(--button-secondary-background-fill); color: var(--button-secondary-text-color); }
.upload-status.refused { color: var(--body-text-color); font-weight: 600; }
"""

_UPLOAD_TEMPLATE = f"""<div class="upload-box">
<label for="report-file"><strong>Add a report</strong> (PDF, Markdown, text or HTML, up to
{MAX_UPLOAD_BYTES // 1_000_000} MB). It is checked like <code>assistant ingest</code> and indexed at once.</label>
<div class="upload-row">
<input type="file" id="report-file" accept=".pdf,.md,.markdown,.txt,.html,.htm">
<button type="button" id="upload-go">Add report</button>
</div>
<progress id="upload-progress" max="100" hidden></progress>
<div id="upload-status" class="upload-status" role="status" aria-live="polite"></div>
</div>"""

# Runs once when the component loads (Gradio evaluates it; the CSP allows that, no inline <script>).
# textContent only: a server message or a file name is never parsed as HTML.
_UPLOAD_JS = f"""
const input = element.querySelector('#report-file');
const go = element.querySelector('#upload-go');
const bar = element.querySelector('#upload-progress');
const status = element.querySelector('#upload-status');
const say = (text, refused) => {{ status.textContent = text; status.classList.toggle('refused', !!refused); }};
go.addEventListener('click', () => {{
  const file = input.files && input.files[0];
  if (!file) {{ say('Choose a file first.', true); return; }}
  if (file.size > {MAX_UPLOAD_BYTES}) {{
    say(file.name + ': larger than {MAX_UPLOAD_BYTES // 1_000_000} MB', true); return;
  }}
  const xhr = new XMLHttpRequest();
  xhr.open('POST', new URL('upload-report', window.location.href).href);
  xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name));
  xhr.setRequestHeader('Content-Type', 'application/octet-stream');
  xhr.upload.onprogress = (e) => {{
    if (e.lengthComputable) {{
      bar.value = Math.round(100 * e.loaded / e.total); say('Uploading… ' + bar.value + '%');
    }}
  }};
  xhr.upload.onload = () => {{ bar.removeAttribute('value'); say('Reading and indexing ' + file.name + '…'); }};
  xhr.onload = () => {{
    let body = {{}};
    try {{ body = JSON.parse(xhr.responseText); }} catch (err) {{ body = {{}}; }}
    const ok = xhr.status === 200 && body.ok;
    const detail = typeof body.detail === 'string' ? body.detail : 'The server answered ' + xhr.status + '.';
    say(ok ? detail : 'Not added: ' + detail + ' Nothing was changed.', !ok);
    bar.hidden = true; go.disabled = false;
    if (ok) {{ input.value = ''; trigger('submit'); }}
  }};
  xhr.onerror = () => {{
    bar.hidden = true; go.disabled = false; say('Not added: the server could not be reached.', true);
  }};
  bar.hidden = false; bar.value = 0; go.disabled = true; say('Uploading…');
  xhr.send(file);
}});
"""


def documents_html(documents: Sequence[Mapping[str, Any]]) -> str:
    """The list of reports: one escaped row each, "unknown" for what a report does not state."""
    if not documents:
        return '<div class="sources-empty">No reports are indexed yet. Add one, or run <code>make index</code>.</div>'
    rows = []
    for doc in documents:
        pages = doc.get("pages")
        cells = (
            doc.get("title") or doc.get("source", ""),
            doc.get("report_number") or UNKNOWN,
            doc.get("date") or UNKNOWN,
            pages if isinstance(pages, int) and pages > 0 else UNKNOWN,
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>")
    return (
        '<table class="documents"><thead><tr><th scope="col">Title</th><th scope="col">Report number</th>'
        '<th scope="col">Date</th><th scope="col">Pages</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def chip_label(doc: Mapping[str, Any]) -> str:
    """How a report is named in the filter chips: its number, else its title (shortened), else its file."""
    title = str(doc.get("title") or "")
    short = title if len(title) <= 48 else title[:47].rstrip() + "…"
    return str(doc.get("report_number") or short or doc.get("source", ""))


def filter_choices(documents: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    labels = [chip_label(d) for d in documents]
    # two reports with one label (no number, same title) are told apart by their file names
    return [
        (label if labels.count(label) == 1 else f"{label} ({d.get('source')})", str(d.get("source")))
        for label, d in zip(labels, documents, strict=True)
    ]


def read_choices(documents: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for d in documents:
        number = f"{d.get('report_number')}: " if d.get("report_number") else ""
        out.append((f"{number}{d.get('title') or d.get('source')}", str(d.get("source"))))
    return out


def report_text_html(text: str | None, title: str = "") -> str:
    """A report's indexed text for reading in the page, escaped."""
    if text is None:
        return ""
    note = ""
    if len(text) > MAX_READ_CHARS:
        text, note = text[:MAX_READ_CHARS], '<p class="notice">(The rest of this report is not shown.)</p>'
    label = html.escape(f"Text of {title}" if title else "Report text", quote=True)
    return f'<div class="report-text" tabindex="0" role="document" aria-label="{label}">{html.escape(text)}</div>{note}'


@dataclass
class ReportsPanel:
    listing: gr.HTML
    read_pick: gr.Dropdown
    reader: gr.HTML
    upload: gr.HTML
    refresh: gr.Button


def build_filter() -> gr.Dropdown:
    """The chips above the question: the reports answers come from (call inside the chat column)."""
    return gr.Dropdown(
        choices=[],
        value=[],
        multiselect=True,
        label="Answering from",
        info="Every report when empty. Pick reports to answer only from them; × removes one.",
        elem_id="only-documents",
        elem_classes=["report-chips"],
    )


def build_reports_tab() -> ReportsPanel:
    """The Reports tab's contents (call inside the tab)."""
    listing = gr.HTML(label="Reports", elem_id="documents", js_on_load=None)
    refresh = gr.Button("Refresh", size="sm", elem_id="reports-refresh")
    read_pick = gr.Dropdown(choices=[], value=None, label="Read a report", elem_id="read-pick")
    reader = gr.HTML("", elem_id="report-reader", js_on_load=None)
    upload = gr.HTML("", html_template=_UPLOAD_TEMPLATE, js_on_load=_UPLOAD_JS, visible=False, elem_id="upload-report")
    return ReportsPanel(listing, read_pick, reader, upload, refresh)


def wire_reports(
    panel: ReportsPanel,
    demo: gr.Blocks,
    assistant: Any,
    only: gr.Dropdown,
    can_upload: Callable[[gr.Request], bool] | None,
    tab: Any = None,
) -> None:
    """The panel's events: list on load and refresh, read on pick, refresh after an upload."""

    def documents() -> list[dict[str, Any]] | None:
        try:
            return [d.to_dict() for d in assistant.documents()]
        except Exception as exc:  # the index may be down: the list says so, the rest keeps working
            log.warning("could not list documents: %s", exc)
            return None

    def refresh(current: list[str] | None, reading: str | None) -> tuple[Any, Any, Any]:
        docs = documents()
        if docs is None:
            reason = html.escape(public_text("The index is unavailable; try again in a moment."))
            return f'<div class="sources-empty">{reason}</div>', gr.skip(), gr.skip()
        known = {str(d["source"]) for d in docs}
        return (
            documents_html(docs),
            gr.Dropdown(choices=filter_choices(docs), value=[s for s in current or [] if s in known]),
            gr.Dropdown(choices=read_choices(docs), value=reading if reading in known else None),
        )

    def list_documents() -> str:
        docs = documents()
        if docs is None:
            return '<div class="sources-empty">The index is unavailable; try again in a moment.</div>'
        return documents_html(docs)

    def read(source: str | None) -> str:
        if not source:
            return ""
        try:
            titles = {d.source: d.title for d in assistant.documents()}
            return report_text_html(assistant.source_text(source), titles.get(source, source))
        except Exception as exc:
            log.warning("could not read %s: %s", source, exc)
            return '<div class="sources-empty">This report cannot be shown now; refresh the list.</div>'

    def show_upload(request: gr.Request) -> Any:
        allowed = bool(can_upload and can_upload(request))
        return gr.HTML(visible=allowed)

    outputs = [panel.listing, only, panel.read_pick]
    inputs = [only, panel.read_pick]
    demo.load(refresh, inputs, outputs, api_visibility="private")
    demo.load(show_upload, None, panel.upload, api_visibility="private")
    panel.refresh.click(list_documents, None, panel.listing, api_name="documents")
    panel.refresh.click(refresh, inputs, outputs, api_visibility="private")
    panel.upload.submit(refresh, inputs, outputs, api_visibility="private")  # after an upload (see _UPLOAD_JS)
    panel.read_pick.change(read, panel.read_pick, panel.reader, api_visibility="private")
    if tab is not None:
        tab.select(refresh, inputs, outputs, api_visibility="private")
