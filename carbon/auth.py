"""Who is using the app and what they may do: identities, roles from a file, and the checks.

Two modes (see README, "Running on a shared server"):

- **Local** (``make run``, listening on 127.0.0.1 only, no ``[auth]`` in the secrets): one person
  at this computer, who acts as the operating-system account running the app, with every right.
  The audit trail records that account (``alice (local account)``); nobody types a name.
- **Server** (``make serve``, ``[auth]`` configured): everyone signs in through Streamlit's
  ``st.login`` (OpenID Connect: Microsoft Entra ID for NHSmail, or any OIDC provider). Their role
  comes from the roles file (``$CARBON_ROLES``, else ``.streamlit/roles.toml``):

  ``viewer`` looks; ``editor`` also saves pathways and scenarios and imports data; ``admin`` also
  deletes and changes factors (overrides). The audit trail records the signed-in email address.

The roles file (TOML; the highest role that matches wins)::

    default = "none"                  # anyone signed in who matches nothing below: "none" or a role
    [emails]
    "chief.pharmacist@nhs.scot" = "admin"
    [domains]
    "nhs.scot" = "viewer"             # every address @nhs.scot
    [groups]                          # the id token's `groups` claim (Entra group object ids)
    "5b7e4b1c-0d7e-4c3b-9a55-8f0e1f2a3b4c" = "editor"
    [app_roles]                       # the id token's `roles` claim (Entra app roles)
    "Carbon.Admin" = "admin"

This module knows no screen: ``carbon.ui`` reads ``st.user`` and passes its claims in, and the
store calls ``require`` (through ``Store.guard``) before every write.
"""

from __future__ import annotations

import getpass
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from carbon.errors import CarbonError, Problem

ROLES = ("viewer", "editor", "admin")
#: What each kind of action needs: the lowest role allowed to do it.
NEEDS = {"view": "viewer", "edit": "editor", "admin": "admin"}
ENV_VAR = "CARBON_ROLES"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_ROLES_PATH = PROJECT_DIR / ".streamlit" / "roles.toml"
_SECTIONS = ("emails", "domains", "groups", "app_roles")
_WHAT = {"view": "use this app", "edit": "save or import", "admin": "delete or change factors"}


class NotAllowed(CarbonError):
    """The person signed in may not do this (their role is too low, or they are not signed in)."""


class RolesFileError(CarbonError):
    headline = "the roles file has problems"


@dataclass(frozen=True)
class Identity:
    """Someone using the app: how pages name them, what the audit trail records, and their role."""

    name: str
    audit: str
    role: str | None  # one of ROLES, or None: not let in
    source: str  # "local", "sign-in" or "anonymous"
    email: str = ""

    def can(self, needs: str) -> bool:
        """Whether this person may do an action needing ``needs`` ("view", "edit" or "admin")."""
        if self.role not in ROLES:
            return False
        return ROLES.index(self.role) >= ROLES.index(NEEDS[needs])

    def describe(self) -> str:
        """One line for the sidebar: who, and what is recorded."""
        if self.source == "local":
            return f"{self.name} (this computer's account)"
        return f"{self.name} ({self.email})" if self.email and self.email != self.name else self.name


ANONYMOUS = Identity("", "", None, "anonymous")


