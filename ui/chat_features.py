"""The chat's issue-11b features as Gradio pieces: history in the browser, Clear with Undo, follow-up
suggestions, examples from the indexed reports, and feedback with thanks and an optional reason.

``build_chat`` places the pieces (``build_*``) and calls :func:`wire` once with its own components; the
logic lives in pure modules (``ui.history``, ``ui.examples``, ``ui.feedback``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from . import examples, history, render
from .exports import ExportLinks, link_html
from .feedback import REASONS, FeedbackLog
from .sessions import liked_turn, own_turns, session_of, user_of

log = logging.getLogger(__name__)

STORAGE_KEY = "gao-report-assistant-history"
REASON_CHOICES = [(r.capitalize() if r != "wrong source" else "Wrong source", r) for r in REASONS]
THANKS = "Thanks for your feedback."

CSS = """
#follow-ups { gap: .4em; flex-wrap: wrap; }
#follow-ups button { flex: 1 1 14em; white-space: normal; text-align: left; }
#feedback-panel .thanks { font-weight: 600; }
"""


@dataclass
class Parts:
    store: Any
    conversation: Any
    undo_turns: Any
    undo: Any
    past: Any
    forget: Any
    follow_buttons: list[Any]
    follow_source: Any
    note: Any
    feedback_box: Any
    thanks: Any
    reason: Any
    comment: Any
    send: Any
    rated: Any


def build_states() -> dict[str, Any]:
    """State that is not shown (call anywhere inside the Blocks)."""
    return {
        "store": gr.BrowserState({}, storage_key=STORAGE_KEY),
        "conversation": gr.State(""),
        "undo_turns": gr.State({}),  # {"id", "turns"} of the conversation Clear removed
        "follow_source": gr.State(""),
        "rated": gr.State(None),
    }


def filter_note(conversation: Sequence[Any], chosen: Sequence[str] | None) -> Any:
    """The note under the chips: shown when the latest answer abstained while the filter was on."""
    reply = conversation[-1].get("reply", {}) if conversation else {}
    limited = bool(chosen) and bool(reply.get("abstained")) and reply.get("notice") != "empty_question"
    return gr.Markdown(FILTER_NOTE if limited else "", visible=limited)


def build_follow_ups() -> list[Any]:
    """Up to three suggested follow-up buttons (call under the conversation)."""
    with gr.Row(elem_id="follow-ups"):
        return [
            gr.Button("", visible=False, size="sm", elem_id=f"follow-up-{i}", elem_classes=["follow-up"])
            for i in range(examples.MAX_FOLLOW_UPS)
        ]


def build_feedback() -> dict[str, Any]:
    """The thanks and the optional reason shown after a thumbs up or down."""
    with gr.Group(visible=False, elem_id="feedback-panel") as box:
        thanks = gr.Markdown(THANKS, elem_classes=["thanks"], elem_id="feedback-thanks")
        reason = gr.Radio(REASON_CHOICES, value=None, label="What was wrong? (optional)", elem_id="feedback-reason")
        comment = gr.Textbox(label="Comment (optional)", max_length=1000, lines=2, elem_id="feedback-comment")
        send = gr.Button("Send", size="sm", elem_id="feedback-send")
    return {"feedback_box": box, "thanks": thanks, "reason": reason, "comment": comment, "send": send}


FILTER_NOTE = (
    "This answer was looked for only in the reports under **Answering from**. Remove them (×) to search every report."
)


def build_filter_note() -> Any:
    """Says, under the chips, when an answer that found nothing was limited to some reports."""
    return gr.Markdown("", visible=False, elem_id="filter-note", elem_classes=["notice"])


def build_undo() -> Any:
    return gr.Button("Undo clear", visible=False, size="sm", elem_id="undo-clear")


def build_past() -> dict[str, Any]:
    """The past conversations of this browser and login."""
    with gr.Row(equal_height=False):
        past = gr.Dropdown(
            choices=[],
            value=None,
            label="Past conversations (kept in this browser only)",
            elem_id="past-conversations",
            scale=4,
        )
        forget = gr.Button("Forget past conversations", size="sm", elem_id="forget-history", scale=1, min_width=120)
    return {"past": past, "forget": forget}


def wire(
    parts: Parts,
    demo: gr.Blocks,
    *,
    assistant: Any,
    feedback: FeedbackLog | None,
    exports: ExportLinks,
    chatbot: Any,
    turns: Any,
    only: Any,
    sources: Any,
    citation_pick: Any,
    download: Any,
    library: Any = None,
    asked: Sequence[Any],
    respond: Callable[..., Iterator[tuple[Any, ...]]],
    answer_outputs: list[Any],
    ask_events: dict[str, Any],
    reports_changed: Sequence[Any] = (),
) -> None:
    """Bind the features' events. ``asked``: the events that answer a question (each gets the saving and
    the follow-ups after it); ``respond``: the chat's answering generator, reused by the follow-ups;
    ``reports_changed``: triggers after which the examples are drawn again (an upload, a refresh)."""
    follow = parts.follow_buttons

    def outline() -> tuple[list[Any], dict[str, Any]] | None:
        index = getattr(assistant, "index", None)
        try:
            if index is not None:
                loaded = index.loaded()
                return list(loaded.chunks), dict(loaded.documents)
            return [], {d.source: d for d in assistant.documents()}
        except Exception as exc:  # index down: no suggestions, nothing else breaks
            log.warning("no suggestions: %s", exc)
            return None

    def shown(conversation: list[dict[str, Any]], request: gr.Request) -> tuple[Any, ...]:
        """chatbot, turns, sources, citation picker, export link for a conversation put back in the chat."""
        if not conversation:
            return [], [], render.EMPTY_SOURCES_HTML, gr.Radio(choices=[], value=None, visible=False), link_html(None)
        reply = conversation[-1]["reply"]
        choices = [(render.citation_label(c), int(c["n"])) for c in reply.get("citations") or [] if "n" in c]
        return (
            render.chat_messages(conversation, sources=library),
            conversation,
            render.sources_html(reply, library if library is not None else assistant.source_text),
            gr.Radio(choices=choices, value=choices[0][1] if choices else None, visible=bool(choices)),
            link_html(exports.offer(session_of(request), user_of(request), conversation)),
        )

    hidden_follow_ups = tuple(gr.Button(visible=False) for _ in follow)

    # -- restore on load, with examples from the indexed reports --------------------------------------------
    def restore(stored: Any, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        found = outline()
        questions = examples.report_examples(*found) if found else []
        conversation_id, conversation = history.restore(stored, user)
        messages, kept, panel, picker, link = shown(conversation, request)
        return (
            gr.Chatbot(value=messages, examples=[{"text": q} for q in questions] or None),
            kept,
            conversation_id or "",
            gr.Dropdown(choices=history.choices(stored, user), value=conversation_id),
            panel,
            picker,
            link,
        )

    restored = [chatbot, turns, parts.conversation, parts.past, sources, citation_pick, download]
    demo.load(restore, [parts.store], restored, api_visibility="private")

    def examples_again() -> Any:
        found = outline()
        questions = examples.report_examples(*found) if found else []
        return gr.Chatbot(examples=[{"text": q} for q in questions] or None)

    for trigger in reports_changed:
        trigger(examples_again, None, chatbot, api_visibility="private")

    # -- after each answer: save in the browser, suggest follow-ups ----------------------------------------------
    def after_answer(
        conversation: list[dict[str, Any]],
        stored: Any,
        conversation_id: str,
        chosen: list[str] | None,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        conversation = own_turns(conversation, request)
        if not conversation:
            return (gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *hidden_follow_ups)
        user = user_of(request)
        conversation_id = conversation_id or history.new_conversation_id()
        stored = history.save(stored, user, conversation_id, conversation)
        found = outline()
        source, questions = "", list[str]()
        if found:
            cited = [str(c.get("chunk_id", "")) for c in conversation[-1]["reply"].get("citations") or []]
            source, questions = examples.follow_ups(*found, cited, [t["question"] for t in conversation])
        buttons = [gr.Button(value=q, visible=True) for q in questions]
        buttons += [gr.Button(visible=False) for _ in range(len(follow) - len(buttons))]
        picker = gr.Dropdown(choices=history.choices(stored, user), value=conversation_id)
        return (stored, conversation_id, picker, source, filter_note(conversation, chosen), *buttons)

    saved = [parts.store, parts.conversation, parts.past, parts.follow_source, parts.note, *follow]
    saving = [turns, parts.store, parts.conversation, only]
    for event in asked:
        event.then(after_answer, saving, saved, api_visibility="private")

    def ask_follow_up(
        text: str, source: str, conversation: list[dict[str, Any]], chosen: list[str] | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        yield from respond(text, conversation, [source] if source else chosen, request)

    for button in follow:
        button.click(
            ask_follow_up,
            [button, parts.follow_source, turns, only],
            answer_outputs,
            api_visibility="private",
            **ask_events,
        ).then(after_answer, saving, saved, api_visibility="private")

    # -- past conversations ---------------------------------------------------------------------------------------
    def open_past(conversation_id: str | None, stored: Any, request: gr.Request) -> tuple[Any, ...]:
        found_id, conversation = history.restore(stored, user_of(request), conversation_id)
        if found_id is None:
            return (*(gr.skip() for _ in range(6)), *hidden_follow_ups)
        return (*shown(conversation, request), found_id, *hidden_follow_ups)

    opened = [chatbot, turns, sources, citation_pick, download, parts.conversation, *follow]
    parts.past.input(open_past, [parts.past, parts.store], opened, api_visibility="private")

    def forget(request: gr.Request) -> tuple[Any, ...]:
        return {}, gr.Dropdown(choices=[], value=None)

    parts.forget.click(forget, None, [parts.store, parts.past], api_visibility="private")

    # -- Clear keeps the conversation for Undo ---------------------------------------------------------------------
    def undo(kept: Any, request: gr.Request) -> tuple[Any, ...]:
        kept = kept if isinstance(kept, dict) else {}
        conversation = own_turns(kept.get("turns") or [], request)
        return (*shown(conversation, request), str(kept.get("id") or ""), {}, gr.Button(visible=False))

    undone = [chatbot, turns, sources, citation_pick, download, parts.conversation, parts.undo_turns, parts.undo]
    parts.undo.click(undo, [parts.undo_turns], undone, api_visibility="private")

    # -- feedback: thanks, then an optional reason ----------------------------------------------------------------
    def rate(conversation: list[dict[str, Any]], data: gr.LikeData, request: gr.Request) -> tuple[Any, ...]:
        conversation = own_turns(conversation, request)
        turn_index = liked_turn(data.index)
        if turn_index is None or turn_index >= len(conversation) or data.liked not in (True, False):
            log.warning("ignored a rating of message %.20r (%d turns)", data.index, len(conversation))
            return (gr.Group(visible=False), gr.skip(), gr.skip(), gr.skip(), gr.skip(), None)
        if feedback is not None:
            turn = conversation[turn_index]
            feedback.record(
                turn["question"], turn["reply"], liked=bool(data.liked), session=session_of(request), turn=turn_index
            )
        down = data.liked is False
        return (
            gr.Group(visible=True),
            THANKS + (" What was wrong? Tell us below if you like." if down else ""),
            gr.Radio(value=None, visible=down),
            gr.Textbox(value="", visible=down),
            gr.Button(visible=down),
            turn_index,
        )

    panel = [parts.feedback_box, parts.thanks, parts.reason, parts.comment, parts.send, parts.rated]
    chatbot.like(rate, [turns], panel, api_visibility="private")

    def send_reason(reason: str | None, comment: str, turn_index: int | None, request: gr.Request) -> tuple[Any, ...]:
        if turn_index is None or (not reason and not (comment or "").strip()):
            return gr.skip(), "Pick a reason or write a comment first.", gr.skip(), gr.skip(), gr.skip()
        saved_entry = None
        if feedback is not None:
            saved_entry = feedback.annotate(session_of(request), int(turn_index), reason or None, comment or "")
        note = "Thanks — your reason was saved with the answer." if saved_entry or feedback is None else THANKS
        return (
            gr.Group(visible=True),
            note,
            gr.Radio(visible=False),
            gr.Textbox(visible=False),
            gr.Button(visible=False),
        )

    parts.send.click(
        send_reason,
        [parts.reason, parts.comment, parts.rated],
        [parts.feedback_box, parts.thanks, parts.reason, parts.comment, parts.send],
        api_visibility="private",
    )


def stash_for_undo(trigger: Any, parts: Parts, turns: Any) -> Any:
    """Listen to a Clear ``trigger``: keep the conversation for Undo first; chain the clearing after it."""

    def stash(conversation: list[dict[str, Any]], conversation_id: str, request: gr.Request) -> tuple[Any, ...]:
        conversation = own_turns(conversation, request)
        hidden = tuple(gr.Button(visible=False) for _ in parts.follow_buttons)
        kept = {"id": conversation_id, "turns": conversation}
        note = gr.Markdown("", visible=False)
        return (kept, gr.Button(visible=bool(conversation)), "", gr.Group(visible=False), note, *hidden)

    outputs = [parts.undo_turns, parts.undo, parts.conversation, parts.feedback_box, parts.note, *parts.follow_buttons]
    return trigger(stash, [turns, parts.conversation], outputs, api_visibility="private")
