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
