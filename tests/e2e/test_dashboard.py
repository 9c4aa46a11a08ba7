"""The dashboard in headless Chromium (Selenium) against a simulator: log in with the token and
with a one-time link from ``pykctl sim dashboard --print-url``, see kuard turn Ready, watch a
ReplicaSet replace a pod deleted from the dashboard, read its log, apply a Service from YAML
(server dry run first) and follow its link to kuard's page, scale a Deployment. Screenshots of
the main views are taken in every run and kept in $PYKCTL_SCREENSHOTS when it is set (to refresh
the README's: ``PYKCTL_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_dashboard.py``). Skipped when chromium, chromedriver or selenium is
missing (CI installs Debian's chromium and chromium-driver)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import run_pykctl
from tests.e2e.dashboard_support import (
    api_session,
    create,
    create_in_process,
    fake_daemon_state,
    pod,
    ticket_path,
    workload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SERVICE_YAML = """\
apiVersion: v1
kind: Service
metadata:
  name: kuard-web
spec:
  selector:
    app: kuard
  ports:
  - port: 80
    targetPort: 8080
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[RunningSimulator]:
    with tempfile.TemporaryDirectory(prefix="pykctl-dashboard-") as directory:
        running = start_simulator(Path(directory))
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ):
        options.add_argument(argument)
    options.accept_insecure_certs = True  # the simulator's own CA
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to catch script errors
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def until(browser: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 30) -> Any:
    """Wait for ``condition`` (elements may be redrawn under us: retry on stale ones)."""

    def check(driver: WebDriver) -> Any:
        try:
            return condition(driver)
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    return WebDriverWait(browser, timeout).until(check)


def cell(browser: WebDriver, name: str, column: str) -> str:
    row = browser.find_element(By.CSS_SELECTOR, f'table.objects tr[data-name="{name}"]')
    text: str = row.find_element(By.CSS_SELECTOR, f'td[data-column="{column}"]').text
    return text


def names(browser: WebDriver) -> set[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "table.objects tbody tr")
    return {row.get_attribute("data-name") or "" for row in rows}


def go(browser: WebDriver, cluster: RunningSimulator, route: str) -> None:
    browser.get(f"{cluster.url}/ui/#{route}")
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#main h1"))


def console(browser: WebDriver) -> list[str]:
    """The browser console's lines since the last call."""
    entries = browser.get_log("browser")  # type: ignore[no-untyped-call]
    return [str(entry["message"]) for entry in entries]


def screenshot(browser: WebDriver, name: str) -> None:
    """Take a screenshot of the page (it must render); keep it where PYKCTL_SCREENSHOTS says."""
    image = browser.get_screenshot_as_png()
    assert image.startswith(b"\x89PNG")
    keep = os.environ.get("PYKCTL_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{name}.png").write_bytes(image)


def test_the_login_page_takes_the_token(browser: WebDriver, cluster: RunningSimulator) -> None:
    browser.get(f"{cluster.url}/ui/")
    assert browser.current_url.endswith("/ui/login")
    screenshot(browser, "login")
    browser.find_element(By.ID, "token").send_keys("not-the-token")
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    until(
        browser,
        lambda d: "not this simulator's token" in d.find_element(By.CLASS_NAME, "notice").text,
    )
    browser.find_element(By.ID, "token").send_keys(cluster.token)
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#main h1").text.startswith("Pods"))
    cookies = browser.get_cookies()
    assert [(c["httpOnly"], c["secure"], c["sameSite"]) for c in cookies] == [
        (True, True, "Strict")
    ]
    assert cluster.token not in json.dumps(cookies) + browser.page_source
    browser.find_element(By.ID, "logout").click()
    until(browser, lambda d: d.current_url.endswith("/ui/login"))
    browser.get(f"{cluster.url}/ui/")
    assert browser.current_url.endswith("/ui/login")


