"""Swagger UI at /api/docs in a real browser: headless Chromium (Debian's chromium and
chromium-driver, installed by `make chromium`, which `make test` runs) opens the local stack's
docs page, waits for the operations to render, checks that every API route of template.yaml is
listed, runs "Try it out" on GET /health, and saves a full-page screenshot under test-output/.

The machine has no internet: the page must load everything from the API itself. It is opened
twice, directly and behind a stage prefix (`/v1`, as API Gateway serves it, emulated by a small
proxy that strips the prefix), which catches absolute asset paths and a wrong `servers` URL.
"""

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.contract_access import api_routes
from warehouse_devstack.template import REPO_ROOT, Template

OUTPUT_DIR = REPO_ROOT / "test-output"  # git-ignored
STAGE = "v1"
RENDER_TIMEOUT_SECONDS = 60
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]
DOCS_ASSET_ROUTE = ("GET", "/api/docs/{asset}")  # the page's own files, not operations
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive", "host"}


def executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make chromium` (Debian's chromium packages)")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = executable("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver and browser: Selenium Manager never tries to download either.
    driver = webdriver.Chrome(options=options, service=Service(executable("chromedriver")))
    yield driver
    driver.quit()


class StageProxy(BaseHTTPRequestHandler):
    """/<stage>/<path> -> the local stack's /<path>, as API Gateway maps a stage; else 403."""

    upstream = ""

    def forward(self) -> None:
        prefix = f"/{STAGE}/"
        if not self.path.startswith(prefix):
            self.answer(403, [("content-type", "application/json")], b'{"message":"Forbidden"}')
            return
        length = int(self.headers.get("content-length") or 0)
        response = httpx.request(
            self.command,
            self.upstream + self.path[len(prefix) - 1 :],
            headers=[(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP],
            content=self.rfile.read(length) if length else None,
            timeout=30,
        )
        headers = [(k, v) for k, v in response.headers.multi_items() if k not in HOP_BY_HOP]
        self.answer(response.status_code, headers, response.content)

    def answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() != "content-encoding":  # httpx has decoded the body
                self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # the page only reads: its files, the document, GET /health
        self.forward()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows the stack's own log on failure."""


@pytest.fixture(scope="module")
def stage_url(base_url: str) -> Iterator[str]:
    handler = type("Proxy", (StageProxy,), {"upstream": base_url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{STAGE}"
    server.shutdown()
    server.server_close()


def documented_routes(template: Template) -> set[tuple[str, str]]:
    """Every route of template.yaml but CORS preflights and the docs page's asset route."""
    return {
        (route.method, route.path)
        for route in api_routes(template)
        if (route.method, route.path) != DOCS_ASSET_ROUTE
    }


def rendered_operations(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, ".opblock")


def listed_routes(driver: WebDriver) -> set[tuple[str, str]]:
    routes = set()
    for operation in rendered_operations(driver):
        method = operation.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text
        path = operation.find_element(By.CSS_SELECTOR, ".opblock-summary-path")
        routes.add((method.strip().upper(), str(path.get_attribute("data-path"))))
    return routes


def try_it_out(driver: WebDriver, path: str) -> tuple[str, str]:
    """Expand the operation, "Try it out", "Execute": (status shown, request URL shown)."""
    selector = f".opblock-summary-path[data-path='{path}']"
    operation = driver.find_element(By.CSS_SELECTOR, selector).find_element(
        By.XPATH, "ancestor::div[contains(@class, 'opblock ')]"
    )
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait = WebDriverWait(driver, RENDER_TIMEOUT_SECONDS)
    wait.until(lambda _: operation.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
    operation.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    wait.until(lambda _: operation.find_elements(By.CSS_SELECTOR, ".btn.execute"))
    operation.find_element(By.CSS_SELECTOR, ".btn.execute").click()
    status_cell = ".live-responses-table tr.response .response-col_status"
    wait.until(lambda _: operation.find_elements(By.CSS_SELECTOR, status_cell))
    status = operation.find_element(By.CSS_SELECTOR, status_cell).text.strip()
    request_url = operation.find_element(By.CSS_SELECTOR, ".request-url pre").text.strip()
    return status, request_url


def console_errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The console's SEVERE entries: failed loads (a 404 asset, say) and uncaught errors."""
    entries: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [entry for entry in entries if entry["level"] == "SEVERE"]


def save_full_page(driver: WebDriver, name: str) -> Path:
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1400, min(max(height, 1000), 10_000))
    OUTPUT_DIR.mkdir(exist_ok=True)
    target = OUTPUT_DIR / name
    assert driver.save_screenshot(str(target))
    return target


@pytest.mark.parametrize(
    ("where", "screenshot"), [("local", "docs.png"), ("stage", f"docs-stage-{STAGE}.png")]
)
def test_swagger_ui_lists_every_route_and_calls_the_api_offline(
    browser: webdriver.Chrome,
    base_url: str,
    stage_url: str,
    template: Template,
    where: str,
    screenshot: str,
) -> None:
    root = base_url if where == "local" else stage_url
    expected = documented_routes(template)
    assert len(expected) > 10  # the template's routes were found

    browser.set_window_size(1400, 1000)
    browser.get(f"{root}/api/docs")
    WebDriverWait(browser, RENDER_TIMEOUT_SECONDS).until(
        lambda driver: len(rendered_operations(driver)) >= len(expected)
    )
    assert listed_routes(browser) == expected

    # Everything the page loaded came from the API itself: its assets and the document.
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert f"{root}/api/docs/swagger-ui-bundle.js" in loaded
    assert f"{root}/api/docs/swagger-ui.css" in loaded
    assert f"{root}/api/openapi.json" in loaded
    assert all(url.startswith(f"{root}/api/") for url in loaded), loaded

    assert save_full_page(browser, screenshot).stat().st_size > 10_000  # every operation

    # "Try it out" calls the stage that served the page (the document's relative server).
    status, request_url = try_it_out(browser, "/health")
    assert (status, request_url) == ("200", f"{root}/health")

    assert console_errors(browser) == []
