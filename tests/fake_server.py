"""A real web app server over ``ui.testing.FakeAssistant``, in its own process, for the hardening tests.

The process gets its own temp dir (``TMPDIR``), home and working dir inside ``root``, so a test can check
that nothing was written outside the data dir, and its output goes to a log file a test can search for
tracebacks. It starts in about two seconds (no model).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVE = (
    "import sys, uvicorn; from assistant import Settings; from ui.app import create_app; "
    "from ui.testing import FakeAssistant; "
    "bot = FakeAssistant(delay=float(sys.argv[2])); "
    "uvicorn.run(create_app(bot, Settings()), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class FakeServer:
    url: str
    root: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    baseline: frozenset[Path] = frozenset()

    def files_outside_data_dir(self) -> list[Path]:
        """Files written under the server's root since it started serving, except in its data dir.

        What start-up itself leaves (matplotlib's font cache in the home dir, which importing Gradio
        writes) is the baseline; requests must add nothing beside the data dir.
        """
        return sorted(set(self._files()) - self.baseline)

    def _files(self) -> list[Path]:
        return [
            path
            for path in self.root.rglob("*")
            if path.is_file() and self.data_dir not in path.parents and path != self.log_path
        ]

    def _warm_up(self) -> list[Path]:
        """Load the page once, as a browser does (its load events run, so Gradio imports matplotlib, which
        writes its font cache to the home dir once per machine); returns the files present then."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            if self.auth:
                client.post("/login", data={"username": self.auth[0], "password": self.auth[1]})
            client.get("/")
            event = client.post("/gradio_api/call/documents", json={"data": []})
            if event.status_code == 200:
                client.get(f"/gradio_api/call/documents/{event.json()['event_id']}")
        return self._files()

    def fn_index(self, api_name: str) -> int:
        """The ``fn_index`` of the chat event with this API name (public or private), from ``/config``."""
        with httpx.Client(base_url=self.url) as client:
            if self.auth:
                client.post("/login", data={"username": self.auth[0], "password": self.auth[1]})
            config = client.get("/config").json()
        return next(int(d["id"]) for d in config["dependencies"] if d.get("api_name") == api_name)

    auth: tuple[str, str] | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_fake_server(
    root: Path,
    env: dict[str, str] | None = None,
    delay: float = 0.0,
    auth: tuple[str, str] | None = None,
    timeout: float = 60,
) -> FakeServer:
    """Start the server with ``ASSISTANT_*`` settings from ``env`` (each answer taking ``delay`` s)."""
    for name in ("data", "tmp", "home", "cwd"):
        (root / name).mkdir(parents=True, exist_ok=True)
    port = free_port()
    full_env = (
        {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "GRADIO_"))}
        | {
            "ASSISTANT_DATA_DIR": str(root / "data"),
            "TMPDIR": str(root / "tmp"),
            "HOME": str(root / "home"),
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        }
        | (env or {})
    )
    log_path = root / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port), str(delay)], cwd=root / "cwd", env=full_env, stdout=log, stderr=log
        )
    server = FakeServer(f"http://127.0.0.1:{port}", root, process, log_path)
    server.auth = auth
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fake server exited with {process.returncode}:\n{server.log()[-3000:]}")
        try:
            httpx.get(server.url + "/api/health", timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
            continue
        server.baseline = frozenset(server._warm_up())

        return server
    server.stop()
    raise RuntimeError(f"fake server did not start in {timeout}s:\n{server.log()[-3000:]}")
