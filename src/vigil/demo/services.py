"""Writes for the demo: load the synthetic force through the import contract and create one
login per role. Synthetic data only: no real person is in it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from vigil.accounts.roles import Role
from vigil.accounts.services import random_password, user_create
from vigil.imports.engine import ImportReport, Progress
from vigil.imports.models import ImportKind
from vigil.imports.services import contract_file_import
from vigil.people.models import Person

DEMO_SEED = 1633
DEMO_STAFF = 20_000
IMPORTED_BY = "vigil demo"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


def demo_world_load(
    *, directory: Path, seed: int = DEMO_SEED, staff: int = DEMO_STAFF, progress: Progress | None = None
) -> list[ImportReport]:
    """Build the synthetic force, write it as contract CSVs in `directory` and import them.
    Does nothing (returns []) when the register already holds people."""
    from vigil.demo.world import build_world, write_world

    if Person.objects.exists():
        return []
    files = write_world(build_world(seed=seed, staff=staff), directory)
    reports = []
    with transaction.atomic():
        for kind, path in (
            (ImportKind.PERSONNEL, files.personnel),
            (ImportKind.VETTING, files.vetting),
            (ImportKind.ALLEGATIONS, files.allegations),
        ):
            reports.append(
                contract_file_import(kind=kind, path=path, imported_by=IMPORTED_BY, progress=progress)
            )
    return reports


def demo_logins_ensure(*, logins_file: Path) -> list[DemoLogin]:
    """One login per role, named after the role, with a random password kept (mode 0600) in
    `logins_file` so the demo can print it again. A login whose password is not on file gets a
    new one."""
    known: dict[str, str] = {}
    if logins_file.exists():
        for line in logins_file.read_text().splitlines():
            username, _, password = line.partition(" ")
            if username and password:
                known[username] = password
    logins = []
    for role in Role:
        username = role.value
        user = User.objects.filter(username=username).first()
        password = known.get(username) or random_password()
        if user is None:
            user_create(username=username, password=password, roles=[role])
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(DemoLogin(role, username, password))
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.touch(mode=0o600)
    os.chmod(logins_file, 0o600)
    logins_file.write_text("".join(f"{login.username} {login.password}\n" for login in logins))
    return logins


@dataclass(frozen=True)
class DemoAccess:
    """What the demo set up, for `vigil demo` to print."""

    caseload_team: str
    review_team: str
    review_cohort: int
    investigator_subject: str
    restricted_subject: str
    reviewer_own_record: str
    reviewer_conflict: str


SENIOR_RANKS = ("Commander", "Chief Superintendent", "Superintendent", "Chief Inspector")


def demo_access_ensure() -> DemoAccess | None:
    """Need-to-know for the demo logins (idempotent). The assessment unit (assessor, supervisor)
    holds the caseload; the reviewer's team is given the review cohort (everyone named by two or
    more allegations); the investigator one serial subject by name; a senior officer's record is
    restricted (only the supervisor is granted it); and the reviewer's account is tied to their own
    record on the register, with a declared conflict on one colleague in the cohort, so both
    refusals can be seen in the audit viewer."""
    from django.db.models import Count

    from vigil.accounts.models import AccountPerson, ConflictDeclaration
    from vigil.accounts.services import (
        access_grant,
        account_person_link,
        conflict_declare,
        record_restrict,
        team_ensure,
    )
    from vigil.allegations.models import Allegation

    users = {user.username: user for user in User.objects.filter(username__in=[role.value for role in Role])}
    if len(users) < len(Role) or not Person.objects.exists():
        return None
    reason = "demo set-up"
    with transaction.atomic():
        assessment = team_ensure(
            name="Assessment Unit", members=[users[Role.ASSESSOR.value], users[Role.SUPERVISOR.value]]
        )
        access_grant(granted_by=None, reason=reason, team=assessment, caseload=True)
        review = team_ensure(name="Review Team 1", members=[users[Role.REVIEWER.value]])
        counts = (
            Allegation.objects.exclude(subject_staff_id="")
            .values("subject_staff_id")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .order_by("-n", "subject_staff_id")
        )
        by_count = [row["subject_staff_id"] for row in counts]
        cohort = list(Person.objects.filter(staff_id__in=by_count).order_by("staff_id"))
        for person in cohort:
            access_grant(granted_by=None, reason=reason, team=review, person=person)
        ranked = sorted(cohort, key=lambda person: by_count.index(person.staff_id))
        serial = ranked[0]
        access_grant(granted_by=None, reason=reason, user=users[Role.INVESTIGATOR.value], person=serial)
        named = Allegation.objects.exclude(subject_staff_id="").values("subject_staff_id")
        senior = (
            Person.objects.filter(staff_id__in=named, rank_or_grade__in=SENIOR_RANKS)
            .order_by("staff_id")
            .first()
            or ranked[-1]
        )
        record_restrict(
            restricted_by=users[Role.SUPERVISOR.value], reason="Senior officer as subject", person=senior
        )
        reviewer = users[Role.REVIEWER.value]
        own = AccountPerson.objects.filter(user=reviewer).select_related("person").first()
        own_person = own.person if own else None
        if own_person is None:
            own_person = (
                Person.objects.filter(employment_type="staff", left_on__isnull=True)
                .exclude(staff_id__in=by_count)
                .order_by("staff_id")
                .first()
            )
            if own_person is not None:
                account_person_link(user=reviewer, person=own_person, linked_by=None)
        colleague = next(p for p in ranked[1:] if p.pk != senior.pk)
        declared = ConflictDeclaration.objects.filter(user=reviewer).first()
        if declared is None:
            conflict_declare(user=reviewer, staff_id=colleague.staff_id, reason="We worked on the same team")
            declared_staff_id = colleague.staff_id
        else:
            declared_staff_id = declared.staff_id
    return DemoAccess(
        caseload_team=assessment.name,
        review_team=review.name,
        review_cohort=len(cohort),
        investigator_subject=f"{serial.force} {serial.staff_id}",
        restricted_subject=f"{senior.force} {senior.staff_id} ({senior.rank_or_grade})",
        reviewer_own_record=f"{own_person.force} {own_person.staff_id}" if own_person else "none",
        reviewer_conflict=declared_staff_id,
    )


@dataclass(frozen=True)
class DemoReviews:
    """The review work the demo starts with, for `vigil demo` to print."""

    assigned: list[str]
    restricted: str
    reconsider: str


def demo_reviews_ensure() -> DemoReviews | None:
    """Some review work in progress (idempotent: only when no review has a reviewer yet): the
    supervisor gives the reviewer the two highest-scoring people they may see, restricts the first
    with a review date already passed (so the overdue list has an entry), and confirms the most
    likely link waiting in Link review about someone in the cohort, which raises a reconsider task
    through the same path as any new information."""
    from django.utils import timezone

    from vigil.accounts.access import people_visible_q
    from vigil.linkage.models import AllegationLink, LinkStatus
    from vigil.linkage.services import link_confirm
    from vigil.reviews.models import MeasureKind, PersonReview, ReviewStatus
    from vigil.reviews.services import measure_impose, review_assign
    from vigil.risk.selectors import QueueFilters, queue_rows

    users = {user.username: user for user in User.objects.filter(username__in=[role.value for role in Role])}
    supervisor, reviewer = users.get(Role.SUPERVISOR.value), users.get(Role.REVIEWER.value)
    if supervisor is None or reviewer is None or PersonReview.objects.filter(reviewer__isnull=False).exists():
        return None
    reason = "demo set-up"
    with transaction.atomic():
        top = list(
            queue_rows(
                visible=people_visible_q(reviewer), filters=QueueFilters(status=ReviewStatus.AWAITING_REVIEW)
            )[:2]
        )
        if not top:
            return None
        for row in top:
            review_assign(person_id=row.person_id, reviewer=reviewer, by=supervisor)
        today = timezone.localdate()
        first = top[0].person
        measure_impose(
            person_id=first.pk,
            kind=MeasureKind.NO_PUBLIC_FACING,
            reason=f"{reason}: serious allegations under review, contact with the public at risk",
            by=supervisor,
            started_on=today - dt.timedelta(days=35),
            review_by=today - dt.timedelta(days=7),
        )
        waiting = (
            AllegationLink.objects.filter(
                status=LinkStatus.NEEDS_REVIEW, person__review__in_cohort=True, person__left_on__isnull=True
            )
            .select_related("allegation", "person")
            .order_by("-match_probability", "allegation_id")
            .first()
        )
        reconsider = ""
        if waiting is not None and waiting.person is not None:
            link_confirm(
                allegation_id=waiting.allegation_id,
                person_id=waiting.person.pk,
                user=supervisor,
                reason=f"{reason}: the demo's supervisor confirms the most likely waiting link",
            )
            reconsider = (
                f"{waiting.allegation.allegation_ref} → {waiting.person.force} {waiting.person.staff_id}"
            )
    return DemoReviews(
        assigned=[f"{row.person.force} {row.person.staff_id}" for row in top],
        restricted=f"{first.force} {first.staff_id}",
        reconsider=reconsider,
    )


@dataclass(frozen=True)
class DemoHotline:
    """The hotline work the demo starts with, for `vigil demo` to print."""

    waiting: int
    urgent: int
    repeats_about: str
    awaiting_approval: int
    client_name: str
    client_token: str


# (caller type, category, narrative, urgent detail): two callers describe one incident (repeats).
_DEMO_CALLS: tuple[tuple[str, str, str, str], ...] = (
    (
        "victim",
        "stalking",
        "He is outside my house again right now in his marked car and says he will hurt me if I call anyone. "
        "He keeps turning up at my work and tracking my phone.",
        "The caller, at home now; he is parked outside.",
    ),
    (
        "witness",
        "sexual_assault",
        "At the Christmas party at Harrow station the sergeant grabbed my colleague and groped her in the "
        "corridor by the custody suite; she was crying afterwards.",
        "",
    ),
    (
        "colleague",
        "sexual_assault",
        "A sergeant groped a young officer in the corridor near the custody suite at the Harrow station "
        "Christmas party. Several of us saw her crying.",
        "",
    ),
    (
        "anonymous",
        "online_sexual_misconduct",
        "An officer I met on a dating app keeps sending me sexual messages and explicit photos on Snapchat "
        "and says he looked me up on the police computer.",
        "",
    ),
    (
        "family",
        "coercive_control",
        "My sister's partner is a PC. He controls her money, checks her phone and won't let her see us; "
        "he threatened to have her arrested if she leaves.",
        "",
    ),
    (
        "victim",
        "abuse_of_position_sexual",
        "The officer who took my burglary report asked me out and kept texting me about my case, then "
        "suggested a sexual relationship.",
        "",
    ),
)


def demo_hotline_ensure() -> DemoHotline | None:
    """Hotline calls waiting for triage (idempotent: only when there are none yet): an urgent call,
    two calls about one incident (the repeat check pairs them), calls from the provider's API,
    and a no-further-action decision on a sexual-offence report waiting for a supervisor."""
    from django.utils import timezone

    from vigil.intake.models import Channel, HotlineReport
    from vigil.intake.services import ReportInput, intake_client_create, report_file, triage_decide

    users = {user.username: user for user in User.objects.filter(username__in=[role.value for role in Role])}
    handler, assessor = users.get(Role.CALL_HANDLER.value), users.get(Role.ASSESSOR.value)
    if handler is None or assessor is None or HotlineReport.objects.exists():
        return None
    serving = Person.objects.filter(left_on__isnull=True, employment_type="officer").order_by("id")
    subjects = list(serving[:40:8])
    if len(subjects) < 4:
        return None
    now = timezone.now()
    with transaction.atomic():
        client, token = intake_client_create(name="Hotline provider (demo)", actor_label=IMPORTED_BY)
        filed = []
        for index, (caller, category, narrative, urgent) in enumerate(_DEMO_CALLS):
            # Calls 2 and 3 are the same incident, about the same person.
            subject = subjects[(0, 1, 1, 2, 3, 0)[index]]
            data = ReportInput(
                caller_type=caller,
                narrative=narrative,
                category=category,
                anonymity_requested=caller == "anonymous",
                contact="" if caller == "anonymous" else f"0770090{index:04d} (synthetic)",
                incident_date=(now - dt.timedelta(days=3 if index in (1, 2) else index + 1)).date(),
                subject_name=f"{subject.forenames} {subject.surname}" if index != 3 else subject.forenames,
                subject_rank=subject.rank_or_grade,
                subject_station="Harrow" if index in (1, 2) else "",
                subject_command=subject.command,
                immediate_risk=bool(urgent),
                immediate_risk_detail=urgent,
                handler_candidate_id=subject.pk if index != 3 else None,
                received_at=now - dt.timedelta(hours=len(_DEMO_CALLS) - index),
                client_report_id=f"DEMO-{index + 1:04d}" if index >= 4 else "",
            )
            if index >= 4:
                report, _ = report_file(data=data, channel=Channel.API, client=client)
            else:
                report, _ = report_file(data=data, channel=Channel.FORM, call_handler=handler)
            filed.append(report)
        # An assessor proposes no further action on the dating-app report: a supervisor must agree.
        triage_decide(
            report_id=filed[3].pk,
            by=assessor,
            route="no_further_action",
            reasons="demo set-up: the caller gave no name or number and no way back to them.",
            reason_codes=["subject_not_identified", "insufficient_detail"],
        )
    return DemoHotline(
        waiting=len(filed) - 1,
        urgent=1,
        repeats_about=f"{subjects[1].force} {subjects[1].staff_id}",
        awaiting_approval=1,
        client_name=client.name,
        client_token=token,
    )
