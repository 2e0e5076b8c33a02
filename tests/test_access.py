"""Roles: viewers read and export, evaluators write; login through st.login; read-only mode."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from evaluation.access import EVALUATOR, VIEWER, AccessConfig, Actor
from evaluation.errors import PermissionDenied
from evaluation.intake.edits import save_commentary, save_settings
from evaluation.intake.importer import import_files
from evaluation.store.connection import Store, migrate_to
from evaluation.store.versions import list_uploads, undo_upload
from tests.conftest import dump, run_unprivileged

ROOT = Path(__file__).resolve().parent.parent
NO = "Nettverk friluftsliv Askim"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "abc", "client_secret": "def",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration"}
ACCESS = {"evaluators": ["anne@kommune.no"], "evaluator_domains": ["evaluering.dk"]}
ROW = f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n".encode()


def test_roles_come_from_addresses_and_domains():
    config = AccessConfig.from_mapping(ACCESS)
    assert config.role_of("Anne@Kommune.no ") == EVALUATOR
    assert config.role_of("someone@evaluering.dk") == EVALUATOR
    assert config.role_of("ole@kommune.no") == VIEWER
    assert config.role_of(None) == VIEWER


@pytest.mark.parametrize("write", [
    lambda s, a: import_files(s, [("x.csv", ROW)], user=a, commit=True),
    lambda s, a: undo_upload(s, 1, a),
    lambda s, a: save_settings(s, {"weight_outcome": 2.0}, a),
    lambda s, a: save_commentary(s, NO, 2025, "x", a),
], ids=["import", "undo", "settings", "commentary"])
def test_every_write_path_refuses_a_viewer_in_the_core(sample_store, write):
    before = dump(sample_store)
    with pytest.raises(PermissionDenied, match="viewer"):
        write(sample_store, Actor("ole@kommune.no", VIEWER))
    assert dump(sample_store) == before


def test_a_viewer_may_still_preview(sample_store):
    report = import_files(sample_store, [("x.csv", ROW)], user=Actor("v", VIEWER), commit=False)
    assert report.ok and not report.committed




def page(name: str, user: dict | None, *, auth: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["access"] = ACCESS
    if user is not None:
        at.user = user
    return at


def test_without_login_configured_the_user_is_a_local_evaluator(app_store):
    at = page("overview", None, auth=False).run()
    assert any("Local mode" in c.value for c in at.caption)


def test_signed_out_visitors_see_only_the_sign_in_page(app_store):
    at = page("overview", {"is_logged_in": False}).run()
    assert at.title[0].value == "Partnership evaluation"
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe


def test_a_viewer_reaching_the_upload_page_is_refused_and_nothing_is_written(app_store):
    viewer = {"is_logged_in": True, "email": "ole@kommune.no", "name": "Ole"}
    at = page("upload", viewer).run()
    assert "for evaluators" in at.warning[0].value and "viewer" in at.warning[0].value
    assert at.file_uploader[0].disabled
    assert not any(b.label.startswith(("Commit", "Undo")) for b in at.button)
    # A forged widget action cannot get further: every write function in the core
    # refuses a viewer (test_every_write_path_refuses_a_viewer_in_the_core).
    assert list_uploads(app_store).shape[0] == 1


def test_a_viewer_sees_settings_but_cannot_save(app_store):
    viewer = {"is_logged_in": True, "email": "ole@kommune.no"}
    at = page("settings", viewer).run()
    assert "Only evaluators" in at.info[0].value
    assert all(n.disabled for n in at.number_input)
    assert list_uploads(app_store).shape[0] == 1


def test_an_evaluator_signed_in_can_commit(app_store):
    evaluator = {"is_logged_in": True, "email": "anne@kommune.no", "email_verified": True}
    at = page("upload", evaluator).run()
    assert not at.warning
    at.file_uploader[0].set_value(("x.csv", ROW, "text/csv")).run()
    next(b for b in at.button if b.label.startswith("Commit")).click().run()
    latest = list_uploads(app_store).iloc[0]
    assert latest.upload_id == 2 and latest.created_by == "anne@kommune.no"


def test_an_evaluator_domain_counts(app_store):
    at = page("settings", {"is_logged_in": True, "email": "kari@evaluering.dk",
                           "email_verified": True}).run()
    assert not at.info and not any(n.disabled for n in at.number_input)


def test_read_only_mode_turns_every_write_off(app_store, monkeypatch):
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    st.cache_resource.clear()
    at = page("upload", None, auth=False).run()
    assert "read-only mode" in at.warning[0].value
    with pytest.raises(PermissionDenied, match="read-only"):
        import_files(Store(app_store.path, read_only=True), [("x.csv", ROW)], user="anne")


@pytest.mark.file_store
def test_a_read_only_screen_reads_without_writing_or_migrating(app_store, tmp_path,
                                                               monkeypatch):
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    st.cache_resource.clear()
    before = app_store.path.read_bytes()
    at = page("overview", None, auth=False).run()
    assert not at.exception and at.dataframe
    assert app_store.path.read_bytes() == before
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    migrate_to(con, 1)
    con.close()
    monkeypatch.setenv("EVALUATION_DB", str(old))
    st.cache_resource.clear()
    at = page("overview", None, auth=False).run()
    assert not at.exception
    shown = at.error[0].value.replace("\\", "")
    assert "Open it once where the program may write" in shown
    assert "opens the store once without EVALUATION_READ_ONLY" in shown  # the app's own words
    con = duckdb.connect(str(old), read_only=True)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == "1"
    con.close()


@pytest.mark.parametrize("claims", [
    {"is_logged_in": True, "name": "anne@kommune.no"},  # a display name is self-chosen
    {"is_logged_in": True, "email": "anne@kommune.no", "email_verified": False},
    {"is_logged_in": True, "email": "anne@kommune.no"},  # Entra ID sends no such claim
    {"is_logged_in": True, "email": "anne@kommune.no", "email_verified": "false"},
], ids=["display-name-only", "unverified-address", "unknown-if-verified", "false-as-text"])
def test_only_a_verified_address_makes_an_evaluator(app_store, claims):
    at = page("settings", claims).run()
    assert "Only evaluators" in at.info[0].value
    assert all(n.disabled for n in at.number_input)


def test_an_operator_may_trust_addresses_a_provider_does_not_mark(app_store):
    at = page("settings", {"is_logged_in": True, "email": "anne@kommune.no"})
    at.secrets["access"] = {**ACCESS, "trust_unverified_email": True}
    at.run()
    assert not at.info and not any(n.disabled for n in at.number_input)


def test_several_identity_providers_each_get_a_button(app_store):
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"],
                          "cookie_secret": AUTH["cookie_secret"],
                          "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret",
                                                             "server_metadata_url")},
                          "google": {k: AUTH[k] for k in ("client_id", "client_secret",
                                                          "server_metadata_url")}}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with Microsoft", "Sign in with Google"]


@pytest.fixture
def secrets_file(tmp_path):
    """Point Streamlit at a secrets file of the test's own (the real loader, not AppTest's)."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    saved = st.config.get_option("secrets.files")
    st.config.set_option("secrets.files", [str(path)])
    st.secrets._reset()
    yield path
    st.config.set_option("secrets.files", saved)
    st.secrets._reset()


