"""Who may change what: viewers read, evaluators write; enforced in the core, not in layouts.

Every write function of the core takes the acting user and calls
`require_write`, so a viewer who reaches the upload page by URL, or a forged
widget action, is refused before a connection is opened. Who is an evaluator is
configuration (e-mail addresses and domains); everyone else who logs in views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from evaluation.errors import PermissionDenied
from evaluation.words import N_, _

VIEWER = "viewer"
EVALUATOR = "evaluator"
ROLE_WORDS = {VIEWER: N_("viewer"), EVALUATOR: N_("evaluator")}  # the roles as shown


@dataclass(frozen=True)
class Actor:
    """The person (or script) acting: the name recorded on uploads, and a role."""

    name: str
    role: str = EVALUATOR
    local: bool = False

    @property
    def can_write(self) -> bool:
        return self.role == EVALUATOR


@dataclass(frozen=True)
class AccessConfig:
    """E-mail addresses and domains whose owners are evaluators."""

    evaluators: frozenset[str] = frozenset()
    evaluator_domains: frozenset[str] = frozenset()
    # Some providers (Microsoft Entra ID) send no `email_verified` claim; an operator
    # whose single-tenant provider only issues addresses it owns may trust them.
    trust_unverified_email: bool = False

    @classmethod
    def from_mapping(cls, section: Mapping | None) -> AccessConfig:
        """From the `[access]` section of the app's secrets: lists of strings (one string
        is a list of one); ValueError naming the key when a value is of another kind."""
        section = section or {}
        if not hasattr(section, "get"):
            raise ValueError(_("it must be a section (a table) with evaluators and "
                               "evaluator_domains"))
        return cls(_strings(section, "evaluators"),
                   frozenset(d.lstrip("@") for d in _strings(section, "evaluator_domains")),
                   section.get("trust_unverified_email") is True)

    def role_of(self, email: str | None, verified: object = True) -> str:
        """EVALUATOR for a listed address or domain, if the provider verified the address
        (`verified` is its `email_verified` claim) or the configuration trusts it."""
        address = (email or "").strip().lower()
        if not address or not (verified in (True, "true") or self.trust_unverified_email):
            return VIEWER
        domain = address.rpartition("@")[2]
        if address in self.evaluators or domain in self.evaluator_domains:
            return EVALUATOR
        return VIEWER


def as_actor(user: str | Actor) -> Actor:
    """A plain name (the command line, scripts, tests) acts as a local evaluator."""
    return user if isinstance(user, Actor) else Actor(user or "unknown", EVALUATOR, local=True)


def require_write(user: str | Actor, what: str | None = None) -> Actor:
    """The actor, if allowed to write; PermissionDenied with a plain reason otherwise
    (`what` is the refused action in the reader's words; default: "change data")."""
    actor = as_actor(user)
    if not actor.can_write:
        what = _("change data") if what is None else what
        raise PermissionDenied(
            _("{name} is signed in as a viewer, and viewers cannot {what}. Ask the "
              "dashboard's administrator to add you as an evaluator.").format(
                name=actor.name, what=what), _("Not allowed"))
    return actor


def _strings(section: Mapping, key: str) -> frozenset[str]:
    """A list of strings from the configuration, lower-cased; a single string is one item
    (never split into its characters)."""
    values = section.get(key, ())
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        example = "kommune.no" if "domain" in key else "anne@kommune.no"
        raise ValueError(_('{key} must be a list of strings, such as {key} = ["{example}"]')
                         .format(key=key, example=example))
    return frozenset(v.strip().lower() for v in values if v.strip())
