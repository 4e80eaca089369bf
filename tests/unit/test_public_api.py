"""The public API: names importable from ``assistant``, no UI imports, settings from the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import assistant
from assistant import Settings


def test_public_names_import() -> None:
    from assistant import Assistant, Citation, Reply, ReportRetriever
    from assistant import Settings as ImportedSettings

    assert Assistant.__module__ == "assistant.chain"
    assert {Citation.__name__, Reply.__name__, ReportRetriever.__name__} == {"Citation", "Reply", "ReportRetriever"}
    assert ImportedSettings is Settings


def test_all_lists_only_existing_names() -> None:
    assert sorted(assistant.__all__) == sorted(set(assistant.__all__))
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name
    assert {"Assistant", "Reply", "Citation", "ReportRetriever", "Settings"} <= set(assistant.__all__)


def test_importing_assistant_loads_no_ui_and_no_model(repo_root: Path) -> None:
    code = (
        "import sys, assistant\n"
        "heavy = [m for m in ('gradio', 'ui', 'evals', 'sentence_transformers', 'torch') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported by `import assistant`: {result.stdout.strip()}"


_ENV = ("ASSISTANT_CORPUS_DIR", "ASSISTANT_DATA_DIR", "ASSISTANT_CHROMA_URL", "ASSISTANT_EMBEDDING_MODEL",
        "ASSISTANT_TOP_K")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.corpus_dir == Path("corpus") and settings.data_dir == Path(".data")
    assert settings.chroma_url is None and settings.top_k == 5
    assert settings.embedding_model == "sentence-transformers/all-MiniLM-L6-v2"


def test_settings_read_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "reports"))
    clean_env.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "index"))
    clean_env.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:8123")
    clean_env.setenv("ASSISTANT_EMBEDDING_MODEL", "/models/other-minilm")
    clean_env.setenv("ASSISTANT_TOP_K", "7")
    settings = Settings()
    assert settings.corpus_dir == tmp_path / "reports"
    assert settings.data_dir == tmp_path / "index"
    assert settings.feedback_path == tmp_path / "index" / "feedback.jsonl"
    assert settings.chroma_url == "http://127.0.0.1:8123"
    assert settings.embedding_model == "/models/other-minilm"
    assert settings.top_k == 7


def test_arguments_win_over_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ASSISTANT_TOP_K", "7")
    assert Settings(top_k=2).top_k == 2


@pytest.mark.parametrize("value", ["0", "101", "many"])
def test_bad_top_k_is_refused(clean_env: pytest.MonkeyPatch, value: str) -> None:
    clean_env.setenv("ASSISTANT_TOP_K", value)
    with pytest.raises(ValidationError, match="top_k"):
        Settings()


def test_every_setting_is_described() -> None:
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_embedding_precision_names() -> None:
    from assistant.embeddings import resolve_precision

    assert resolve_precision("float32") == "float32"
    assert resolve_precision("bfloat16") == "bfloat16"
    assert resolve_precision("auto") in ("float32", "bfloat16")
    with pytest.raises(ValueError, match="auto, float32 or bfloat16"):
        resolve_precision("int8")