def _assert_stopped_closed(at: AppTest, *words: str) -> None:
    assert not at.exception
    text = " ".join(e.value for e in at.error).replace("\\", "")
    assert "sign-in configuration cannot be used" in text
    for word in words:
        assert word in text
    assert not any("Local mode" in c.value for c in at.caption)
    assert not at.dataframe and not at.file_uploader


GOOD_SECRETS = """[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
client_id = "abc"
client_secret = "def"
server_metadata_url = "https://login.example.org/.well-known/openid-configuration"
"""


def test_a_secrets_file_with_a_syntax_error_fails_closed_on_every_page(app_store, secrets_file):
    secrets_file.write_text(GOOD_SECRETS.replace("[auth]", "[auth"))
    for name in ("overview", "partnership", "indicators", "upload", "settings"):
        at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60).run()
        _assert_stopped_closed(at, str(secrets_file), "not valid TOML")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    _assert_stopped_closed(at, str(secrets_file))


def test_a_good_secrets_file_asks_for_sign_in_and_none_means_local_mode(app_store,
                                                                        secrets_file):
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60).run()
    assert any("Local mode" in c.value for c in at.caption)  # no file at all
    secrets_file.write_text(GOOD_SECRETS)
    st.secrets._reset()
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60).run()
    assert [b.label for b in at.button] == ["Sign in"] and not at.error


def test_a_secrets_path_that_cannot_be_read_fails_closed(app_store, secrets_file):
    secrets_file.mkdir()  # a folder where the file should be: reading it fails
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60).run()
    _assert_stopped_closed(at, str(secrets_file), "cannot be read")


def test_a_secrets_file_the_app_user_may_not_read_fails_closed(secrets_file):
    import login

    secrets_file.write_text(GOOD_SECRETS)
    secrets_file.chmod(0)
    problem = run_unprivileged(login.secrets_problem)
    assert str(secrets_file) in problem and "cannot be read" in problem


@pytest.mark.parametrize("auth, missing", [
    ({"redirect_uri": AUTH["redirect_uri"]}, "cookie_secret"),
    ({k: v for k, v in AUTH.items() if k != "client_secret"}, "client_secret"),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]},
     "server_metadata_url"),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
      "microsoft": {"client_id": "abc"}}, "client_secret in [auth.microsoft]"),
    ("yes", "must be a section"),
], ids=["no-cookie-secret", "no-client-secret", "no-provider", "half-a-provider", "a-string"])
def test_a_half_configured_auth_section_fails_closed(app_store, auth, missing):
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    at.secrets["auth"] = auth
    at.run()
    _assert_stopped_closed(at, missing)


@pytest.mark.parametrize("section, expected", [
    ({"evaluator_domains": "kommune.no"}, {"kommune.no"}),
    ({"evaluator_domains": ["@kommune.no", " Evaluering.DK "]}, {"kommune.no", "evaluering.dk"}),
])
def test_a_single_domain_may_be_given_as_a_string(section, expected):
    config = AccessConfig.from_mapping(section)
    assert config.evaluator_domains == expected
    assert config.role_of("kari@kommune.no") == (EVALUATOR if "kommune.no" in expected
                                                 else VIEWER)
    assert config.role_of("k@o.no") == VIEWER  # not a domain made of the letters k, o, m...


def test_an_access_list_of_the_wrong_kind_is_refused_clearly(app_store):
    with pytest.raises(ValueError, match="evaluators must be a list of strings"):
        AccessConfig.from_mapping({"evaluators": 3})
    at = page("upload", {"is_logged_in": True, "email": "anne@kommune.no",
                         "email_verified": True})
    at.secrets["access"] = {"evaluators": [1, 2]}
    at.run()
    _assert_stopped_closed(at, "[access]", "evaluators must be a list")
