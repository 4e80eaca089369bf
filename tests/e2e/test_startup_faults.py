"""Start-up faults fail fast with a message (finding 10): a second server on the same data dir, a busy port."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT, free_port

pytestmark = pytest.mark.e2e


def run_ui(args: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "ui", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def server_env(server, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return (
        env
        | {
            "ASSISTANT_CORPUS_DIR": str(server.corpus_dir),
            "ASSISTANT_DATA_DIR": str(server.data_dir),
            "HF_HUB_OFFLINE": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
        | overrides
    )


def test_a_second_server_on_the_same_data_dir_fails_fast_and_names_the_first(server):
    code, output, seconds = run_ui(["--port", str(free_port())], server_env(server))
    assert code == 2 and seconds < 30, output
    assert "Another server uses the data dir" in output and "pid " in output and server.url in output
    assert "Serving the chat" not in output and "Traceback" not in output


def test_a_busy_port_fails_before_anything_is_announced(server, tmp_path):
    port = server.url.rsplit(":", 1)[1]
    env = server_env(server, ASSISTANT_DATA_DIR=str(tmp_path / "data"))
    code, output, seconds = run_ui(["--port", port], env)
    assert code == 2 and seconds < 30, output
    assert f"Port {port} on 127.0.0.1 is already in use" in output
    assert "Serving the chat" not in output and "Preparing the index" not in output and "Traceback" not in output


def test_the_server_says_what_protects_it(server):
    assert "Access: no login" in server.log()
