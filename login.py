"""Sign-in and roles in the app: Streamlit's OIDC login (`st.login`, `st.user`) and the
`[access]` configuration that says who is an evaluator.

Without a secrets file the app runs in local mode, where the person at the
keyboard is the evaluator. Any other trouble with the secrets (a TOML syntax
error, a file the app cannot read, a half-configured `[auth]`) fails closed: the
app stops on every page with one plain message and nobody gets a role. The core
enforces roles again on every write (`evaluation.access`); this module only
decides who is asking.
"""

from __future__ import annotations

import getpass
import tomllib
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from streamlit import config

from evaluation.access import EVALUATOR, VIEWER, AccessConfig, Actor
from evaluation.text import markdown_literal
from evaluation.words import _

# What st.login needs (Streamlit's authentication docs): in [auth] itself, and for
# each provider either in [auth] (one provider) or in [auth.<name>] (several).
_AUTH_KEYS = ("redirect_uri", "cookie_secret")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def require_valid_secrets() -> None:
    """Stop the page with one plain message when the secrets exist but cannot be used."""
    problem = secrets_problem()
    if problem:
        st.title(_("Partnership evaluation"))
        st.error(_("**The dashboard's sign-in configuration cannot be used.** {problem} "
                   "Nobody can sign in until the person who runs this dashboard fixes it; "
                   "no data is shown meanwhile.").format(problem=markdown_literal(problem)))
        st.stop()


def require_sign_in() -> None:
    """With a login configured, nobody sees data before signing in: stop at the sign-in
    page until they have."""
    require_valid_secrets()
    if auth_configured() and not st.user.is_logged_in:
        _sign_in_page()


def _sign_in_page() -> None:
    """With a login configured, nobody sees data before signing in."""
    st.title(_("Partnership evaluation"))
    st.write(_("This dashboard shows the partnerships' indicators to their steering groups "
               "and evaluators. Sign in with your organisation account to continue."))
    providers = _login_providers(_secrets())
    if not providers:
        st.button(_("Sign in"), type="primary", on_click=st.login)
    for provider in providers:
        shown = provider.replace("_", " ")
        label = _("Sign in") if len(providers) == 1 else _("Sign in with {provider}").format(
            provider=f"{shown[:1].upper()}{shown[1:]}")
        st.button(label, type="primary", on_click=st.login, args=(provider,),
                  key=f"sign_in_{provider}")
    st.stop()


def _login_providers(secrets: Mapping) -> list[str]:
    """The named providers when [auth] lists them (e.g. [auth.microsoft]); [] when the
    [auth] section itself configures the one provider."""
    section = secrets.get("auth", {})
    if "client_id" in section:
        return []
    return [k for k, v in section.items() if hasattr(v, "keys")]


def secrets_problem() -> str | None:
    """None when the secrets are usable or there are none at all (local mode); otherwise
    what is wrong, naming the file."""
    try:
        secrets = _secrets()
    except _Unreadable as e:
        return str(e)
    except _NoSecrets:
        return None
    try:
        AccessConfig.from_mapping(secrets.get("access"))
    except ValueError as e:
        return _("[access] in the secrets: {error}").format(error=e)
    return _auth_problem(secrets.get("auth"))


def auth_configured() -> bool:
    """True when `[auth]` in .streamlit/secrets.toml sets up a login (OIDC). Unusable
    secrets count as configured: the app then fails closed, never into local mode."""
    if secrets_problem():
        return True
    try:
        return "auth" in _secrets()
    except _NoSecrets:
        return False


def current_user() -> Actor:
    """The acting user: a signed-in person with a configured role, or the local evaluator."""
    if secrets_problem():
        return Actor("nobody (the sign-in configuration is broken)", VIEWER)
    if not auth_configured():
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "local user"
        return Actor(name, EVALUATOR, local=True)
    if not st.user.is_logged_in:
        return Actor("not signed in", VIEWER)
    email = st.user.get("email")
    if not email:  # a display name is chosen by the person: never a role
        return Actor(str(st.user.get("name") or "signed-in user"), VIEWER)
    try:
        access = AccessConfig.from_mapping(_secrets().get("access"))
    except ValueError:
        return Actor(str(email), VIEWER)  # a wrong [access] grants nothing
    return Actor(str(email), access.role_of(str(email), st.user.get("email_verified")))


class _NoSecrets(Exception):
    """No secrets file exists anywhere Streamlit looks: local mode."""


class _Unreadable(Exception):
    """A secrets file exists but cannot be read or parsed."""


def store_password() -> str | None:
    """The PostgreSQL store's password from the app's secrets (`[store] password`), if any:
    beside the URL, PGPASSWORD and ~/.pgpass, where operators keep the app's other secrets."""
    try:
        section = _secrets().get("store") or {}
    except (_NoSecrets, _Unreadable):
        return None
    password = section.get("password") if isinstance(section, Mapping) else None
    return str(password) if password else None


def _secrets() -> Mapping:
    """The parsed secrets; _NoSecrets when there is no file, _Unreadable when one is bad.

    Streamlit's own loader treats a broken file like a missing one, which would
    put a misconfigured deployment into local mode, so files are checked here first.
    """
    if st.secrets._secrets is not None:  # parsed already (or given by AppTest)
        return st.secrets
    found = False
    for raw in config.get_option("secrets.files"):
        found = _check_secrets_path(Path(raw)) or found
    if not found:
        raise _NoSecrets
    try:
        st.secrets.to_dict()
    except Exception as e:  # noqa: BLE001 - any failure here is a broken configuration
        raise _Unreadable(_("Streamlit could not load the secrets: {error}.").format(
            error=e)) from e
    return st.secrets


def _check_secrets_path(path: Path) -> bool:
    """True if `path` holds secrets; _Unreadable (naming the file) if it cannot be used."""
    try:
        if path.is_dir() and path.suffix != ".toml":
            return any(path.iterdir())  # Kubernetes-style secrets: one folder per secret
        text = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise _Unreadable(_("{path} cannot be read ({reason}): make it readable by the user "
                            "the dashboard runs as.").format(path=path,
                                                             reason=e.strerror or e)) from e
    try:
        tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _Unreadable(_("{path} is not UTF-8 text (byte {byte}): save it as "
                            "UTF-8.").format(path=path, byte=e.start + 1)) from e
    except tomllib.TOMLDecodeError as e:
        raise _Unreadable(_("{path} is not valid TOML ({error}): correct that line.").format(
            path=path, error=e)) from e
    return True


def _auth_problem(auth: object) -> str | None:
    """What a half-configured [auth] section lacks, or None."""
    if auth is None:
        return None
    if not hasattr(auth, "keys"):
        return _("[auth] in the secrets must be a section (a table), not a single value.")
    missing = [k for k in _AUTH_KEYS if not auth.get(k)]
    providers = {"[auth]": auth} if "client_id" in auth else {
        f"[auth.{k}]": v for k, v in auth.items() if hasattr(v, "keys")}
    if not providers:
        missing += list(_PROVIDER_KEYS)
    for where, section in providers.items():
        missing += [_("{key} in {where}").format(key=k, where=where)
                    for k in _PROVIDER_KEYS if not section.get(k)]
    if missing:
        return (_("[auth] in the secrets lacks {missing}; give every one of them "
                  "(see docs/deployment.md), or remove [auth] to run in local mode.").format(
                      missing=", ".join(missing)))
    return None
