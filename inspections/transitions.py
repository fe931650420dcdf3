"""Moving a hazard through the workflow: acknowledge, submit rectification, review, void.

Each function is one transaction: check who may act and from which state (``workflow.rule_for``), check the
evidence the step needs, change the hazard, append the audit event, commit.

A step repeated by the same person after it took effect is a retry when its request is the same (phones retry):
it returns the hazard as it is and writes nothing. The same step with another request (other photos, another
comment) is a Conflict naming the fields that differ, never silently dropped: each step's event keeps a digest
of its request (``details.request``) to tell the two apart. ``client_time`` is not part of it (a phone that
stamps each attempt anew still retries the same step). A step recorded before requests were kept has no digest
and is taken, as it was then, for a retry.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from inspections import audit, verification
from inspections.closure_checks import EXACT_REUSE, NEAR_DUPLICATE, ClosurePolicy
from inspections.enums import HazardStatus, PhotoKind, Severity
from inspections.errors import Conflict, InvalidInput
from inspections.hazards import get_hazard
from inspections.idempotency import request_digest
from inspections.models import Hazard, HazardEvent, Photo, Rectification, User
from inspections.visibility import visible_hazard_ids
from inspections.workflow import RULES, Action, Need, Rule, rule_for

def transition(
    session: Session,
    actor: User,
    hazard_id: uuid.UUID,
    action: Action,
    *,
    now: datetime,
    client_at: datetime | None = None,
    comment: str | None = None,
    measures: str | None = None,
    photo_ids: list[uuid.UUID] | None = None,
    policy: ClosurePolicy = ClosurePolicy(),
    request: dict | None = None,
) -> Hazard:
    """Apply ``action`` to the hazard as ``actor``; see the module docstring.

    ``request`` is the step's body as the client named its fields (``comment``, ``measures``, ``photo_ids``,
    ``decision``, ``reason``), for telling a retry from another request; by default the arguments themselves.
    """
    hazard = get_hazard(session, actor, hazard_id)
    said = step_request(actor, action, request if request is not None else
                        {"comment": comment, "measures": measures, "photo_ids": photo_ids})
    try:
        rule = rule_for(action, hazard.status, hazard.severity, actor.role)
    except Conflict:
        if _already_done(session, hazard, action, actor, said):
            return hazard
        raise
    photos = _check_needs(session, hazard, rule, comment=comment, measures=measures, photo_ids=photo_ids)
    details: dict = {"request": said}
    checks_record = _verify_closure(session, hazard, rule, actor, photos, comment, policy, details)
    from_status = hazard.status
    hazard.status = rule.target
    if rule.target == HazardStatus.CLOSED:
        hazard.closed_at = now
    if rule.target == HazardStatus.VOID:
        hazard.voided_at = now
    if rule.action == Action.REJECT:
        hazard.rejection_count += 1
    if photos:
        rectification = Rectification(
            hazard_id=hazard.id, measures=measures or comment or "", photo_ids=[str(p.id) for p in photos],
            checks=checks_record, submitted_by=actor.id, submitted_at=now,
        )
        session.add(rectification)
        details["checks"] = {k: checks_record[k] for k in ("passed", "blocking", "warnings")}
    audit.record_event(
        session, hazard, rule.event, at=now, actor=actor, from_status=from_status, to_status=rule.target,
        client_at=client_at, comment=comment if comment is not None else measures,
        evidence_ids=[p.id for p in photos], details=details,
    )
    commit_or_conflict(session)
    return hazard


def commit_or_conflict(session: Session) -> None:
    """Commit; if someone else changed the same hazard first, undo and say so (409)."""
    try:
        session.commit()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise Conflict("Someone else changed this hazard at the same moment; reload it and try again.") from None


def _verify_closure(session, hazard, rule, actor, photos, comment, policy, details) -> dict | None:
    """Check the photos that are to close the hazard; refuse what the policy blocks.

    Approving a submission whose checks warned needs a comment, kept in the audit trail; so does approving
    when the re-inspector's own photos (rectification photos they added since the submission) warn.
    """
    record = None
    failed: list[str] = []
    if photos:
        checks, result = verification.check_photos(session, hazard, photos, policy)
        _refuse_blocked(session, actor, hazard, checks, result)
        record = verification.as_record(checks, result)
        failed = list(result.warnings)
    elif rule.action == Action.APPROVE:
        failed = list((verification.latest_checks(session, hazard) or {}).get("warnings", []))
        own = _reinspection_photos(session, hazard, actor)
        if own:
            checks, result = verification.check_photos(session, hazard, own, policy)
            _refuse_blocked(session, actor, hazard, checks, result)
            details["reinspection_checks"] = verification.as_record(checks, result)
            failed += [w for w in result.warnings if w not in failed]
    # The officer may submit with warnings; whoever closes the hazard must say why they accept them.
    if rule.action == Action.APPROVE and failed:
        if not (comment and comment.strip()):
            raise InvalidInput(
                "The rectification failed checks; approving it anyway needs a comment.",
                {"comment": [f"Say why you approve despite: {', '.join(failed)}."]},
            )
        details["approved_despite"] = failed
    return record


def _refuse_blocked(session: Session, actor: User, hazard: Hazard, checks, result) -> None:
    """Refuse the step, saying which photo fails which blocking check in words the caller may read."""
    if not result.blocking:
        return
    seen = visible_hazard_ids(session, actor, {m["hazard_id"] for check in checks for m in check.matches})
    reasons = [
        f"{check.photo_id}: {problem}" + "".join(
            f" ({_earlier_use(match, hazard, seen)})" for match in check.matches
            if problem in (EXACT_REUSE, NEAR_DUPLICATE) and (match["how"] == "exact") == (problem == EXACT_REUSE)
        )
        for check in checks for problem in check.problems if problem in result.blocking
    ]
    raise InvalidInput("The rectification photos fail a check that blocks closure.", {"photo_ids": reasons})


def _earlier_use(match: dict, hazard: Hazard, seen: set[str]) -> str:
    """Where the picture was used before. Another hazard is named only to whoever may see it anyway (an officer
    re-sending the photo of another of their own hazards learns which one); to anyone else it is "another
    hazard", so that a refusal never tells a caller about another enterprise's or another street's hazards."""
    how = "the same picture" if match["how"] == "exact" else "nearly the same picture"
    if match["role"] == "evidence" and match["hazard_id"] == str(hazard.id):
        return f"{how} as evidence photo {match['photo_id']} of this hazard"
    if match["hazard_id"] in seen:
        return f"{how} as photo {match['photo_id']}, which closed hazard {match['hazard_id']}"
    return f"{how} as a photo used before to close another hazard"


