"""The chat window: a Gradio Blocks app over any object with the ``Assistant`` interface.

Per-session state is a ``gr.State`` list of turns ``{"question": str, "reply": Reply.to_dict()}``; the
Chatbot is always re-rendered from it, so sessions never share history and the raw (unescaped) text goes
to the assistant while only escaped text goes to the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gradio as gr

from . import chat_features, render, reports_panel
from .api import AssistantLike
from .exports import ExportLinks, link_html
from .feedback import FeedbackLog
from .limits import MAX_QUESTION_CHARS
from .pages import SourceLibrary
from .security import public_reply
from .sessions import add_turn, own_turns, session_of, user_of

log = logging.getLogger(__name__)

TITLE = "GAO report assistant"

# The sources panel, abstentions and citation markers. Gradio theme variables keep light/dark modes right.
CSS = """
.abstention { color: var(--body-text-color-subdued); font-style: italic;
  border-left: 3px solid var(--border-color-primary); padding-left: .6em; }
.notice { color: var(--body-text-color-subdued); font-size: .85em; }
.pending { color: var(--body-text-color-subdued); font-style: italic; }
sup.cite { color: var(--color-accent); font-weight: 600; }
.sources { display: flex; flex-direction: column; gap: .6em; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6em .8em;
  background: var(--background-fill-secondary); }
.source-card.selected { border: 2px solid var(--color-accent); background: var(--background-fill-primary); }
.source-head { font-weight: 600; }
.source-n { color: var(--color-accent); }
.source-meta { color: var(--body-text-color-subdued); font-size: .85em; margin: .2em 0 .4em; }
.passage { white-space: pre-wrap; font-size: .92em; line-height: 1.45; tab-size: 4; }
.passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.sources-empty { color: var(--body-text-color-subdued); font-style: italic; }
.export-link { font-size: .85em; padding: .3em .8em; border: 1px solid var(--border-color-primary);
  border-radius: 6px; text-decoration: none; color: var(--body-text-color); display: inline-block; }
