"""The `assistant` command in subprocesses (each loads the model, so they are few), with the corpus and the index
in temp folders given through ASSISTANT_CORPUS_DIR / ASSISTANT_DATA_DIR."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pytest

from assistant import NOT_IN_REPORT, Citation
from assistant.cli import main
from assistant.ingest import load_document

pytestmark = pytest.mark.integration

GAO = "GAO-25-108043.txt"
SUMMARY = re.compile(
    r"^Indexed (\d+) new or changed file\(s\), (\d+) unchanged, (\d+) removed, (\d+) skipped: (\d+) chunks "
    r"in [\d.]+ s\.$",
    re.MULTILINE,
)
REPLY_KEYS = {"answer", "citations", "abstained", "standalone_question", "notice", "support"}


def command() -> list[str]:
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


CHAT_LINES = [
    "Does Japan take part in OOD?",
    "What about Canada?",
    "<script>alert(1)</script>",
    "Does\x07 Norway \u202etake part in OOD? 🚀",
    "/clear",
    "What about Canada?",
    "",
]


class Cli:
    def __init__(self, corpus: Path, data: Path, cwd: Path) -> None:
        self.corpus, self.data, self.cwd = corpus, data, cwd

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(
            ASSISTANT_CORPUS_DIR=str(self.corpus),
            ASSISTANT_DATA_DIR=str(self.data),
            HF_HUB_OFFLINE="1",
            PYTHONIOENCODING="utf-8",
        )
        return env

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env(),
            cwd=self.cwd,
            timeout=300,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        assert "Traceback" not in result.stdout, result.stdout
        return result


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Cli:
    base = tmp_path_factory.mktemp("cli")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(repo_root / "corpus" / GAO, corpus / GAO)
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02 binary")
    return Cli(corpus, base / "data", base)


@pytest.fixture(scope="module")
def ingested(cli: Cli) -> tuple[int, str, str]:
    """`assistant ingest` run in this process (the model is already loaded by the session), output captured."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_CORPUS_DIR", str(cli.corpus))
        mp.setenv("ASSISTANT_DATA_DIR", str(cli.data))
        mp.chdir(cli.cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["ingest"])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ood_row(repo_root: Path) -> tuple[list[str], list[str]]:
    doc = load_document(repo_root / "corpus" / GAO)
    (table,) = [b.table for b in doc.blocks if b.table is not None and b.kind == "table"]
    row = next(r for r in table.rows if "OOD" in r.label)
    return table.columns, row.cells


def test_ingest_prints_a_summary_and_warns_about_skipped_files(cli: Cli, ingested: tuple[int, str, str]) -> None:
    code, out, err = ingested
    assert code == 0, err
    match = SUMMARY.search(out)
    assert match, out
    indexed, unchanged, removed, skipped, chunks = map(int, match.groups())
    assert (indexed, unchanged, removed, skipped) == (1, 0, 0, 1) and chunks > 0
    assert "broken.txt" in err and "skipped" in err
    assert GAO in out  # the document list
    assert cli.data.is_dir() and not (cli.cwd / ".data").exists()


def test_ask_json_is_the_reply_dict(
    cli: Cli, ingested: tuple[int, str, str], ood_row: tuple[list[str], list[str]]
) -> None:
    columns, cells = ood_row
    result = cli.run("ask", "Does", "Japan", "take part in OOD?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == REPLY_KEYS
    assert data["standalone_question"] == "Does Japan take part in OOD?"
    assert data["answer"].startswith(cells[columns.index("Japan")])
    assert data["citations"] and all(set(c) == {f.name for f in fields(Citation)} for c in data["citations"])
    source = (cli.corpus / GAO).read_text(encoding="utf-8")
    for c in data["citations"]:
        assert source[c["char_start"] : c["char_end"]] == c["quote"]


def test_search_json_returns_k_hits(cli: Cli, ingested: tuple[int, str, str]) -> None:
    result = cli.run("search", "personnel exchanges with partners", "-k", "3", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert {"text", "score", "chunk_id", "source", "section", "kind", "char_start", "char_end"} <= set(hit)
        assert hit["source"] == GAO and "table_json" not in hit


def _answer(turn: str) -> str:
    """The answer printed for one chat turn, without the "(read as: ...)" line."""
    return re.sub(r"^\(read as: .*\)\n", "", turn.strip())


def test_chat_keeps_history_and_survives_bad_input(
    cli: Cli, ingested: tuple[int, str, str], ood_row: tuple[list[str], list[str]]
) -> None:
    columns, cells = ood_row
    result = cli.run("chat", stdin="\n".join(CHAT_LINES) + "\n")
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("\n> ")[1:]
    assert len(turns) == len(CHAT_LINES)  # the empty line ends the chat
    assert _answer(turns[0]).startswith(cells[columns.index("Japan")])
    assert "(read as: Does Canada take part in OOD?)" in turns[1]
    assert _answer(turns[1]).startswith(cells[columns.index("Canada")])
    assert re.search(r"^\s+\[1\] " + re.escape(GAO), turns[1], re.MULTILINE), "citations are listed"
    assert _answer(turns[2]).startswith(NOT_IN_REPORT) and "<script" not in _answer(turns[2])
    assert _answer(turns[3]).startswith(cells[columns.index("Norway")])
    assert "read as" not in turns[5], "/clear forgets the history"


def test_ask_bad_questions_exit_cleanly(cli: Cli) -> None:
    empty = cli.run("ask", "   ")
    assert empty.returncode == 0 and "ask a question" in empty.stdout.lower()


def test_ingest_exit_code_is_non_zero_only_when_nothing_is_indexed(
    make_corpus: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    bad = make_corpus({"empty.txt": b"", "binary.txt": b"\x00\x01"}, name="bad")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(bad))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "bad-data"))
    assert main(["ingest"]) == 1
    out, err = capsys.readouterr()
    assert SUMMARY.search(out), out
    assert "empty.txt" in err and "binary.txt" in err and "nothing could be indexed" in err

    mixed = make_corpus({"empty.txt": b"", "ok.txt": "# Tide Gauges\n\nThe harbor has four tide gauges.\n"}, "mixed")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(mixed))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "mixed-data"))
    assert main(["ingest"]) == 0
    out, err = capsys.readouterr()
    match = SUMMARY.search(out)
    assert match and match.group(1) == "1" and match.group(4) == "1", out
    assert "empty.txt" in err

    assert main(["ingest"]) == 0  # unchanged: still fine
    match = SUMMARY.search(capsys.readouterr().out)
    assert match and match.group(1) == "0" and match.group(2) == "1"
