"""A real server (uvicorn on a free port, SQLite) and Debian's Chromium driven by Playwright.

The browser must start: when it cannot, the tests fail (they never skip), since a UI that
no test looked at is not known to work. Screenshots of every page, wide (1280×800) and
narrow (390 px), go to `test-artifacts/`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from evsenet.api import create_app
from evsenet.services.schema import prepare_schema
from evsenet.store.engine import Store
from tests.served_process import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"
SERIOUS = {"serious", "critical"}


@dataclass(frozen=True)
class Server:
    url: str
    store: Store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """evsenet on a fresh SQLite file; each test registers its own operators and users."""
    path = tmp_path_factory.mktemp("e2e") / "evsenet.sqlite"
    store = Store(f"sqlite:///{path}")
    prepare_schema(store, create_if_empty=True)
    port = free_port()
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the evsenet server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", store)
    running.should_exit = True
    thread.join(timeout=10)
    store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless. Fails, never skips, when it cannot start."""
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as error:
        playwright.stop()
        pytest.fail(
            f"Chromium did not start ({CHROMIUM}; `apt-get install -y chromium`): {error}",
            pytrace=False,
        )
    yield launched
    launched.close()
    playwright.stop()


def _context(browser: Browser, server: Server, viewport: dict[str, int]) -> BrowserContext:
    context = browser.new_context(viewport=viewport, base_url=server.url)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def wide(browser: Browser, server: Server) -> Iterator[Page]:
    context = _context(browser, server, WIDE)
    yield context.new_page()
    context.close()


@pytest.fixture
def narrow(browser: Browser, server: Server) -> Iterator[Page]:
    context = _context(browser, server, NARROW)
    yield context.new_page()
    context.close()


def sign_in(page: Page, email: str, next_path: str = "/networks") -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"/sign-in?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}*")


_axe = Axe()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    results = _axe.run(page)
    violations = results.response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v.get("impact") in SERIOUS
    ]


def check_page(page: Page, name: str) -> None:
    """Save a screenshot, refuse horizontal page scroll, and run axe on the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    suffix = "narrow" if width < 600 else "wide"
    page.screenshot(path=ARTIFACTS / f"{name}-{suffix}.png", full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: the page scrolls sideways ({scroll} px > {width} px)"
    found = serious_violations(page)
    assert not found, f"{name}: axe found serious accessibility violations: {found}"
