"""Server mode end to end: a real OpenID Connect provider (the npm package oidc-provider, run with
Node.js on loopback), the real app with an [auth] section and a roles file, and Chromium signing in
through st.login as a viewer, an editor and an admin, and signing out.

The viewer cannot save; the editor saves a pathway and the audit row names the editor's address; the
admin changes a factor and the override history names the admin. Every request the browser makes is
held to 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from carbon.store import Store
from tests.browser.conftest import (assert_no_exception, free_port, open_app_page, save_pathway_as, serve_app,
                                    wait_for_app)

ROOT = Path(__file__).resolve().parents[2]
OIDC = ROOT / "tests" / "oidc"
PASSWORD = secrets.token_urlsafe(12)
PEOPLE = {
    "viewer@test.nhs.uk": "Vic Viewer",
    "editor@test.nhs.uk": "Eda Editor",
    "admin@test.nhs.uk": "Ada Admin",
}
ROLES = """default = "none"
[emails]
"viewer@test.nhs.uk" = "viewer"
"editor@test.nhs.uk" = "editor"
"admin@test.nhs.uk" = "admin"
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """oidc-provider on a free loopback port, with three accounts and one client (this app)."""
    node = shutil.which("node")
    if node is None or not (OIDC / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the test OIDC provider is not installed: run `make test` (it runs npm ci in tests/oidc)")
    tmp = tmp_path_factory.mktemp("oidc")
    app_port = free_port()
    config = {
        "port": 0,
        "client_id": "carbon-calculator",
        "client_secret": secrets.token_urlsafe(24),
        "redirect_uri": f"http://127.0.0.1:{app_port}/oauth2callback",
        "cookie_key": secrets.token_urlsafe(24),
        "accounts": {email: {"password": PASSWORD, "name": name} for email, name in PEOPLE.items()},
    }
    (tmp / "provider.json").write_text(json.dumps(config))
    log = open(tmp / "provider.log", "w+")
    proc = subprocess.Popen([node, str(OIDC / "provider.mjs"), str(tmp / "provider.json")], cwd=OIDC,
                            stdout=log, stderr=subprocess.STDOUT)
    issuer = None
    deadline = time.time() + 30
    while issuer is None and time.time() < deadline:
        time.sleep(0.1)
        log.seek(0)
        issuer = next((line.split()[-1] for line in log if line.startswith("listening on ")), None)
        if proc.poll() is not None:
            break
    if issuer is None:
        proc.kill()
        log.seek(0)
        pytest.fail("the OIDC provider did not start:\n" + log.read())
    yield {**config, "issuer": issuer, "app_port": app_port}
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def server(provider, tmp_path_factory, seeded_db):
    """The app in server mode: [auth] in its secrets, roles from a file, on the port the provider knows."""
    tmp = tmp_path_factory.mktemp("signin")
    db = tmp / "carbon.duckdb"
    shutil.copy(seeded_db, db)
    (tmp / "roles.toml").write_text(ROLES)
    (tmp / "secrets.toml").write_text(f"""[auth]
redirect_uri = "{provider['redirect_uri']}"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "{provider['client_id']}"
client_secret = "{provider['client_secret']}"
server_metadata_url = "{provider['issuer']}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login" }}
""")
    with serve_app(tmp, db, env={"CARBON_ROLES": str(tmp / "roles.toml")}, port=provider["app_port"]) as app:
        yield app


@pytest.fixture
def page(browser):
    """A fresh browser (no cookies) that may only talk to this machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    p = context.new_page()
    yield p
    context.close()


def sign_in(page, server, email: str) -> None:
    page.goto(server["url"])
    wait_for_app(page)
    page.get_by_text("Sign in with your organisation's account").wait_for(timeout=30_000)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill(email)  # the provider's own form
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server['url']}/**", timeout=30_000)
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_text(PEOPLE[email]).first.wait_for(timeout=30_000)


def sign_out(page, server) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider ends its session too
    page.wait_for_url(f"{server['url']}/**", timeout=30_000)
    wait_for_app(page)
    page.get_by_text("Sign in with your organisation's account").wait_for(timeout=30_000)


def audit(db: Path, sql: str) -> list[tuple]:
    """Read the store beside the running app, giving the file straight back."""
    store = Store(db, wait=30)
    try:
        return store.execute(sql).fetchall()
    finally:
        store.close()


def test_nobody_gets_past_the_door_without_signing_in(server, page):
    page.goto(server["url"])
    wait_for_app(page)
    page.get_by_text("Sign in with your organisation's account").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no pages, no data
    for deep_link in ("Pathways", "Factor_library"):  # a page's own address leads to the door too
        page.goto(f"{server['url']}/{deep_link}")
        wait_for_app(page)
        page.get_by_text("Sign in with your organisation's account").wait_for(timeout=30_000)
        assert "kgCO2e" not in page.inner_text("body")
    assert_no_exception(page)


def test_a_viewer_looks_but_cannot_save(server, page):
    sign_in(page, server, "viewer@test.nhs.uk")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "role: viewer" in sidebar and "viewer@test.nhs.uk" in sidebar
    open_app_page(page, server["url"], "Pathways")
    assert page.get_by_role("button", name="Save", exact=True).is_disabled()
    page.get_by_text("with the viewer role: only an editor or an admin may save or import").first.wait_for()
    open_app_page(page, server["url"], "Factor library")
    assert page.get_by_role("button", name="Save override").is_disabled()
    assert_no_exception(page)
    sign_out(page, server)


def test_an_editor_saves_and_the_audit_row_names_them(server, page):
    sign_in(page, server, "editor@test.nhs.uk")
    open_app_page(page, server["url"], "Pathways")
    save_pathway_as(page, "Editor's asthma clinic")
    assert audit(server["db"], "SELECT created_by, updated_by FROM pathway WHERE name = 'Editor''s asthma clinic'") \
        == [("editor@test.nhs.uk", "editor@test.nhs.uk")]
    open_app_page(page, server["url"], "Factor library")  # an editor does not change factors
    assert page.get_by_role("button", name="Save override").is_disabled()
    page.get_by_text("only an admin may delete or change factors").first.wait_for()
    assert_no_exception(page)
    sign_out(page, server)


def test_an_admin_changes_a_factor_and_signs_out(server, page):
    sign_in(page, server, "admin@test.nhs.uk")
    open_app_page(page, server["url"], "Factor library")
    search = page.get_by_role("textbox", name="Search")
    search.fill("rail_national")
    search.press("Enter")
    wait_for_app(page)
    form = page.locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="Why (source or reason)").fill("Scotrail 2025 traction data")
    value = form.get_by_role("spinbutton")
    value.fill("0.05")
    value.press("Tab")
    page.get_by_role("button", name="Save override").click()
    wait_for_app(page)
    page.get_by_text("Override saved for").first.wait_for(timeout=30_000)
    assert audit(server["db"], "SELECT factor_id, value, who FROM factor_override") == [
        ("rail_national", 0.05, "admin@test.nhs.uk")]
    assert_no_exception(page)
    sign_out(page, server)
    page.goto(server["url"])  # signed out for good: a new visit meets the door again
    wait_for_app(page)
    page.get_by_text("Sign in with your organisation's account").wait_for(timeout=30_000)
