"""The Assistant: condense -> retrieve -> answer, composed as LangChain runnables."""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer.analysis import analyse, question_parts, question_proper
from assistant.answer.draft import Answerer
from assistant.answer.reports import ReportCatalog, Route, RouteWeights, conversation_report, vote
from assistant.answering import NOT_IN_REPORT, Draft, ExtractiveAnswerer
from assistant.config import Settings
from assistant.conversation import EntityCatalog, Resolved, condense, is_follow_up, message_text
from assistant.index import Index
from assistant.retrieval import HybridSearcher, ReportRetriever
from assistant.store import IndexLocked, IndexMismatch, IndexUnavailable
from assistant.tables import column_aliases, names_a_thing
from assistant.text import clean_question, strip_markup
from assistant.thesaurus import fold_aliases
from assistant.types import Citation, DocumentInfo, Hit, IngestReport, Reply

log = logging.getLogger(__name__)
EXAMPLE_QUESTION = "What did GAO recommend?"


class Assistant:
    """Cited answers to questions about the reports in the corpus.

    Construction is cheap; the model and the index load on first use, and the index is built from the
    corpus folder if it does not exist yet.

    Example:
        >>> from assistant import Assistant
        >>> bot = Assistant()                                              # doctest: +SKIP
        >>> reply = bot.ask("Did the agency agree with the recommendations?")  # doctest: +SKIP
        >>> reply.answer                                                       # doctest: +SKIP
        'Yes — The agency concurred with both recommendations [1].'
        >>> bot.ask("And the second one?", history=[...]).standalone_question  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        index: Index | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.index = index or Index(self.settings)
        self.searcher = HybridSearcher(self.index, self.settings)
        self.answerer = answerer or _default_answerer(self.index, self.settings)
        self._catalog: tuple[tuple[int, ...], EntityCatalog] | None = None
        self._reports: tuple[str, ReportCatalog] | None = None
        self.chain: Runnable[dict[str, Any], Reply] = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._route, name="route")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._answer, name="answer")
        )

    # -- index management ---------------------------------------------------------------------------------
    def ensure_index(self, upgrade: bool = False) -> None:
        """Build the index from the corpus folder when there is none yet (see :meth:`Index.ensure`)."""
        self.index.ensure(upgrade)

    def warm_up(self) -> None:
        """Load the model and the index and precompute what the first questions need (for servers)."""
        self.ensure_index()
        self.searcher.embed("warm up")
        self.answerer.warm()

    def ingest(
        self, paths: list[Path] | None = None, rebuild: bool = False, progress: bool | None = None
    ) -> IngestReport:
        return self.index.ingest(paths, rebuild=rebuild, progress=progress)

    def documents(self) -> list[DocumentInfo]:
        self.ensure_index()
        return sorted(self.index.loaded().documents.values(), key=lambda d: d.source)

    def source_text(self, source: str) -> str:
        return self.index.source_text(source)

    def status(self) -> dict[str, Any]:
        """Index status for health checks; never raises."""
        status: dict[str, Any] = {
            "available": False,
            "documents": 0,
            "chunks": 0,
            "embedding_model": self.settings.embedding_model,
            "store": self.index.store.mode,
            "error": None,
        }
        try:
            loaded = self.index.loaded()
            status.update(available=True, documents=len(loaded.documents), chunks=len(loaded.chunks))
        except (IndexUnavailable, IndexMismatch) as exc:
            status["error"] = str(exc)
        except Exception as exc:  # a damaged store must give a health answer, not a traceback
            log.warning("index status: %s: %s", type(exc).__name__, exc)
            status["error"] = f"The index could not be read ({type(exc).__name__}: {exc})."
        return status

    @property
    def retriever(self) -> ReportRetriever:
        """A LangChain retriever over the same index (built from the corpus on first use, as ``ask`` does)."""
        return ReportRetriever(searcher=self.searcher, k=self.settings.top_k, prepare=self.ensure_index)

    # -- asking -------------------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, sources: list[str] | None = None) -> list[Hit]:
        """The best chunks for ``query``; raises :class:`IndexUnavailable` when the index cannot be read."""
        self.ensure_index()
        cleaned = clean_question(str(query))[: self.settings.max_question_chars]
        return self.searcher.search(cleaned, k=k, sources=sources) if cleaned else []

    def ask(
        self, question: str, history: list[dict[str, Any]] | None = None, sources: list[str] | None = None
    ) -> Reply:
        """Answer ``question`` (a follow-up is read against ``history``). Never raises for any input."""
        try:
            return self.chain.invoke({"question": question, "history": history or [], "sources": sources})
        except (IndexUnavailable, IndexMismatch, IndexLocked) as exc:
            return Reply(
                answer=str(exc),
                abstained=True,
                standalone_question=str(question)[:200],
                notice="index_unavailable",
            )
        except Exception:
            log.exception("ask failed")
            return Reply(
                answer="Sorry, something went wrong while answering. The error has been logged; please try again.",
                abstained=True,
                notice="error",
            )

    def _condense(self, state: dict[str, Any]) -> dict[str, Any]:
        raw = state["question"] if isinstance(state["question"], str) else str(state["question"] or "")
        question = clean_question(strip_markup(raw))
        notice = ""
        limit = self.settings.max_question_chars
        if len(question) > limit:
            cut = question[:limit].rsplit(" ", 1)[0] or question[:limit]
            notice = f"Your question was {len(question):,} characters long; only the first {len(cut):,} were used."
            question = cut
        state = {**state, "question": question, "notice": notice}
        if not question and clean_question(raw):
            notice = "markup_only"  # only tags or a script: nothing to look up, and nothing is echoed back
            return {**state, "standalone": Resolved(""), "notice": notice}
        if not question:
            return {**state, "standalone": Resolved("")}
        self.ensure_index()
        catalog = self.catalog()
        history = [m for m in state["history"] if isinstance(m, dict)]
        said = [str(m.get("content", "")) for m in history if m.get("role") == "assistant"]
        return {
            **state,
            "standalone": condense(question, history, catalog),
            "previous_answer": said[-1] if said else "",
            "turns": _turns(history),
        }

    def _route(self, state: dict[str, Any]) -> dict[str, Any]:
        """Which report(s) the question is about: the one it names (by number, title words, agency or topic),
        else the one the conversation is about; none when it names no report and the corpus has several."""
        if not state["standalone"].question or state["sources"]:
            return {**state, "route": Route()}
        reports = self.reports()
        route = reports.route(state["question"])
        if not route.sources and state["standalone"].question != state["question"]:
            route = reports.route(state["standalone"].question)  # a follow-up with its referent filled in
        if not route.explicit:  # a follow-up stays with the conversation's report unless it names another
            questions, answers = state["turns"]
            earlier = conversation_report(reports, questions, answers)
            if earlier and (not route.sources or is_follow_up(state["question"])):
                route = replace(route, sources=earlier, via="conversation")
        return {**state, "route": route}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        if not state["standalone"].question:
            return {**state, "hits": [], "vector": None}
        query = fold_aliases(state["standalone"].searched)  # searched in the report's own terms
        own = fold_aliases(state["standalone"].question)
        proper = question_proper(own) if not state["standalone"].context else own
        parts = question_parts(own) if not state["standalone"].context else [own]
        derived = list(dict.fromkeys(t for t in [proper, *parts] if t not in (own, query)))
        # the question, its proper and its separate asks, embedded in one model call
        vector, *rest = self.searcher.embed_several([query, *derived]) if derived else [self.searcher.embed(query)]
        vectors = dict(zip(derived, rest, strict=True))
        # answer from a few more passages than are shown: the sentence that answers may rank just below top_k
        route: Route = state["route"]
        k = max(self.settings.top_k, self.settings.answer_pool)
        scope = state["sources"] or (list(route.sources) if route.via in ("number", "conversation") else None)
        if scope:  # the question (or the conversation) names its report(s): answer from them alone
            pool = self.searcher.search(query, k=k, sources=scope, vector=vector)
        else:
            pool = self.searcher.search(query, k=k, vector=vector)
            preferred = route.source if route.via == "topic" else None
            if preferred is None:
                preferred = vote(route, [(h.chunk.source, h.score) for h in pool], self.settings.route_vote_share)
                route = replace(route, sources=(preferred,), via="retrieval") if preferred else route
            if preferred:
                # The question's words point to one report: its passages first, then the best passages of the
                # runner-up (the one other report its words also match), so a report that answers as well (or
                # contradicts it) can still be cited. Other reports' passages are left out.
                runner_up = next((s for s, _ in route.ranked if s != preferred), None)
                others = [h for h in pool[: self.settings.top_k] if h.chunk.source == runner_up]
                pool = self.searcher.search(query, k=k, sources=[preferred], vector=vector) + others
                scope = [preferred, runner_up] if others and runner_up else [preferred]
        hits = pool[: self.settings.top_k]
        if self.settings.sentence_pool and scope:  # passages one of whose sentences lies nearest the question
            seen = {h.chunk.chunk_id for h in pool}
            for chunk, sim in self.index.sentence_dense(vector, self.settings.sentence_pool, scope):
                if chunk.chunk_id not in seen:
                    pool.append(Hit(chunk, 0.0, dense_similarity=sim, nearest_sentence=True))
        if len(parts) > 1:  # a compound question: the passages for each of its asks join the pool
            seen = {h.chunk.chunk_id for h in pool}
            for part in parts:
                for hit in self.searcher.search(part, k=self.settings.top_k, sources=scope, vector=vectors[part]):
                    if hit.chunk.chunk_id not in seen:
                        pool.append(hit)
                        seen.add(hit.chunk.chunk_id)
        return {**state, "query": query, "hits": hits, "pool": pool, "vector": vector, "scope": scope, "route": route,
                "vectors": vectors}  # fmt: skip

    def _answer(self, state: dict[str, Any]) -> Reply:
        if state["notice"] == "markup_only":
            return Reply(answer=f"{NOT_IN_REPORT} anything about that: the message holds only markup.", abstained=True)
        if not state["standalone"].question:
            return Reply(
                answer=f"Please ask a question about the report, for example: “{EXAMPLE_QUESTION}”",
                abstained=True,
                notice=state["notice"] or "empty_question",
            )
        resolved: Resolved = state["standalone"]
        draft: Draft = self.answerer.answer(
            fold_aliases(resolved.question),
            state["pool"],
            state["vector"],
            state["scope"],
            state["previous_answer"],
            stated=fold_aliases(state["question"]),  # the names and numbers the user stated: the evidence must hold
            context=fold_aliases(resolved.context) if resolved.context else "",
            vectors=state.get("vectors"),
        )
        answer, citations = draft.render()
        if not draft.abstained:
            answer = self._name_report(answer, citations)
        return Reply(
            answer=answer,
            citations=[] if draft.abstained else citations,
            abstained=draft.abstained,
            standalone_question=state["standalone"].text,
            notice=state["notice"],
            support=draft.support,
            hits=state["hits"],
            trace=_trace(state, draft),
        )

    def reports(self) -> ReportCatalog:
        """Every indexed report's profile, for routing questions (rebuilt for a new index generation)."""
        loaded = self.index.loaded()
        if self._reports is None or self._reports[0] != loaded.generation:
            s = self.settings
            weights = RouteWeights(
                title_weight=s.route_title_weight,
                summary_weight=s.route_summary_weight,
                min_confidence=s.route_min_confidence,
                min_margin=s.route_min_margin,
            )
            self._reports = (loaded.generation, ReportCatalog.from_chunks(loaded.chunks, loaded.documents, weights))
        return self._reports[1]

    def _name_report(self, answer: str, citations: list[Citation]) -> str:
        """An answer drawn from one report among several says which ("In GAO-31-900101: ...")."""
        sources = {c.source for c in citations}
        reports = self.reports()
        if len(sources) != 1 or len(reports) <= 1:
            return answer
        return f"In {reports.label(sources.pop())}: {answer}"

    def catalog(self) -> EntityCatalog:
        """Interchangeable names the follow-up rewriter can swap: each table's columns, and its rows."""
        tables = self.answerer.tables()
        key = tuple(id(t) for t in tables)  # the answerer re-parses tables only for a new index generation
        if self._catalog is None or self._catalog[0] != key:
            groups: list[dict[str, list[str]]] = []
            for table in tables:
                groups.append({c: column_aliases(c) for c in table.columns if names_a_thing(c)})
                groups.append(
                    {r.label: self.answerer.row_names(table, r) for r in table.rows if names_a_thing(r.label)}
                )
            self._catalog = (key, EntityCatalog(groups))
        return self._catalog[1]


