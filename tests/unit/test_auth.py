"""Roles and the lock on writes: the roles file, who may do what, and the store refusing a write the
signed-in person's role does not allow (whatever button a page showed)."""

from __future__ import annotations

import getpass
from dataclasses import replace
from pathlib import Path

import pytest

from carbon import auth
from carbon import factors as fx
from carbon import pathways as pw
from carbon import prescribing as rx
from carbon import scenarios as sc

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "prescribing"
TEMPLATE = "Asthma: preventer and reliever on pMDIs"
ROLES = """
default = "none"
[emails]
"Chief.Pharmacist@NHS.scot" = "admin"
"lead@nhs.scot" = "editor"
[domains]
"nhs.scot" = "viewer"
[groups]
"5b7e4b1c-0d7e-4c3b-9a55-8f0e1f2a3b4c" = "editor"
[app_roles]
"Carbon.Admin" = "admin"
"""


@pytest.fixture
def roles(tmp_path) -> auth.Roles:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES)
    return auth.read_roles(path)


def person(table, **claims) -> auth.Identity:
    return auth.signed_in({"iss": "https://login.example", "sub": "abc", "is_logged_in": True, **claims}, table)


def test_the_highest_matching_role_wins(roles):
    assert person(roles, email="chief.pharmacist@nhs.scot").role == "admin"  # addresses ignore case
    assert person(roles, email="lead@nhs.scot").role == "editor"  # listed, above the domain's viewer
    assert person(roles, email="someone@nhs.scot").role == "viewer"  # by domain
    assert person(roles, email="someone@nhs.scot", groups=["5b7e4b1c-0d7e-4c3b-9a55-8f0e1f2a3b4c"]).role == "editor"
    assert person(roles, email="someone@nhs.scot", roles=["Carbon.Admin"]).role == "admin"
    assert person(roles, email="stranger@example.com").role is None  # default "none": not let in


def test_an_address_the_provider_does_not_vouch_for_gives_no_role(roles):
    assert person(roles, email="chief.pharmacist@nhs.scot", email_verified=False).role is None
    # Entra puts the sign-in name in preferred_username: that is used when there is no email claim
    entra = person(roles, preferred_username="Lead@nhs.scot", name="A. Lead")
    assert entra.role == "editor" and entra.audit == "lead@nhs.scot" and entra.name == "A. Lead"


def test_the_audit_trail_records_the_address_not_the_display_name(roles):
    me = person(roles, email="lead@nhs.scot", name="Chief Pharmacist (verified)")
    assert me.audit == "lead@nhs.scot"
    # no address at all: the issuer and subject, which only the provider can vouch for
    assert person(roles, name="Someone").audit == "https://login.example#abc"


def test_what_each_role_may_do():
    can = {r: [auth.Identity("x", "x", r, "sign-in").can(n) for n in ("view", "edit", "admin")] for r in auth.ROLES}
    assert can == {"viewer": [True, False, False], "editor": [True, True, False], "admin": [True, True, True]}
    assert not auth.ANONYMOUS.can("view")
    local = auth.local_identity()
    assert local.role == "admin" and local.audit == f"{getpass.getuser()} (local account)"


def test_a_bad_roles_file_names_each_problem(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('default = "reader"\n[emails]\n"a@b.c" = "superuser"\n[people]\n"x" = "admin"\n')
    with pytest.raises(auth.RolesFileError) as err:
        auth.read_roles(path)
    text = "\n".join(err.value.lines())
    assert "default: 'reader' is not a role" in text
    assert "[emails] 'a@b.c': 'superuser' is not a role" in text
    assert "unknown key or section 'people'" in text


def test_the_shipped_example_roles_file_is_valid():
    roles = auth.read_roles(ROOT / ".streamlit" / "roles.example.toml")
    assert roles.default is None and roles.emails["chief.pharmacist@nhs.scot"] == "admin"


def test_the_roles_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[emails]\n"a@nhs.scot" = "viewer"\n')
    assert auth.load_roles(path).emails == {"a@nhs.scot": "viewer"}
    path.write_text('[emails]\n"a@nhs.scot" = "editor"\n')
    assert auth.load_roles(path).emails == {"a@nhs.scot": "editor"}
    assert auth.load_roles(tmp_path / "absent.toml") is None


def test_server_mode_is_refused_without_a_working_lock(tmp_path):
    secrets, roles = tmp_path / "secrets.toml", tmp_path / "roles.toml"
    assert "no secrets file" in auth.check_server(secrets, roles)[0]
    secrets.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\ncookie_secret = "short"\n')
    found = "\n".join(auth.check_server(secrets, roles))
    assert "lacks client_id" in found and "shorter than 32" in found and "no roles file" in found
    secrets.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\ncookie_secret = "%s"\n'
                       'client_id = "c"\nclient_secret = "s"\nserver_metadata_url = "https://x/.well-known"\n'
                       % ("k" * 64))
    roles.write_text(ROLES)
    assert auth.check_server(secrets, roles) == []


