"""Settings: every knob of the assistant, typed and described. The only module that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Configuration, read from ``ASSISTANT_*`` environment variables (or passed in directly).

    Example:
        >>> Settings(top_k=3).top_k
        3
    """

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of reports to index (.txt, .md, .pdf, .html).")
    data_dir: Path = Field(
        Path(".data"), description="Where the index, its manifest, the lock and the feedback log live."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). Unset: an embedded store in data_dir.",
    )
    collection: str = Field("reports", description="Base name of the Chroma collection.")
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description="sentence-transformers model name or local path. The default is bundled (offline).",
    )
    embedding_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="Arithmetic the embedding model runs in. bfloat16 (matrix products in bfloat16, sums, norms "
        "and softmax in float32) is about 2.5x faster on CPUs with native bfloat16 (AMX or AVX512-BF16) and gives "
        "the same vectors to cosine 0.9999 (benchmarks/README.md); it is emulated, and slow, elsewhere. auto: "
        "bfloat16 where the CPU has it, float32 otherwise.",
    )
    top_k: int = Field(5, ge=1, le=100, description="How many chunks retrieval returns by default.")
    answer_pool: int = Field(
        8,
        ge=1,
        le=100,
        description="How many passages the answer is drawn from (at least top_k): the sentence that answers may "
        "sit in a passage ranked just below the top_k shown.",
    )
    candidates: int = Field(30, ge=5, le=500, description="How many chunks each retriever proposes to fusion.")
    sentence_pool: int = Field(
        3,
        ge=0,
        le=50,
        description="For a question answered from named reports, this many more passages join the ones the answer "
        "is drawn from: those one of whose sentences lies nearest the question (the stored sentence vectors, "
        "searched in memory), which a passage-level search misses when the rest of the passage is about "
        "something else. 0: off.",
    )
    sentence_matrix_max_chunks: int = Field(
        10_000,
        ge=0,
        description="Up to this many chunks, every stored sentence vector is held in memory (about 10 MB per 1,000 "
        "chunks): answering reads them without a store round trip, and sentence_pool can search them. Larger "
        "indexes read the vectors of the retrieved passages from the store, and sentence_pool is off.",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    max_question_chars: int = Field(
        2000, ge=50, description="Longer questions are truncated to this many characters (with a notice)."
    )
    abstain_threshold: float = Field(
        0.36,
        ge=0.0,
        le=1.0,
        description="Minimum support score (question-to-sentence match, 0..1) of the best sentence: below it "
        "nothing retrieved is about the question and the assistant says the report does not say. Part of the "
        "abstention decision (the relevance floor the dev split cannot calibrate, since all its questions are "
        "about the corpus); calibrated on the seed eval set (python -m evals.calibrate).",
    )
    precompute_sentences: bool = Field(
        True,
        description="Embed every sentence at ingest (about 2-3x the ingest time) so answering needs no model "
        "call beyond the question; off: sentences are embedded when first needed, then cached.",
    )
    ingest_batch_size: int = Field(
        128,
        ge=1,
        le=4096,
        description="Texts per model call when embedding at ingest. Sentences are short, and on a CPU they run "
        "faster in larger batches (2 cores: 128 took about 0.7x the time of 64 on the same sentences).",
    )
    max_answer_sentences: int = Field(3, ge=1, le=10, description="Upper bound on sentences in an answer.")
    max_answer_words: int = Field(
        0,
        ge=0,
        le=1000,
        description="When set, a further sentence joins an answer only while the answer stays within this many "
        "words (the best sentence is always given). 0: no word budget, only max_answer_sentences. Measured on "
        "the real suite (session 6): 60 words made 81% of answers short (against 49-56%) but cost answer "
        "accuracy (test 0.656 -> 0.598), because the sentence ranked best is often not the one that answers.",
    )
    min_novelty: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="A further sentence joins an answer only when at least this share of its content words (stems) "
        "is missing from each sentence already chosen: GAO's Highlights page, its letter and its body state the "
        "same finding in nearly the same words, and quoting it twice only makes the answer longer. A sentence "
        "stating a figure none of them states is always new. Session 11: dev answers 0.707 at 0 and 0.715 from "
        "0.3 to 0.6, short answers 0.639 at 0.3 and 0.648 at 0.45, which cost the seed eval two answers.",
    )
    introduced_items_words: int = Field(
        60,
        ge=0,
        description='A quoted sentence that introduces what follows ("... included the following:") is quoted '
        "with the sentences after it in its passage (the items) while the whole stays within this many words.",
    )
    # Scoring the sentences of the retrieved passages (assistant/answering.py)
    dense_weight: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="Share of meaning (cosine of question and sentence, best view) in a sentence's support score; "
        "the rest is lexical coverage (the IDF-weighted share of the question's words the sentence has).",
    )
    follow_ratio: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="A further sentence joins the answer when its support is at least this share of the best one's.",
    )
    list_follow_ratio: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description='The same for questions that ask for several things ("Which officials ...?", "List the ..."), '
        "whose items are often stated in different sentences. The dev split's such questions (8 when measured) "
        "answered alike from 0.7 to 0.9; 0.8 is the middle of that range, not a fitted value.",
    )
    other_document_ratio: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Another report's best sentence is cited too when its support is at least this share of the "
        "best one's (reports may add to or contradict each other), unless the question is about one report.",
    )
    follow_up_own_weight: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="For a follow-up rewritten with its context, the weight of the user's own words (the rest is "
        "the question with its context) when they have two or more content words of their own.",
    )
    follow_up_short_weight: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description='The same for a short follow-up ("Why?", "What has that led to?"): its context counts more.',
    )
    follows_bonus: float = Field(
        0.12,
        ge=0.0,
        description="Added to the support of the sentence right after one the last answer quoted (a follow-up "
        'such as "What has that led to?" asks to move on).',
    )
    repeat_penalty: float = Field(
        0.1, ge=0.0, description="Taken from the support of a sentence the last answer already quoted."
    )
    answer_type_bonus: float = Field(
        0.1,
        ge=0.0,
        description="Added to the support of a sentence that holds the kind of value the question asks for (the "
        "count, the date, an example; twice this for an e-mail address or a source line asked for).",
    )
    stop_at_stated_value: bool = Field(
        True,
        description="A question asking for one figure (a count, an amount, a percentage) is answered with the one "
        "sentence that states it, without the further sentences that score nearly as well. Measured on the real "
        "suite (session 7): short answers dev 0.55 -> 0.59, test 0.63 -> 0.67, answer accuracy unchanged.",
    )
    value_bonus: float = Field(
        0.1,
        ge=0.0,
        description="Once the evidence is judged to answer a question asking for an amount (money, a percentage, "
        'or for "how much" a measured number), added to the support of each sentence that states one, so that '
        "it is quoted first. Not part of the support the abstention decision weighs.",
    )
    series_bonus: float = Field(
        0.1,
        ge=0.0,
        description='Once the evidence is judged to answer a question asking for several things ("Which six '
        'piers ...?"), added to the support of each sentence that gives a series ("A, B, and C"), so that '
        "it is quoted first. Not part of the support the abstention decision weighs.",
    )
    # Many reports: routing a question to the report it names (see assistant/answer/reports.py)
    route_title_weight: float = Field(
        4.0,
        ge=0.0,
        description="How much more a word of a report's title counts than a word of its text when a question is "
        "matched to the report it is about.",
    )
    route_summary_weight: float = Field(
        2.0,
        ge=0.0,
        description="Extra weight of a word on a report's own summary page (Highlights) when matching questions "
        "to reports (1 + this, per occurrence).",
    )
    route_min_confidence: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="A question is answered from one report only when that report matches at least this share "
        "of what a perfect match would score (BM25 over reports, 0..1). Chosen on the dev split (no question there "
        "is routed to a wrong report).",
    )
    route_min_margin: float = Field(
        1.5,
        ge=1.0,
        description="... and when it scores at least this many times the second-best report. Chosen on the dev "
        "split with route_min_confidence.",
    )
    route_vote_share: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="A question whose words do not single out one report is still answered from one when the "
        "passages retrieved from all reports hold at least this share of their fused scores in it (and its words "
        "rank it first or second). Chosen on the dev split (every such vote there picks the right report).",
    )
    summary_max_words: int = Field(
        110,
        ge=20,
        le=400,
        description="Word budget of an answer to a summary or overview request (sentences of the report's own "
        "summary page; at least one sentence is always given).",
    )
    # One calibrated abstention decision (assistant/answer/abstention.py): P(the evidence answers) =
    # sigmoid(bias + sum of weight * feature), fitted on the real-report eval set's dev split with
    # python -m assistant.answer.calibration (priors and sign constraints in abstention.py).
    answer_bias: float = Field(1.976, description="Bias of the abstention model (log-odds with all features 0).")
    answer_weight_support: float = Field(
        1.788, description="Weight of the best sentence's support score (meaning and shared rare words, 0..1)."
    )
    answer_weight_coverage: float = Field(
        0.487, description="Weight of the IDF-weighted share of the question's words found in the evidence (0..1)."
    )
    answer_weight_missing_numbers: float = Field(
        -2.724, description="Weight per number the question states (a year, an amount) that the evidence lacks."
    )
    answer_weight_missing_names: float = Field(
        -1.035, description="Weight per name or acronym of the question that the evidence lacks (acronyms resolved)."
    )
    answer_weight_unknown_names: float = Field(
        -3.086, description="Weight per name or acronym of the question that the documents in scope never mention."
    )
    answer_weight_type_mismatch: float = Field(
        -2.373,
        description="Weight when the question asks for an amount, percentage, count or date and the answer "
        "sentences hold none.",
    )
    answer_weight_rarest_missing: float = Field(
        -1.694,
        description="Weight of how rare (IDF scaled to 0..1) the rarest question word is that the evidence lacks.",
    )
    answer_min_probability: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Below this probability that the evidence answers, the reply is that the report does not say.",
    )
    lock_timeout: float = Field(
        3.0, ge=0.0, description="Seconds a second writer waits for the index lock before failing."
    )
    # Serving (used by ui/)
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
    auth: str | None = Field(
        None,
        description="Login for the web app and API: 'user:password' or 'user:<bcrypt hash>' (python -m ui "
        "hash-password), several separated by commas.",
    )
    api_token: str | None = Field(
        None,
        description="A secret token that protects the whole app like a login: API clients send it as "
        "'Authorization: Bearer <token>', browsers sign in with it as the password.",
    )
    allowed_hosts: str | None = Field(
        None,
        description="Host names (or addresses) the web app answers to besides the loopback names, comma-separated, "
        "e.g. 'assistant.example.org,10.0.0.5'; '*.example.org' allows subdomains. Requests with any other Host "
        "header get 400, which stops DNS rebinding.",
    )
    upload_users: str | None = Field(
        None,
        description="Who may add a report from the browser (Reports tab) when a login is configured: user names "
        "separated by commas, or '*' for every logged-in user; unset: nobody. Without a login, anyone using the chat "
        "may add reports while the server listens on loopback only, and nobody when it listens beyond it.",
    )
    feedback_retention_days: int = Field(
        90, ge=0, description="Ratings older than this many days are removed from the feedback log; 0: no recording."
    )
    feedback_max_bytes: int = Field(
        5_000_000, ge=10_000, description="Size cap of the feedback log; beyond it the oldest ratings are dropped."
    )
    # Optional LLM (never required)
    llm: Literal["none", "ollama", "openai"] = Field(
        "none", description="Answer with an LLM over the retrieved passages: none, ollama or openai."
    )
    llm_url: str = Field("http://127.0.0.1:11434", description="Base URL of the LLM server.")
    llm_model: str = Field("llama3.1", description="Model name on the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for an OpenAI-compatible server, if it needs one.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the LLM before falling back.")

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"
