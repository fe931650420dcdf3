"""The one transition table of the hazard workflow: (action, state) → state, who may, what it needs.

    open ──acknowledge──▶ acknowledged ──submit──▶ submitted ──approve──▶ closed
      │                         ▲                      │
      │                         └────────reject────────┘
      └──approve (rectified on the spot: general hazards, with rectification photos)──▶ closed
    open / acknowledged / submitted ──void (admin)──▶ void

Scope (an officer only for their own enterprise, an inspector only in their area) is the same rule as
visibility and lives in ``inspections.visibility``; this module knows roles, states and severities.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from inspections.enums import HazardStatus as S
from inspections.enums import Role, Severity
from inspections.errors import Conflict, Forbidden
from inspections.phrases import a_role, with_article


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    VOID = "void"


class Need(StrEnum):
    """Evidence a transition cannot happen without."""

    COMMENT = "comment"
    MEASURES = "measures"
    RECTIFICATION_PHOTOS = "rectification_photos"
    PLAN_IF_MAJOR = "plan_if_major"


BOTH = frozenset(Severity)
GENERAL = frozenset({Severity.GENERAL})
MAJOR = frozenset({Severity.MAJOR})


@dataclass(frozen=True)
class Rule:
    action: Action
    source: S
    target: S
    roles: frozenset
    severities: frozenset = BOTH
    needs: tuple = ()
    name: str = ""  # what the audit trail calls it, when it differs from the action

    @property
    def event(self) -> str:
        return self.name or self.action.value


OFFICER, INSPECTOR, REVIEWER, ADMIN = Role.ENTERPRISE_OFFICER, Role.INSPECTOR, Role.REVIEWER, Role.ADMIN

RULES: tuple[Rule, ...] = (
    Rule(Action.ACKNOWLEDGE, S.OPEN, S.ACKNOWLEDGED, frozenset({OFFICER})),
    Rule(Action.SUBMIT, S.ACKNOWLEDGED, S.SUBMITTED, frozenset({OFFICER}),
         needs=(Need.MEASURES, Need.RECTIFICATION_PHOTOS, Need.PLAN_IF_MAJOR)),
    Rule(Action.APPROVE, S.SUBMITTED, S.CLOSED, frozenset({INSPECTOR, REVIEWER}), GENERAL),
    # 重大隐患 are closed by the district, never by a single inspector.
    Rule(Action.APPROVE, S.SUBMITTED, S.CLOSED, frozenset({REVIEWER}), MAJOR),
    Rule(Action.APPROVE, S.OPEN, S.CLOSED, frozenset({INSPECTOR, REVIEWER}), GENERAL,
         needs=(Need.RECTIFICATION_PHOTOS,), name="rectified_on_spot"),
    Rule(Action.REJECT, S.SUBMITTED, S.ACKNOWLEDGED, frozenset({INSPECTOR, REVIEWER}), needs=(Need.COMMENT,)),
    Rule(Action.VOID, S.OPEN, S.VOID, frozenset({ADMIN}), needs=(Need.COMMENT,)),
    Rule(Action.VOID, S.ACKNOWLEDGED, S.VOID, frozenset({ADMIN}), needs=(Need.COMMENT,)),
    Rule(Action.VOID, S.SUBMITTED, S.VOID, frozenset({ADMIN}), needs=(Need.COMMENT,)),
)


def rule_for(action: Action, status: str, severity: str, role: str) -> Rule:
    """The rule that lets ``role`` take ``action`` on a hazard in ``status``.

    Raises Forbidden (403) when the role may never take this action on this hazard, and Conflict (409)
    when the role could, but not from the hazard's current state.
    """
    for_action = [r for r in RULES if r.action == action]
    if not any(role in r.roles for r in for_action):
        raise Forbidden(f"{a_role(role, capital=True)} may not {action.value} hazards.")
    from_here = [r for r in for_action if r.source == status]
    if not from_here:
        allowed = sorted({r.source.value for r in for_action})
        raise Conflict(
            f"Cannot {action.value} a hazard that is {status}; it must be {' or '.join(allowed)}.",
            {"status": [status]},
        )
    for rule in from_here:
        if role in rule.roles and severity in rule.severities:
            return rule
    if any(role in r.roles for r in from_here):
        raise Forbidden(f"{a_role(role, capital=True)} may not {action.value} {with_article(severity)} hazard that is {status}.")
    raise Forbidden(f"{a_role(role, capital=True)} may not {action.value} a hazard that is {status}.")


def actions_available(status: str, severity: str, role: str) -> list[str]:
    """What ``role`` could do next (for clients that show buttons)."""
    return sorted({
        r.action.value for r in RULES if r.source == status and role in r.roles and severity in r.severities
    })