def test_a_one_time_link_from_sim_dashboard_logs_in_once(
    browser: WebDriver, cluster: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYKCTL_HOME", str(fake_daemon_state(cluster, tmp_path)))
    printed = run_pykctl(["sim", "dashboard", "--print-url"])
    assert printed.code == 0, printed.stderr
    url = printed.stdout.strip()
    assert url.startswith(f"{cluster.url}/ui/login?ticket=") and cluster.token not in url
    browser.get(url)
    until(browser, lambda d: d.current_url.endswith("/ui/#") or d.current_url.endswith("/ui/"))
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#main h1").text.startswith("Pods"))
    browser.delete_all_cookies()
    browser.get(url)  # spent
    assert "expired or was already used" in browser.find_element(By.CLASS_NAME, "notice").text
    browser.get(f"{cluster.url}{ticket_path(cluster)}")  # stay logged in for what follows
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#main h1"))


def test_kuard_turns_ready_live_and_its_log_streams(
    browser: WebDriver, cluster: RunningSimulator
) -> None:
    go(browser, cluster, "kind=pods&ns=default")
    until(
        browser,
        lambda d: (
            "No pods found in default namespace." in d.find_element(By.CLASS_NAME, "status").text
        ),
    )
    create(cluster, "/api/v1/namespaces/default/pods", pod("kuard"))
    until(
        browser,
        lambda d: cell(d, "kuard", "Ready") == "1/1" and cell(d, "kuard", "Status") == "Running",
    )
    assert cell(browser, "kuard", "Probes") == "kuard: readiness ✓"
    assert cell(browser, "kuard", "IP").startswith("127.")
    screenshot(browser, "pods")
    browser.find_element(By.LINK_TEXT, "kuard").click()
    until(
        browser,
        lambda d: (
            "Running since" in d.find_element(By.CSS_SELECTOR, '[data-container="kuard"]').text
        ),
    )
    port_link = browser.find_element(By.CSS_SELECTOR, '[data-container="kuard"] a.external')
    assert port_link.get_attribute("href") == f"http://{cell_ip(cluster)}:8080/"
    screenshot(browser, "pod-describe")
    browser.find_element(By.CSS_SELECTOR, 'nav.tabs a[data-tab="logs"]').click()
    until(
        browser,
        lambda d: (
            "Starting kuard version: v0.10.0-blue"
            in d.find_element(By.CSS_SELECTOR, "pre.log").text
        ),
    )
    screenshot(browser, "pod-logs")
    browser.find_element(By.CSS_SELECTOR, 'nav.tabs a[data-tab="yaml"]').click()
    until(browser, lambda d: "kind: Pod\n" in d.find_element(By.CSS_SELECTOR, "pre.yaml").text)


def cell_ip(cluster: RunningSimulator) -> str:
    ip: str = live(cluster, "/api/v1/namespaces/default/pods/kuard")["status"]["podIP"]
    return ip


def test_a_replicaset_replaces_a_pod_deleted_from_the_dashboard(
    browser: WebDriver, cluster: RunningSimulator
) -> None:
    create(
        cluster, "/apis/apps/v1/namespaces/default/replicasets", workload("ReplicaSet", "web", 2)
    )
    go(browser, cluster, "kind=pods&ns=default&l=app%3Dweb")
    before = until(browser, lambda d: len(names(d)) == 2 and names(d))
    victim = sorted(before)[0]
    browser.find_element(By.LINK_TEXT, victim).click()
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, 'button[name="delete"]'))
    browser.find_element(By.CSS_SELECTOR, 'input[name="grace-period"]').send_keys("0")
    browser.find_element(By.CSS_SELECTOR, 'button[name="delete"]').click()
    browser.switch_to.alert.accept()
    notice = browser.find_element(By.CLASS_NAME, "notice")  # the answer, then the watch's news
    until(browser, lambda d: f'pod "{victim}"' in notice.text and "deleted" in notice.text)
    browser.back()
    until(browser, lambda d: len(names(d)) == 2 and victim not in names(d) and names(d) != before)
    replacement = (names(browser) - before).pop()
    until(browser, lambda d: cell(d, replacement, "Ready") == "1/1")


def test_a_service_applied_from_yaml_links_to_kuard(
    browser: WebDriver, cluster: RunningSimulator
) -> None:
    go(browser, cluster, "create=1&ns=default")
    browser.find_element(By.NAME, "manifest").send_keys(SERVICE_YAML)
    browser.find_element(By.NAME, "dry-run").click()
    until(
        browser,
        lambda d: (
            "service/kuard-web created (server dry run)"
            in d.find_element(By.CLASS_NAME, "answer").text
        ),
    )
    screenshot(browser, "create")
    browser.find_element(By.NAME, "apply").click()
    until(
        browser,
        lambda d: (
            "Applied\nservice/kuard-web created" in d.find_element(By.CLASS_NAME, "answer").text
        ),
    )
    go(browser, cluster, "kind=services&ns=default")
    link = until(
        browser,
        lambda d: d.find_element(
            By.CSS_SELECTOR, 'tr[data-name="kuard-web"] td[data-column="Open"] a'
        ),
    )
    assert link.get_attribute("target") == "_blank" and "noopener" in (
        link.get_attribute("rel") or ""
    )
    screenshot(browser, "services")
    browser.get(link.get_attribute("href") or "")
    until(browser, lambda d: d.title == "KUAR Demo")


def test_scale_a_deployment(browser: WebDriver, cluster: RunningSimulator) -> None:
    create(
        cluster, "/apis/apps/v1/namespaces/default/deployments", workload("Deployment", "shop", 1)
    )
    go(browser, cluster, "kind=deployments&ns=default&name=shop")
    replicas = until(browser, lambda d: d.find_element(By.CSS_SELECTOR, 'input[name="replicas"]'))
    replicas.clear()
    replicas.send_keys("3")
    browser.find_element(By.CSS_SELECTOR, 'button[name="scale"]').click()
    until(
        browser,
        lambda d: "deployment.apps/shop scaled" in d.find_element(By.CLASS_NAME, "notice").text,
    )
    go(browser, cluster, "kind=deployments&ns=default")
    until(browser, lambda d: cell(d, "shop", "Ready") == "3/3", timeout=45)
    screenshot(browser, "deployments")
    go(browser, cluster, "kind=nodes")
    until(browser, lambda d: cell(d, "node-1", "Status") == "Ready" and cell(d, "node-1", "CPU"))
    assert int(cell(browser, "node-1", "Pods")) >= 6  # kuard, web x2, shop x3
    screenshot(browser, "nodes")