# -- the store refuses what a role does not allow ---------------------------------------------------
def acting_as(store, who: auth.Identity) -> None:
    """What the app does for a browser session: every write asks the guard first."""
    store.guard = lambda needs: auth.require(who, needs)


VIEWER = auth.Identity("V. Iewer", "viewer@nhs.scot", "viewer", "sign-in", "viewer@nhs.scot")
EDITOR = auth.Identity("E. Ditor", "editor@nhs.scot", "editor", "sign-in", "editor@nhs.scot")
ADMIN = auth.Identity("A. Dmin", "admin@nhs.scot", "admin", "sign-in", "admin@nhs.scot")


def _mine(store, name):
    return replace(pw.load(store, TEMPLATE), name=name, is_template=False, template_id=None)


def test_a_viewer_cannot_write_anything(store):
    before = {t: store.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("pathway", "scenario_version", "factor_override", "rx_import")}
    acting_as(store, VIEWER)
    with pytest.raises(auth.NotAllowed, match="V. Iewer has the viewer role: only an editor or an admin may save"):
        pw.save(store, _mine(store, "Viewer's pathway"), VIEWER.audit)
    with pytest.raises(auth.NotAllowed):
        sc.save(store, sc.load(store, sc.demo_name()), VIEWER.audit)
    with pytest.raises(auth.NotAllowed):
        rx.import_files(store, [DATA / "phs_2024_01.csv"], who=VIEWER.audit)
    with pytest.raises(auth.NotAllowed, match="only an admin may delete or change factors"):
        fx.set_override(store, "rail_national", 0.05, "audit", VIEWER.audit)
    after = {t: store.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
    assert after == before


def test_an_editor_saves_under_their_address_but_cannot_delete_or_override(store):
    acting_as(store, EDITOR)
    pw.save(store, _mine(store, "Ward 7 asthma"), EDITOR.audit)
    assert pw.list_pathways(store).set_index("name").loc["Ward 7 asthma", "updated_by"] == "editor@nhs.scot"
    report = rx.import_files(store, [DATA / "phs_2024_01.csv"], who=EDITOR.audit)
    assert report.rows_kept > 0 and rx.imports(store)["imported_by"].tolist() == ["editor@nhs.scot"]
    with pytest.raises(auth.NotAllowed):
        pw.delete(store, "Ward 7 asthma")
    with pytest.raises(auth.NotAllowed):
        sc.delete(store, sc.demo_name())
    with pytest.raises(auth.NotAllowed):
        fx.set_override(store, "rail_national", 0.05, "audit", EDITOR.audit)
    assert pw.exists(store, "Ward 7 asthma") and sc.exists(store, sc.demo_name())
    assert fx.override_history(store).empty


def test_an_admin_changes_factors_and_deletes(store):
    acting_as(store, ADMIN)
    fx.set_override(store, "rail_national", 0.05, "Scotrail 2025 traction data", ADMIN.audit)
    assert fx.override_history(store)["who"].tolist() == ["admin@nhs.scot"]
    assert fx.revert_override(store, "rail_national", ADMIN.audit)
    assert sc.delete(store, sc.demo_name()) and not sc.exists(store, sc.demo_name())