def _trace(state: dict[str, Any], draft: Draft) -> dict[str, Any]:
    """What the stages decided for one question: routing, question analysis, the answering route."""
    route: Route = state["route"]
    analysis = analyse(state["standalone"].question)
    features = draft.trace.get("features")
    answer: dict[str, Any] = {"kind": draft.kind, "abstained": draft.abstained, "support": round(draft.support, 3)}
    if features is not None:
        answer["features"] = {k: float(v) for k, v in asdict(features).items()}  # type: ignore[call-overload]
    if "probability" in draft.trace:
        answer["probability"] = float(draft.trace["probability"])  # type: ignore[arg-type]
    return {
        "route": {"sources": list(state.get("scope") or route.sources), "via": route.via},
        "analysis": {"answer_type": analysis.answer_type, "focus": analysis.focus, "value_kind": analysis.value_kind},
        "answer": answer,
    }


def _turns(history: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The conversation's questions and the answers given to them, aligned (answers[i] replies to questions[i])."""
    questions: list[str] = []
    answers: list[str] = []
    for message in history:
        content = message_text(message).strip()
        if message.get("role") == "user" and content:
            questions.append(content)
            answers.append("")
        elif message.get("role") == "assistant" and questions:
            answers[-1] = content
    return questions, answers


def _default_answerer(index: Index, settings: Settings) -> Answerer:
    if settings.llm != "none":
        from assistant.llm import LLMAnswerer

        return LLMAnswerer(index, settings, fallback=ExtractiveAnswerer(index, settings))
    return ExtractiveAnswerer(index, settings)


__all__ = ["NOT_IN_REPORT", "Assistant"]
