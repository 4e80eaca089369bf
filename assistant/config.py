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
    top_k: int = Field(5, ge=1, le=100, description="How many chunks retrieval returns by default.")
    candidates: int = Field(30, ge=5, le=500, description="How many chunks each retriever proposes to fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    max_question_chars: int = Field(
        2000, ge=50, description="Longer questions are truncated to this many characters (with a notice)."
    )
    abstain_threshold: float = Field(
        0.36,
        ge=0.0,
        le=1.0,
        description="Minimum support score (question-to-sentence match, 0..1) below which the assistant "
        "answers that the report does not say. Calibrated on the eval set (python -m evals.calibrate).",
    )
    precompute_sentences: bool = Field(
        True,
        description="Embed every sentence at ingest (about 2-3x the ingest time) so answering needs no model "
        "call beyond the question; off: sentences are embedded when first needed, then cached.",
    )
    max_answer_sentences: int = Field(3, ge=1, le=10, description="Upper bound on sentences in an answer.")
    lock_timeout: float = Field(
        3.0, ge=0.0, description="Seconds a second writer waits for the index lock before failing."
    )
    # Serving (used by ui/)
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
    auth: str | None = Field(
        None, description="Login for the web app and API: 'user:password', several separated by commas."
    )
    api_token: str | None = Field(None, description="Bearer token accepted by the HTTP API besides basic auth.")
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