def _reinspection_photos(session: Session, hazard: Hazard, actor: User) -> list[Photo]:
    """Rectification photos the re-inspector took since the latest submission."""
    since = session.scalar(
        select(Rectification.submitted_at).where(Rectification.hazard_id == hazard.id)
        .order_by(Rectification.id.desc()).limit(1)
    )
    query = select(Photo).where(
        Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.RECTIFICATION, Photo.uploaded_by == actor.id
    )
    if since is not None:
        query = query.where(Photo.uploaded_at >= since)
    return list(session.scalars(query.order_by(Photo.uploaded_at)))


def step_request(actor: User, action: Action, request: dict) -> dict:
    """What a step's event keeps of its request: a digest of each field sent and of the whole.

    Fields sent empty count as not sent; ``photo_ids`` count as a set (the same photos in another order are the
    same submission).
    """
    fields = {}
    for name, value in request.items():
        if value is None:
            continue
        if name == "photo_ids":
            value = sorted({str(v) for v in value})
        fields[name] = request_digest(actor.id, {"field": name, "value": value})[:16]
    return {"digest": request_digest(actor.id, {"step": action.value, "fields": fields}), "fields": fields}


def _already_done(session: Session, hazard: Hazard, action: Action, actor: User, said: dict) -> bool:
    """Whether the hazard's last step was this very action by this very person with the same request (a retry);
    Conflict naming what differs when it was this action by this person with another request."""
    names = {r.event for r in RULES if r.action == action}
    last = session.scalar(
        select(HazardEvent).where(HazardEvent.hazard_id == hazard.id, HazardEvent.to_status.is_not(None))
        .order_by(HazardEvent.seq.desc()).limit(1)
    )
    if not (last and last.action in names and last.actor_id == actor.id and last.to_status == hazard.status):
        return False
    stored = (last.details or {}).get("request")
    if not isinstance(stored, dict) or stored.get("digest") == said["digest"]:
        return True  # the same request again, or a step recorded before requests were kept: as it was then
    before, now = stored.get("fields") or {}, said["fields"]
    differing = sorted(name for name in set(before) | set(now) if before.get(name) != now.get(name))
    raise Conflict(
        f"You already took this step ({last.action}) on this hazard with another {' and '.join(differing)}; it is "
        f"{hazard.status} now and the second request changed nothing. To retry, send exactly the first request again.",
        {name: [f"Differs from the {last.action} already recorded."] for name in differing},
    )


