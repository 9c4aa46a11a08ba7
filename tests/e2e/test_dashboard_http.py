"""The dashboard's HTTP side against a simulator, without a browser: who gets in (token form,
one-time tickets, sessions), that the API's own authentication is untouched, the proxy's
CSRF, host and path rules, the headers on every page, and YAML in and out."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from backends.simulator.dashboard import pages
from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import run_pykctl
from tests.e2e.dashboard_support import (
    api_session,
    fake_daemon_state,
    ticket_path,
)

pytestmark = pytest.mark.e2e

MARK = {"X-Pykctl-Dashboard": "1"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[RunningSimulator]:
    with tempfile.TemporaryDirectory(prefix="pykctl-dashboard-http-") as directory:
        running = start_simulator(Path(directory), nodes=0)
        try:
            yield running
        finally:
            running.stop()


def browser_session(cluster: RunningSimulator) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(cluster.ca_file)
    return session


@pytest.fixture
def logged_in(cluster: RunningSimulator) -> requests.Session:
    session = browser_session(cluster)
    response = session.get(cluster.url + ticket_path(cluster), allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"] == "/ui/"
    return session


def test_without_a_session_there_is_only_the_login_page(cluster: RunningSimulator) -> None:
    session = browser_session(cluster)
    page = session.get(cluster.url + "/ui/", allow_redirects=False)
    assert (page.status_code, page.headers["Location"]) == (303, "/ui/login")
    assert session.get(cluster.url + "/ui/api/api/v1/pods", headers=MARK).status_code == 401
    assert (
        session.get(cluster.url + "/ui/yaml/api/v1/namespaces/default", headers=MARK).status_code
        == 401
    )
    assert session.post(cluster.url + "/ui/manifests", headers=MARK, data="x").status_code == 401
    assert session.get(cluster.url + "/ui/login").status_code == 200
    assert session.get(cluster.url + "/ui/static/js/api.js").status_code == 200


def test_the_token_form(cluster: RunningSimulator) -> None:
    session = browser_session(cluster)
    wrong = session.post(cluster.url + "/ui/login", data={"token": "guess"}, allow_redirects=False)
    assert wrong.status_code == 401 and "not this simulator&#x27;s token" in wrong.text
    assert not session.cookies
    right = session.post(
        cluster.url + "/ui/login", data={"token": cluster.token}, allow_redirects=False
    )
    assert right.status_code == 303
    cookie = right.headers["Set-Cookie"]
    port = cluster.url.rpartition(":")[2]
    assert cookie.startswith(f"pykctl-dashboard-{port}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/ui/"):
        assert attribute in cookie
    assert cluster.token not in cookie
    page = session.get(cluster.url + "/ui/")
    assert (
        page.status_code == 200
        and '<script type="module" src="/ui/static/js/main.js">' in page.text
    )
    assert cluster.token not in page.text


def test_a_cross_origin_login_is_refused(cluster: RunningSimulator) -> None:
    session = browser_session(cluster)
    response = session.post(
        cluster.url + "/ui/login",
        data={"token": cluster.token},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert response.status_code == 403 and not session.cookies


def test_tickets_need_the_token_and_work_once(cluster: RunningSimulator) -> None:
    anonymous = browser_session(cluster)
    assert anonymous.post(cluster.url + "/pykctl/v1/dashboard/tickets").status_code == 401
    path = ticket_path(cluster)
    first, second = browser_session(cluster), browser_session(cluster)
    assert first.get(cluster.url + path, allow_redirects=False).status_code == 303
    spent = second.get(cluster.url + path, allow_redirects=False)
    assert spent.status_code == 401 and "expired or was already used" in spent.text
    assert not second.cookies


def test_the_api_still_wants_its_token(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    assert logged_in.get(cluster.url + "/api/v1/namespaces").status_code == 401
    assert logged_in.get(cluster.url + "/ui/api/api/v1/namespaces", headers=MARK).status_code == 200


def test_the_proxy_refuses_what_a_foreign_page_could_send(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    url = cluster.url + "/ui/api/api/v1/namespaces"
    assert logged_in.get(url).json() == {"message": "missing the X-Pykctl-Dashboard header"}
    foreign = logged_in.post(url, headers={**MARK, "Origin": "https://evil.example"}, json={})
    assert foreign.status_code == 403
    site = logged_in.get(url, headers={**MARK, "Sec-Fetch-Site": "cross-site"})
    assert site.status_code == 403
    rebinding = logged_in.get(
        url, headers={**MARK, "Host": f"evil.example:{cluster.url.rpartition(':')[2]}"}
    )
    assert rebinding.status_code == 421


def test_the_proxy_serves_only_the_api_with_its_own_credentials(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    tickets = logged_in.post(cluster.url + "/ui/api/pykctl/v1/dashboard/tickets", headers=MARK)
    assert tickets.status_code == 404
    # whatever Authorization the page sends is replaced by the server's
    namespaces = logged_in.get(
        cluster.url + "/ui/api/api/v1/namespaces?limit=1",
        headers={**MARK, "Authorization": "Bearer wrong"},
    )
    assert namespaces.status_code == 200 and len(namespaces.json()["items"]) == 1
    missing = logged_in.get(
        cluster.url + "/ui/api/api/v1/namespaces/default/pods/nope", headers=MARK
    )
    assert missing.status_code == 404 and missing.json()["message"] == 'pods "nope" not found'


def test_every_page_carries_the_security_headers(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    for path in ("/ui/", "/ui/login", "/ui/static/app.css", "/ui/static/nope.js", "/ui/api/api/v1"):
        response = logged_in.get(cluster.url + path, headers=MARK)
        for name, value in pages.SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)


def test_server_side_apply_with_a_dry_run_first(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n"
    placed = logged_in.post(
        cluster.url + "/ui/manifests?namespace=default", headers=MARK, data=text
    )
    [item] = placed.json()["items"]
    assert (item["ref"], item["path"]) == (
        "configmap/settings",
        "/api/v1/namespaces/default/configmaps/settings",
    )
    apply = {**MARK, "Content-Type": "application/apply-patch+yaml"}
    url = f"{cluster.url}/ui/api{item['path']}?fieldManager=pykctl-dashboard"
    dry = logged_in.patch(url + "&dryRun=All", headers=apply, json=item["object"])
    assert dry.status_code == 201, dry.text
    api = api_session(cluster)
    assert api.get(cluster.url + item["path"]).status_code == 404
    assert logged_in.patch(url, headers=apply, json=item["object"]).status_code == 201
    live = api.get(cluster.url + item["path"]).json()
    assert [m["manager"] for m in live["metadata"]["managedFields"]] == ["pykctl-dashboard"]
    yaml_text = logged_in.get(f"{cluster.url}/ui/yaml{item['path']}", headers=MARK)
    assert yaml_text.headers["Content-Type"].startswith("text/yaml")
    assert "data:\n  mode: blue\nkind: ConfigMap\n" in yaml_text.text
    assert "managedFields" not in yaml_text.text


def test_bad_manifests_get_a_message(
    cluster: RunningSimulator, logged_in: requests.Session
) -> None:
    answer = logged_in.post(cluster.url + "/ui/manifests", headers=MARK, data="kind: Pod\n")
    assert answer.status_code == 400
    assert answer.json() == {"message": "error validating data: apiVersion not set"}


def test_logout_ends_the_session(cluster: RunningSimulator, logged_in: requests.Session) -> None:
    cookies = dict(logged_in.cookies)
    assert logged_in.post(cluster.url + "/ui/logout", headers=MARK).status_code == 204
    again = browser_session(cluster)
    again.cookies.update(cookies)
    assert again.get(cluster.url + "/ui/api/api/v1/namespaces", headers=MARK).status_code == 401


def test_sim_dashboard_prints_or_opens_a_one_time_link(
    cluster: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYKCTL_HOME", str(fake_daemon_state(cluster, tmp_path)))
    printed = run_pykctl(["sim", "dashboard", "--print-url"])
    assert (printed.code, printed.stderr) == (0, "")
    url = printed.stdout.strip()
    assert url.startswith(f"{cluster.url}/ui/login?ticket=") and cluster.token not in url
    opened: list[str] = []

    def open_browser(link: str) -> bool:
        opened.append(link)
        return True

    monkeypatch.setattr("webbrowser.open", open_browser)
    answer = run_pykctl(["sim", "dashboard"])
    assert answer.code == 0 and answer.stdout == ""
    assert answer.stderr == 'Opened the dashboard of simulator "default" in your browser.\n'
    assert len(opened) == 1 and opened[0] != url
    session = browser_session(cluster)
    assert session.get(opened[0], allow_redirects=False).status_code == 303
    assert session.get(url, allow_redirects=False).status_code == 303


def test_sim_dashboard_without_a_browser_says_where_to_go(
    cluster: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYKCTL_HOME", str(fake_daemon_state(cluster, tmp_path)))
    monkeypatch.setattr("webbrowser.open", lambda link: False)
    answer = run_pykctl(["sim", "dashboard"])
    assert answer.code == 1 and answer.stdout == ""
    assert answer.stderr.startswith(
        f"error: no browser could be opened; open this link (valid once, for a minute): {cluster.url}/ui/login?ticket="
    )


def test_sim_dashboard_help_and_bad_usage() -> None:
    helped = run_pykctl(["sim", "dashboard", "--help"])
    assert helped.code == 0
    assert helped.stdout.startswith(
        "Open the simulator's web dashboard in a browser, logged in by a one-time link (pykctl only).\n"
    )
    assert (
        "--print-url=false:\n\tPrint the one-time link instead of opening a browser"
        in helped.stdout
    )
    listed = run_pykctl(["sim", "--help"])
    assert "  dashboard     Open the simulator's web dashboard in a browser" in listed.stdout
    bad = run_pykctl(["sim", "dashboard", "--name", "../x", "--print-url"])
    assert bad.code == 1 and bad.stderr.startswith('error: invalid simulator name "../x"')