def test_edit_yaml_rollout_restart_and_undo(browser: WebDriver, cluster: RunningSimulator) -> None:
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
    create(
        cluster, "/api/v1/namespaces/default/configmaps", {**settings, "data": {"color": "blue"}}
    )
    go(browser, cluster, "kind=configmaps&ns=default&name=settings&tab=edit")
    editor = until(browser, lambda d: d.find_element(By.NAME, "edit"))
    assert "  color: blue\n" in (editor.get_attribute("value") or "")
    browser.execute_script(
        "arguments[0].value = arguments[0].value.replace('blue', 'green')", editor
    )
    browser.find_element(By.NAME, "edit-dry-run").click()
    answer = browser.find_element(By.CSS_SELECTOR, ".edit .answer")
    until(browser, lambda d: answer.text == "configmap/settings edited (server dry run)")
    browser.find_element(By.NAME, "save").click()
    until(browser, lambda d: answer.text == "configmap/settings edited")
    assert live(cluster, "/api/v1/namespaces/default/configmaps/settings")["data"] == {
        "color": "green"
    }

    go(browser, cluster, "kind=deployments&ns=default&name=shop")
    until(browser, lambda d: d.find_element(By.NAME, "restart")).click()
    until(
        browser,
        lambda d: d.find_element(By.CLASS_NAME, "notice").text == "deployment.apps/shop restarted",
    )
    path = "/apis/apps/v1/namespaces/default/deployments/shop"
    template = live(cluster, path)["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    until(
        browser,
        lambda d: (
            live(cluster, path)["metadata"]
            .get("annotations", {})
            .get("deployment.kubernetes.io/revision")
            == "2"
        ),
    )
    browser.find_element(By.NAME, "undo").click()
    until(
        browser,
        lambda d: d.find_element(By.CLASS_NAME, "notice").text == "rolled back to revision 1",
    )
    restored = live(cluster, path)["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" not in (
        restored["metadata"].get("annotations") or {}
    )


def live(cluster: RunningSimulator, path: str) -> dict[str, Any]:
    answer: dict[str, Any] = api_session(cluster).get(cluster.url + path, timeout=30).json()
    return answer


def test_secrets_stay_hidden_until_asked_and_every_view_renders(
    browser: WebDriver, cluster: RunningSimulator
) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}}
    create(
        cluster,
        "/api/v1/namespaces/default/secrets",
        {**secret, "stringData": {"password": "s3cr3t"}},
    )
    go(browser, cluster, "kind=secrets&ns=default&name=db")
    show = until(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".secret-key button"))
    assert "s3cr3t" not in browser.page_source
    show.click()
    assert browser.find_element(By.CSS_SELECTOR, "pre.secret-value").text == "s3cr3t"
    browser.find_element(By.CSS_SELECTOR, 'nav.tabs a[data-tab="yaml"]').click()
    until(
        browser,
        lambda d: "contains the secret" in d.find_element(By.CSS_SELECTOR, ".tab-body button").text,
    )
    console(browser)  # what came before is not this test's
    for kind in (
        "deployments",
        "replicasets",
        "daemonsets",
        "jobs",
        "ingresses",
        "endpoints",
        "configmaps",
        "events",
        "namespaces",
    ):
        go(browser, cluster, f"kind={kind}&ns=")
        until(browser, lambda d: d.find_element(By.CLASS_NAME, "status").text != "Loading…")
    go(browser, cluster, "kind=pods&ns=default")
    selector = browser.find_element(By.ID, "selector")
    selector.send_keys("app in (web")
    browser.find_element(By.CSS_SELECTOR, "#filter button").click()
    until(browser, lambda d: d.find_element(By.CLASS_NAME, "status").text.startswith("Error: "))
    errors = [line for line in console(browser) if "Uncaught" in line]
    assert errors == []


def test_the_pods_page_loads_in_under_a_second_with_1000_pods(
    browser: WebDriver, tmp_path: Path
) -> None:
    running = start_simulator(tmp_path / "big", nodes=0)  # pods stay Pending: no 1,000 processes
    try:
        pods = [pod(f"kuard-{i:04}") for i in range(1000)]
        create_in_process(running, "/api/v1/namespaces/default/pods", pods)
        browser.get(f"{running.url}{ticket_path(running)}")
        until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#main h1"))
        browser.get("about:blank")
        browser.get(f"{running.url}/ui/#kind=pods&ns=default")  # a fresh page load
        until(
            browser,
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.objects tbody tr")) == 1000,
        )
        drawn = browser.execute_script(
            "return performance.getEntriesByName('pykctl-dashboard:list-drawn')"
            ".filter((m) => m.detail === 1000).map((m) => m.startTime)[0]"
        )
        print(f"1,000 pods drawn {drawn:.0f} ms after navigation start")
        assert drawn < 1000
    finally:
        running.stop()