def local_identity() -> Identity:
    """The operating-system account running the app or the command: local single-user mode."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = f"uid {os.getuid()}"
    return Identity(user, f"{user} (local account)", "admin", "local")


def require(identity: Identity, needs: str) -> None:
    """Raise ``NotAllowed`` unless ``identity`` may do an action needing ``needs``."""
    if identity.can(needs):
        return
    if identity.source == "anonymous":
        raise NotAllowed(Problem("", None, "sign in first: only people signed in may " + _WHAT.get(needs, "do this")))
    who = identity.name or identity.audit
    allowed = {"viewer": "people with a role", "editor": "an editor or an admin", "admin": "an admin"}[NEEDS[needs]]
    held = f"has the {identity.role} role" if identity.role else "has no role in the roles file"
    raise NotAllowed(Problem("", None, f"{who} {held}: only {allowed} may {_WHAT.get(needs, 'do this')}",
                             "ask an admin to change your role in the roles file"))


# ---------------------------------------------------------------------------------------------
# The roles file
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Roles:
    """Who gets which role; ``role_for(claims)`` picks the highest that matches."""

    default: str | None = None
    emails: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    app_roles: dict[str, str] = field(default_factory=dict)

    def role_for(self, claims: Mapping) -> str | None:
        found = []
        email = trusted_email(claims)
        if email:
            found.append(self.emails.get(email))
            found.append(self.domains.get(email.rsplit("@", 1)[-1]))
        for g in _as_list(claims.get("groups")):
            found.append(self.groups.get(str(g)))
        for r in _as_list(claims.get("roles")):
            found.append(self.app_roles.get(str(r)))
        found = [r for r in found if r in ROLES]
        if not found:
            return self.default
        return max(found, key=ROLES.index)


def roles_path() -> Path:
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_ROLES_PATH


def read_roles(path: str | Path) -> Roles:
    """Parse a roles file; every unknown role, section or malformed entry is a problem with its place."""
    path = Path(path)
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RolesFileError(Problem(where, None, f"is not valid TOML: {exc}")) from None
    problems: list[Problem] = []

    def role(value, place: str) -> str | None:
        if value == "none":
            return None
        if value not in ROLES:
            problems.append(Problem(where, None, f"{place}: {value!r} is not a role",
                                    "use viewer, editor or admin (or \"none\" for default)"))
            return None
        return value

    default = role(data.get("default", "none"), "default")
    sections = {}
    for name in _SECTIONS:
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            problems.append(Problem(where, None, f"[{name}] must be a table of \"key\" = \"role\" lines"))
            raw = {}
        key = str.lower if name in ("emails", "domains") else str
        sections[name] = {key(str(k)).strip().lstrip("@"): r for k, v in raw.items()
                          if (r := role(v, f"[{name}] {k!r}")) is not None}
    for extra in sorted(set(data) - {"default", *_SECTIONS}):
        problems.append(Problem(where, None, f"unknown key or section {extra!r}",
                                f"use default, {', '.join(f'[{s}]' for s in _SECTIONS)}"))
    if problems:
        raise RolesFileError(problems)
    return Roles(default, **sections)


_roles_cache: dict[str, tuple[float, Roles | None]] = {}
_roles_lock = threading.Lock()


def load_roles(path: str | Path | None = None) -> Roles | None:
    """The roles file, re-read when it changes (so an admin edits it without a restart); None if absent."""
    path = Path(path) if path is not None else roles_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _roles_lock:
        seen = _roles_cache.get(str(path))
        if seen and seen[0] == stamp:
            return seen[1]
    roles = read_roles(path)
    with _roles_lock:
        _roles_cache[str(path)] = (stamp, roles)
    return roles


# ---------------------------------------------------------------------------------------------
# Signed-in people
# ---------------------------------------------------------------------------------------------
def trusted_email(claims: Mapping) -> str:
    """The address the provider vouches for: ``email`` (unless marked unverified), else Entra's
    ``preferred_username`` (the sign-in name, an address in NHSmail), lower-cased; "" if none."""
    email = str(claims.get("email") or "").strip().lower()
    if email and claims.get("email_verified") is not False:
        return email
    name = str(claims.get("preferred_username") or claims.get("upn") or "").strip().lower()
    return name if "@" in name else ""


def signed_in(claims: Mapping, roles: Roles | None) -> Identity:
    """The identity of someone the provider signed in (``claims``: ``st.user``'s id-token claims)."""
    email = trusted_email(claims)
    audit = email or f"{claims.get('iss', '')}#{claims.get('sub', '')}"
    name = str(claims.get("name") or email or claims.get("sub") or "")
    role = roles.role_for(claims) if roles is not None else None
    return Identity(name, audit, role, "sign-in", email)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


# ---------------------------------------------------------------------------------------------
# `python -m carbon.auth check`: is the server mode set up? (`make serve` runs it first)
# ---------------------------------------------------------------------------------------------
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def check_server(secrets: str | Path, roles: str | Path | None = None) -> list[str]:
    """Problems that would leave a network-facing app without a working lock (empty when ready)."""
    secrets = Path(secrets)
    if not secrets.is_file():
        return [f"{secrets}: no secrets file; sign-in needs an [auth] section there (README: Running on a shared "
                "server)"]
    try:
        auth = tomllib.loads(secrets.read_text(encoding="utf-8")).get("auth")
    except tomllib.TOMLDecodeError as exc:
        return [f"{secrets}: not valid TOML: {exc}"]
    if not isinstance(auth, dict):
        return [f"{secrets}: no [auth] section, so nobody would be asked to sign in"]
    out = [f"{secrets}: [auth] lacks {k}" for k in AUTH_KEYS if not auth.get(k)]
    providers = [v for v in auth.values() if isinstance(v, dict) and "client_id" in v] or [auth]
    for p in providers:
        out += [f"{secrets}: [auth] lacks {k}" for k in PROVIDER_KEYS if not p.get(k)]
    if len(str(auth.get("cookie_secret", ""))) < 32:
        out.append(f"{secrets}: cookie_secret is shorter than 32 characters (make one with "
                   "`python -c 'import secrets; print(secrets.token_hex(32))'`)")
    roles = Path(roles) if roles is not None else roles_path()
    if not roles.is_file():
        out.append(f"{roles}: no roles file, so everyone signed in would be refused (see .streamlit/roles.example.toml)")
    else:
        try:
            read_roles(roles)
        except RolesFileError as exc:
            out += [f"{roles}: {p.what}" for p in exc.problems]
    return out


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    if not args or args[0] != "check" or len(args) > 3:
        print("usage: python -m carbon.auth check [SECRETS_FILE [ROLES_FILE]]", file=sys.stderr)
        sys.exit(2)
    found = check_server(args[1] if len(args) > 1 else PROJECT_DIR / ".streamlit" / "secrets.toml",
                         args[2] if len(args) > 2 else None)
    for line in found:
        print(f"carbon: {line}", file=sys.stderr)
    sys.exit(1 if found else 0)