def _check_needs(session: Session, hazard: Hazard, rule: Rule, *, comment, measures, photo_ids) -> list[Photo]:
    errors: dict[str, list[str]] = {}
    photos: list[Photo] = []
    if Need.COMMENT in rule.needs and not (comment and comment.strip()):
        errors["comment"] = ["Give the reason."]
    if Need.MEASURES in rule.needs and not (measures and measures.strip()):
        errors["measures"] = ["Say what was done to rectify the hazard."]
    if Need.PLAN_IF_MAJOR in rule.needs and hazard.severity == Severity.MAJOR and hazard.plan is None:
        errors["plan"] = ["A major hazard needs its remediation plan (PUT …/plan) before rectification is submitted."]
    if Need.RECTIFICATION_PHOTOS in rule.needs:
        photos, photo_errors = _rectification_photos(session, hazard, photo_ids)
        errors.update(photo_errors)
    if errors:
        raise InvalidInput("The step is missing what it needs.", errors)
    return photos


def _rectification_photos(session: Session, hazard: Hazard, photo_ids) -> tuple[list[Photo], dict]:
    """The rectification photos named (or, when none are named, all not yet used in a submission)."""
    if photo_ids:
        found = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))}
        problems = [
            f"{pid} is not a rectification photo of this hazard"
            for pid in photo_ids
            if pid not in found or found[pid].hazard_id != hazard.id or found[pid].kind != PhotoKind.RECTIFICATION
        ]
        if problems:
            return [], {"photo_ids": problems}
        return [found[pid] for pid in dict.fromkeys(photo_ids)], {}
    used = {
        pid for ids in session.scalars(select(Rectification.photo_ids).where(Rectification.hazard_id == hazard.id))
        for pid in ids
    }
    photos = [
        p for p in session.scalars(
            select(Photo).where(Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.RECTIFICATION)
            .order_by(Photo.uploaded_at)
        ) if str(p.id) not in used
    ]
    if not photos:
        return [], {"photo_ids": ["Upload at least one rectification photo of this hazard first."]}
    return photos, {}


def acknowledge(session, actor, hazard_id, *, now, comment=None, client_at=None) -> Hazard:
    """The enterprise's officer confirms receipt of the hazard (签收)."""
    return transition(session, actor, hazard_id, Action.ACKNOWLEDGE, now=now, comment=comment, client_at=client_at,
                      request={"comment": comment})


def submit_rectification(session, actor, hazard_id, *, now, measures, photo_ids, client_at=None,
                         policy: ClosurePolicy = ClosurePolicy()) -> Hazard:
    """The officer reports the hazard put right, with rectification photos already uploaded to it."""
    if not photo_ids:
        raise InvalidInput(photo_ids="Name at least one rectification photo.")
    return transition(
        session, actor, hazard_id, Action.SUBMIT, now=now, measures=measures, photo_ids=photo_ids, client_at=client_at,
        policy=policy, request={"measures": measures, "photo_ids": photo_ids},
    )


def review(session, actor, hazard_id, *, now, approve: bool, comment=None, client_at=None,
           policy: ClosurePolicy = ClosurePolicy()) -> Hazard:
    """Re-inspection: approve closes the hazard (on an open general hazard: rectified on the spot);
    reject sends it back to the enterprise with the reason, the deadline still running."""
    action = Action.APPROVE if approve else Action.REJECT
    return transition(session, actor, hazard_id, action, now=now, comment=comment, client_at=client_at, policy=policy,
                      request={"decision": action.value, "comment": comment})


def void(session, actor, hazard_id, *, now, reason, client_at=None) -> Hazard:
    """An admin withdraws a hazard recorded in error, with the reason."""
    return transition(session, actor, hazard_id, Action.VOID, now=now, comment=reason, client_at=client_at,
                      request={"reason": reason})