.export-link.disabled { color: var(--body-text-color-subdued); }
"""
CSS += reports_panel.CSS + chat_features.CSS  # issue 11b


def build_chat(
    assistant: AssistantLike,
    feedback: FeedbackLog | None = None,
    examples: Sequence[str] | None = None,
    ask_concurrency: int = 4,
    exports: ExportLinks | None = None,
    can_upload: Callable[[gr.Request], bool] | None = None,
    library: SourceLibrary | None = None,
) -> gr.Blocks:
    """Build the chat UI over ``assistant``.

    Args:
        assistant: Anything with ``ask``, ``documents`` and ``source_text`` (an ``assistant.Assistant``).
        feedback: Where thumbs up/down go; None disables recording (the buttons still show).
        examples: Questions offered on an empty chat; None: drawn from the indexed reports when the page loads.
        ask_concurrency: How many questions are answered at once across all sessions (see ``app.py``).
        exports: The sessions' export links (``ui.exports``; served by the app at ``/export/<token>``).
        can_upload: Whether a request's user may add reports (shows the upload box); None: nobody.
        library: What source cards read from the index (texts, tables, PDF page links; ``ui.pages``).
    """
    exports = exports if exports is not None else ExportLinks()
    library = library if library is not None else SourceLibrary(assistant)

    def respond(
        question: str, turns: list[dict[str, Any]], only: list[str] | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if len(question) > MAX_QUESTION_CHARS:  # refused before it is shown, stored or answered
            raise gr.Error(
                f"Your question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}.",
                print_exception=False,
            )
        turns = own_turns(turns, request)
        # Show the question at once; the answer replaces the placeholder when ready.
        shown = render.chat_messages(turns, pending=question, sources=library)
        yield "", shown, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        reply = _ask(assistant, question, render.history_for_assistant(turns), only or None)
        turns = add_turn(turns, question, reply, request)
        citations = reply.get("citations") or []
        choices = [(render.citation_label(c), int(c["n"])) for c in citations]
        yield (
            "",
            render.chat_messages(turns, sources=library),
            turns,
            render.sources_html(reply, library),
            gr.Radio(choices=choices, value=choices[0][1] if choices else None, visible=bool(choices)),
            link_html(exports.offer(session_of(request), user_of(request), turns)),
        )

    def ask_example(
        turns: list[dict[str, Any]], only: list[str] | None, evt: gr.SelectData, request: gr.Request
    ) -> Iterator[Any]:
        value = evt.value
        text = value.get("text", "") if isinstance(value, dict) else str(value or "")
        yield from respond(text, turns, only, request)

    def select_citation(n: int | None, turns: list[dict[str, Any]], request: gr.Request) -> str:
        turns = own_turns(turns, request)
        if not turns:
            return render.EMPTY_SOURCES_HTML
        return render.sources_html(turns[-1]["reply"], library, selected=n)

    def clear(request: gr.Request) -> tuple[Any, ...]:
        exports.forget(session_of(request))
        return (
            [],
            [],
            render.EMPTY_SOURCES_HTML,
            gr.Radio(choices=[], value=None, visible=False),
            link_html(None),
            "",
        )

    def end_session(request: gr.Request) -> None:
        exports.forget(session_of(request))

    with gr.Blocks(title=TITLE) as demo:
        turns = gr.State([])
        extra = chat_features.build_states()  # issue 11b
        gr.Markdown(f"## {TITLE}\nAnswers quote the indexed GAO reports, with a numbered citation per claim.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=360):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        elem_id="chatbot",
                        height=560,
                        examples=[{"text": q} for q in examples] if examples else None,
                        feedback_options=("Like", "Dislike"),
                        # --- issue 11a: messages are escaped HTML, never Markdown; each answer has its own Copy
                        # button (ui/render.py answer_html) that copies plain text, so Gradio's is off.
                        buttons=[],
                        render_markdown=False,
                        autoscroll=False,  # ui/chat_assets.py scrolls to each new question and its answer
                        sanitize_html=True,  # second layer; render.py already escapes everything
                        latex_delimiters=[],
                        allow_tags=False,
                    )
                    # -- issue 11b: follow-ups, feedback, report filter chips (ui/chat_features.py, ui/reports_panel.py)
                    extra["follow_buttons"] = chat_features.build_follow_ups()
                    extra |= chat_features.build_feedback()
                    only = reports_panel.build_filter()
                    extra["note"] = chat_features.build_filter_note()
                    with gr.Row():
                        question = gr.Textbox(
                            label="Question",
                            placeholder="Ask a question about the reports…",
                            show_label=False,
                            lines=1,
                            max_lines=6,
                            scale=6,
                            elem_id="question",
                            autofocus=True,
                            max_length=MAX_QUESTION_CHARS,
                        )
                        ask_button = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                    with gr.Row():
                        clear_button = gr.Button("Clear conversation", elem_id="clear", size="sm")
                        extra["undo"] = chat_features.build_undo()  # issue 11b
                        download = gr.HTML(link_html(None), elem_id="export-box", js_on_load=None)
                    extra |= chat_features.build_past()  # issue 11b
                with gr.Column(scale=2, min_width=300):
                    gr.Markdown("### Sources", elem_id="sources-heading")
                    citation_pick = gr.Radio(
                        choices=[],
                        label="Citations in the latest answer",
                        elem_id="citation-pick",
                        visible=False,
                    )
                    sources = gr.HTML(render.EMPTY_SOURCES_HTML, label="Sources", elem_id="sources", js_on_load=None)
            # -- issue 11b: the Reports tab (list, read, add; ui/reports_panel.py)
            with gr.Tab("Reports", id="documents") as documents_tab:
                panel = reports_panel.build_reports_tab()

        outputs = [question, chatbot, turns, sources, citation_pick, download]
        # One pool for everything that calls assistant.ask, so examples and typed questions share the limit.
        ask_events = {"concurrency_limit": ask_concurrency, "concurrency_id": "ask"}
        inputs = [question, turns, only]
        asked = [
            question.submit(respond, inputs, outputs, api_name="ask", **ask_events),  # type: ignore[arg-type]
            ask_button.click(respond, inputs, outputs, api_visibility="private", **ask_events),  # type: ignore[arg-type]
            chatbot.example_select(ask_example, [turns, only], outputs, api_visibility="private", **ask_events),  # type: ignore[arg-type]
        ]
        citation_pick.select(select_citation, [citation_pick, turns], sources, api_name="select_citation")
        demo.unload(end_session)
        cleared = [chatbot, turns, sources, citation_pick, download, question]
        # -- issue 11b: Clear keeps the conversation for Undo first; then history, follow-ups, feedback, reports
        parts = chat_features.Parts(**extra)
        chat_features.stash_for_undo(clear_button.click, parts, turns).then(clear, None, cleared, api_name="clear")
        chat_features.stash_for_undo(chatbot.clear, parts, turns).then(clear, None, cleared, api_visibility="private")
        chat_features.wire(
            parts,
            demo,
            assistant=assistant,
            feedback=feedback,
            exports=exports,
            chatbot=chatbot,
            turns=turns,
            only=only,
            sources=sources,
            citation_pick=citation_pick,
            download=download,
            library=library,
            asked=asked,
            respond=respond,
            answer_outputs=outputs,
            ask_events=ask_events,
            reports_changed=[panel.upload.submit, panel.refresh.click],
        )
        reports_panel.wire_reports(panel, demo, assistant, only, can_upload, tab=documents_tab)
    return demo


def _ask(
    assistant: AssistantLike, question: str, history: list[dict[str, str]], sources: list[str] | None = None
) -> dict[str, Any]:
    try:
        reply = assistant.ask(question, history, sources=sources) if sources else assistant.ask(question, history)
        return public_reply(reply.to_dict())
    except Exception:  # ask() should not raise; if it does, the user gets a reply rather than a stuck spinner
        log.exception("assistant.ask failed")
        return {
            "answer": "Something went wrong while answering. Please try again.",
            "citations": [],
            "abstained": True,
            "standalone_question": question,
            "notice": "error",
        }
