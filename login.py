"""Sign-in and roles in the app: Streamlit's OIDC login (`st.login`, `st.user`) and the
`[access]` configuration that says who is an evaluator.

Without `[auth]` in .streamlit/secrets.toml the app runs in local mode, where the
person at the keyboard is the evaluator. The core enforces roles again on every
write (`evaluation.access`); this module only decides who is asking.
"""

from __future__ import annotations

import getpass

import streamlit as st

from evaluation.access import EVALUATOR, VIEWER, AccessConfig, Actor


def require_sign_in() -> None:
    """With a login configured, nobody sees data before signing in: stop at the sign-in
    page until they have."""
    if auth_configured() and not st.user.is_logged_in:
        _sign_in_page()


def _sign_in_page() -> None:
    """With a login configured, nobody sees data before signing in."""
    st.title("Partnership evaluation")
    st.write("This dashboard shows the partnerships' indicators to their steering groups and "
             "evaluators. Sign in with your organisation account to continue.")
    providers = _login_providers()
    if not providers:
        st.button("Sign in", type="primary", on_click=st.login)
    for provider in providers:
        shown = provider.replace("_", " ")
        label = "Sign in" if len(providers) == 1 else f"Sign in with {shown[:1].upper()}{shown[1:]}"
        st.button(label, type="primary", on_click=st.login, args=(provider,),
                  key=f"sign_in_{provider}")
    st.stop()


def _login_providers() -> list[str]:
    """The named providers when [auth] lists them (e.g. [auth.microsoft]); [] when the
    [auth] section itself configures the one provider."""
    section = st.secrets.get("auth", {})
    if "client_id" in section:
        return []
    return [k for k, v in section.items() if hasattr(v, "keys")]


def auth_configured() -> bool:
    """True when `[auth]` in .streamlit/secrets.toml sets up a login (OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is local mode
        return False


def current_user() -> Actor:
    """The acting user: a signed-in person with a configured role, or the local evaluator."""
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
    access = AccessConfig.from_mapping(st.secrets.get("access"))
    return Actor(str(email), access.role_of(str(email), st.user.get("email_verified")))
