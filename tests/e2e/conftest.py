"""One real server for the whole e2e suite: ``python -m ui`` with the real Assistant on a free loopback port.

The corpus is a temp copy of the GAO report plus an HTML-injection fixture and a small made-up PDF report
(``tests/fixtures/report_pdf.py``); the index and feedback log live in a temp data dir, and the server's temp
dir (``TMPDIR``) is a folder of its own. ``launch`` starts further servers (other corpus, other settings) for
the tests that need them. Browser tests drive Debian's Chromium through Python Playwright (no browser download).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = ROOT / "test-output" / "e2e"
CHROMIUM = os.environ.get("ASSISTANT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 240

# Our own fixture (not from any real report): every paragraph carries a payload that must render as text.
INJECTION_DOC = """# Zebra Crossing Paint Audit

Report ZX-01-2025, June 2025.

## Findings

The zebra crossing paint audit found that 17 crossings were repainted in 2024 \
<script>window.__xssRan = "script"; alert("script")</script> across the district.

Inspectors noted that zebra crossing paint faded within 9 months \
<img src=x onerror="window.__xssRan = 'img'; alert('img')"> on busy roads.

The district keeps the [zebra crossing repaint schedule](javascript:window.__xssRan='link';alert('link')) \
for every crossing.
"""


def build_report_pdf(path: Path) -> Path:
    """The made-up PDF report of ``tests/fixtures/report_pdf.py`` (a fixture module, not a package)."""
    spec = importlib.util.spec_from_file_location("report_pdf_fixture", ROOT / "tests" / "fixtures" / "report_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.build_report_pdf(path))


@dataclass
class Server:
    url: str
    data_dir: Path
    corpus_dir: Path
    log_path: Path
    tmp_dir: Path | None = None

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(
    url: str, process: subprocess.Popen, log_path: Path, timeout: float, auth: tuple[str, str] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2, auth=auth).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{log_path.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def launch(
    base: Path, corpus_files: dict[str, str | Path], extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run ``python -m ui`` over a fresh corpus (name -> text or a file to copy) in ``base``, until the block ends.

    The server gets its own temp dir (``TMPDIR``, hence Gradio's cache too) beside its data dir, so a test
    can list everything it writes.
    """
    corpus, data, tmp = base / "corpus", base / "data", base / "tmp"
    for folder in (corpus, tmp):
        folder.mkdir()
    for name, content in corpus_files.items():
        if isinstance(content, Path):
            shutil.copy(content, corpus / name)
        else:
            (corpus / name).write_text(content, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")} | {
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_DATA_DIR": str(data),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "TMPDIR": str(tmp),
    }
    env.pop("GRADIO_TEMP_DIR", None)
    env |= extra_env or {}
    log_path = base / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        first_login = env.get("ASSISTANT_AUTH", "").split(",")[0].partition(":")
        auth = (first_login[0], first_login[2]) if first_login[2] else None
        wait_until_healthy(url, process, log_path, STARTUP_TIMEOUT, auth)
        yield Server(url=url, data_dir=data, corpus_dir=corpus, log_path=log_path, tmp_dir=tmp)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pdf = build_report_pdf(tmp_path_factory.mktemp("fixtures") / "lunar-relay.pdf")
    files: dict[str, str | Path] = {"GAO-25-108043.txt": ROOT / "corpus" / "GAO-25-108043.txt", "lunar-relay.pdf": pdf}
    with launch(tmp_path_factory.mktemp("e2e"), files | {"zebra-audit.md": INJECTION_DOC}) as running:
        yield running


@pytest.fixture(scope="session")
def launch_server() -> object:
    """``launch`` for tests that need a server of their own (test modules cannot import conftest)."""
    return launch


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, which
# would break the async tests that run later in the same session.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def sized_page(browser, request) -> Iterator[object]:
    """A page at desktop (1400x900) and at phone size (390x844); ``page.viewport_name`` says which."""
    phone = request.param is PHONE
    context = browser.new_context(viewport=request.param, accept_downloads=True, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.viewport_name = "phone" if phone else "desktop"
    yield page
    context.close()
