"""Who may change what: viewers read, evaluators write; enforced in the core, not in layouts.

Every write function of the core takes the acting user and calls
`require_write`, so a viewer who reaches the upload page by URL, or a forged
widget action, is refused before a connection is opened. Who is an evaluator is
configuration (e-mail addresses and domains); everyone else who logs in views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evaluation.errors import PermissionDenied

VIEWER = "viewer"
EVALUATOR = "evaluator"


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
        """From the `[access]` section of the app's secrets (lists of strings)."""
        section = section or {}
        return cls(_lowered(section.get("evaluators", ())),
                   _lowered(d.lstrip("@") for d in section.get("evaluator_domains", ())),
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


def require_write(user: str | Actor, what: str = "change data") -> Actor:
    """The actor, if allowed to write; PermissionDenied with a plain reason otherwise."""
    actor = as_actor(user)
    if not actor.can_write:
        raise PermissionDenied(
            f"{actor.name} is signed in as a viewer, and viewers cannot {what}. Ask the "
            "dashboard's administrator to add you as an evaluator.", "Not allowed")
    return actor


def _lowered(values: Iterable[str] | str) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    return frozenset(v.strip().lower() for v in values if v and v.strip())
