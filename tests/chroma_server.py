"""Test helpers for the index tests: a real ``chroma run`` server, report-like corpora, CLI subprocesses.

Everything binds to 127.0.0.1 and everything started here is stopped by its owner (a context manager or
:class:`Processes`), also when a test fails.

    with ChromaServer(tmp_path / "chroma") as server:
        settings = Settings(chroma_url=server.url, ...)
        server.stop(); server.start()          # a restart on the same port and data
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """``chroma run --path DIR --host 127.0.0.1 --port P``, started and stopped by the test."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = Path(path)
        self.port = port or free_port()
        self.log = self.path.parent / f"{self.path.name}-server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def heartbeat(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait for its heartbeat (retrying if the port is still held after a stop)."""
        self.path.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        while True:
            with self.log.open("ab") as log:
                self.proc = subprocess.Popen(
                    [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self.heartbeat():
                    return
                time.sleep(0.1)
            if self.proc.poll() is None or time.monotonic() >= deadline:
                self.stop()
                raise RuntimeError(f"chroma did not start on {self.url}:\n{self.log_tail()}")
            time.sleep(0.5)  # exited early (e.g. the port is in TIME_WAIT after a restart): try again

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); a no-op when it is not running."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- subprocesses -------------------------------------------------------------------------------------------------
def cli_env(**settings: str | Path | None) -> dict[str, str]:
    """The environment for a child process: offline model, and ``ASSISTANT_<NAME>`` for each setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env["ANONYMIZED_TELEMETRY"] = "False"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for name, value in settings.items():
        if value is not None:
            env[name if name.isupper() else f"ASSISTANT_{name.upper()}"] = str(value)
    return env


class Child:
    """A child process whose stderr and stdout lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read(self, stream: object, lines: list[str]) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            with self._changed:
                lines.append(raw.decode("utf-8", "replace"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_stdout(self, text: str, timeout: float) -> float:
        return self.wait_for(text, timeout, self.out)

    def wait_for(self, text: str, timeout: float, lines: list[str] | None = None) -> float:
        """Wait until ``text`` appears on stderr (or ``lines``); returns the seconds since start.

        Fails if the child exits first, or after ``timeout`` seconds.
        """
        lines = self.err if lines is None else lines
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(text in line for line in lines):
                if self.proc.poll() is not None and all(not t.is_alive() for t in self._readers):
                    raise AssertionError(f"child exited ({self.proc.returncode}) before {text!r}:\n{self.output}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {text!r} within {timeout} s:\n{self.output}")
                self._changed.wait(min(left, 0.5))
        return time.monotonic() - self.started

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        for t in self._readers:
            t.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    @property
    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)


class Processes:
    """Children of one test, all killed at the end whatever happens."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def start(self, args: list[str], env: dict[str, str], cwd: Path) -> Child:
        child = Child(args, env, cwd)
        self.children.append(child)
        return child

    def cli(self, *args: str, env: dict[str, str], cwd: Path) -> Child:
        return self.start([sys.executable, "-m", "assistant.cli", *args], env, cwd)

    def close(self) -> None:
        for child in self.children:
            with contextlib.suppress(Exception):
                child.kill()


@contextlib.contextmanager
def processes() -> Iterator[Processes]:
    procs = Processes()
    try:
        yield procs
    finally:
        procs.close()


# -- corpus -------------------------------------------------------------------------------------------------------
AGENCIES = [
    "Harbor Safety Bureau",
    "Lighthouse Maintenance Office",
    "Rural Broadband Authority",
    "Wildfire Aviation Service",
    "Bridge Inspection Directorate",
    "Seed Bank Program",
    "Glacier Monitoring Agency",
    "Coastal Dune Commission",
    "Railway Signal Office",
    "Weather Balloon Service",
    "Archive Digitization Office",
    "Tunnel Ventilation Board",
    "Orchard Pest Agency",
    "Canal Lock Directorate",
]
TOPICS = ["dredging", "radio beacons", "fiber splicing", "tanker leases", "cable sensors", "cold storage", "drones"]


def report_text(i: int, revision: int = 1) -> str:
    """An invented GAO-style report about one agency, with numbers a question can ask for."""
    agency = AGENCIES[i % len(AGENCIES)]
    topic = TOPICS[i % len(TOPICS)]
    amount = 10 + 7 * i + (100 * (revision - 1))
    paragraphs = [
        f"**{agency}: Oversight of {topic.title()} Needs Improvement**",
        f"GAO-26-{104000 + i}",
        "March 2026",
        "**What GAO Found**",
        f"In fiscal year 2024 the {agency} spent ${amount} million on {topic}, up from ${amount - 4} million in "
        f"fiscal year 2023. GAO found that the {agency} did not track {topic} costs by region.",
        f"The {agency} employed {40 + i} full-time staff to manage {topic} contracts, and {3 + i % 5} of its "
        f"{8 + i % 4} regional offices lacked written procedures for {topic}.",
        "**Why GAO Did This Study**",
        f"Congress asked GAO to review how the {agency} plans, buys, and oversees {topic}. GAO reviewed agency "
        f"documents from 2019 through 2025 and interviewed officials in {5 + i % 3} regions.",
        "**What GAO Recommends**",
        f"GAO is making {2 + i % 3} recommendations, including that the {agency} track {topic} costs by region "
        f"and issue written procedures. The {agency} concurred with the recommendations.",
        "**Background**",
        f"The {agency} was created in {1950 + i} to support {topic} nationwide. Its headquarters are in the "
        f"city of {['Dover', 'Salem', 'Helena', 'Pierre', 'Augusta', 'Juneau', 'Topeka'][i % 7]}.",
        f"Revision {revision}: figures reflect agency data as of the {['first', 'second', 'third'][revision % 3]} "
        "quarter.",
    ]
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, count: int, revisions: dict[int, int] | None = None) -> Path:
    """``count`` report files in ``folder`` (``report-NN.txt``); ``revisions`` changes some reports' numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("report-*.txt"):
        old.unlink()
    for i in range(count):
        (folder / f"report-{i:02d}.txt").write_text(report_text(i, (revisions or {}).get(i, 1)), encoding="utf-8")
    return folder
