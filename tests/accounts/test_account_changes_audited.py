"""Issue 17, finding 6: every change of a user's roles, teams, assignments, status and two-factor
devices is in the hash-chained audit trail with before and after, whichever way it is made (the
Django admin, `vigil access`, single sign-on, a page, the models directly); nobody gives themselves a
role, a team, an assignment or admin status; administrators do not see case records."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from tests.factories import allegation_create, person_create
from vigil.accounts.actor import SelfGrantRefused, acting_as
from vigil.accounts.models import AccessGrant, ConflictDeclaration, GrantTarget, Team
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.accounts.services import (
    access_grant,
    account_person_link,
    conflict_declare,
    record_restrict,
    team_ensure,
    user_roles_change,
)
from vigil.audit.actions import Action
from vigil.audit.chain import audit_verify
from vigil.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]


def entries(action: Action, user: User | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.filter(action=action.value).order_by("id")
    if user is not None:
        found = found.filter(record_type="user", record_id=str(user.pk))
    return list(found)


def detail(entry: AuditEntry) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(entry.detail)
    return loaded


def group(role: Role) -> Group:
    return Group.objects.get(name=role.value)


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_change(client: Client, user: User, **changes: Any) -> Any:
    """POST the admin's change form for `user`, as it stands, with `changes`."""
    user.refresh_from_db()
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if changes.pop(flag, getattr(user, flag)):
            data[flag] = "on"
    data.update(changes)
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


# ---- the Django admin ------------------------------------------------------------------------------


def test_an_administrator_cannot_give_themselves_a_role_in_the_admin(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR, username="admin.one")
    response = user_change(
        admin_client(administrator),
        administrator,
        groups=[group(Role.ADMINISTRATOR).pk, group(Role.ASSESSOR).pk],
    )
    assert response.status_code == 200
    assert (
        "You cannot give yourself a role (assessor): another administrator must" in response.content.decode()
    )
    assert user_roles(User.objects.get(pk=administrator.pk)) == {Role.ADMINISTRATOR}
    assert entries(Action.ACCOUNT_ROLES_CHANGED, administrator) == entries(Action.ACCOUNT_ROLES_CHANGED)[:1]


def test_another_administrator_gives_the_role_and_it_is_audited_with_before_and_after(
    make_user: MakeUser,
) -> None:
    target = make_user(Role.ADMINISTRATOR, username="admin.one")
    other = make_user(Role.ADMINISTRATOR, username="admin.two")
    response = user_change(
        admin_client(other), target, groups=[group(Role.ADMINISTRATOR).pk, group(Role.ASSESSOR).pk]
    )
    assert response.status_code == 302
    assert user_roles(User.objects.get(pk=target.pk)) == {Role.ADMINISTRATOR, Role.ASSESSOR}
    entry = entries(Action.ACCOUNT_ROLES_CHANGED, target)[-1]
    assert (entry.actor_id, entry.actor_label, entry.record_label) == (other.pk, "admin.two", "admin.one")
    assert detail(entry) == {"before": ["administrator"], "after": ["administrator", "assessor"]}
    assert entry.ip_address == "127.0.0.1" and entry.request_id
    assert audit_verify().ok


def test_an_administrator_cannot_make_themselves_superuser_in_the_admin(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR)
    administrator.is_superuser = False
    administrator.save()
    # Without superuser, an administrator who may edit users (a force could set it up that way).
    administrator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user", "change_user"])
    )
    entry = entries(Action.ACCOUNT_PERMISSIONS_CHANGED, administrator)[-1]
    assert detail(entry) == {"before": [], "after": ["change_user", "view_user"]}
    response = user_change(admin_client(administrator), administrator, is_superuser=True)
    assert response.status_code == 200
    assert "You cannot give yourself superuser status" in response.content.decode()
    assert not User.objects.get(pk=administrator.pk).is_superuser
    # Nor a permission, by any path.
    with acting_as(administrator), pytest.raises(SelfGrantRefused, match="delete_user"):
        administrator.user_permissions.add(Permission.objects.get(codename="delete_user"))


def test_deactivating_an_account_in_the_admin_is_audited(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR, username="admin.one")
    reviewer = make_user(Role.REVIEWER, username="rev")
    assert user_change(admin_client(administrator), reviewer, is_active=False).status_code == 302
    entry = entries(Action.ACCOUNT_STATUS_CHANGED, reviewer)[-1]
    assert entry.actor_label == "admin.one"
    assert detail(entry) == {"before": {"is_active": True}, "after": {"is_active": False}}


def test_an_administrator_cannot_add_themselves_to_a_team_in_the_admin(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR, username="admin.one")
    other = make_user(Role.ADMINISTRATOR, username="admin.two")
    team = Team.objects.create(name="Assessment Unit")
    url = reverse("admin:accounts_team_change", args=[team.pk])

    refused = admin_client(administrator).post(url, {"name": team.name, "members": [administrator.pk]})
    assert refused.status_code == 200
    assert "You cannot add yourself to a team" in refused.content.decode()
    assert not team.members.exists()
    assert not entries(Action.ACCOUNT_TEAMS_CHANGED)

    allowed = admin_client(other).post(url, {"name": team.name, "members": [administrator.pk]})
    assert allowed.status_code == 302
    entry = entries(Action.ACCOUNT_TEAMS_CHANGED, administrator)[-1]
    assert entry.actor_label == "admin.two"
    assert detail(entry) == {"before": [], "after": ["Assessment Unit"]}


def test_accounts_are_deactivated_never_deleted_in_the_admin(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR)
    reviewer = make_user(Role.REVIEWER)
    client = admin_client(administrator)
    assert client.get(reverse("admin:auth_user_delete", args=[reviewer.pk])).status_code == 403
    assert (
        client.post(reverse("admin:auth_user_delete", args=[reviewer.pk]), {"post": "yes"}).status_code == 403
    )
    assert User.objects.filter(pk=reviewer.pk).exists()
    # Role groups are defined in code: not renamed or re-permissioned in the admin.
    assert (
        client.post(
            reverse("admin:auth_group_change", args=[group(Role.ASSESSOR).pk]), {"name": "x"}
        ).status_code
        == 403
    )


# ---- the same rule whatever the path ------------------------------------------------------------


def test_nobody_gives_themselves_a_role_team_or_assignment_by_any_path(make_user: MakeUser) -> None:
    supervisor = make_user(Role.SUPERVISOR, username="sup")
    team = Team.objects.create(name="Review Team")
    person = person_create()
    before = AuditEntry.objects.count()

    with acting_as(supervisor):
        for attempt in (
            lambda: supervisor.groups.add(group(Role.INVESTIGATOR)),
            lambda: group(Role.INVESTIGATOR).user_set.add(supervisor),
            lambda: team.members.add(supervisor),
            lambda: supervisor.vigil_teams.add(team),
            lambda: AccessGrant.objects.create(
                user=supervisor,
                target=GrantTarget.PERSON,
                person=person,
                reason="mine",
                granted_at=timezone.now(),
            ),
        ):
            with pytest.raises(SelfGrantRefused), transaction.atomic():
                attempt()
    with pytest.raises(SelfGrantRefused):
        user_roles_change(user=supervisor, changed_by=supervisor, add=[Role.INVESTIGATOR])
    with pytest.raises(SelfGrantRefused):
        team_ensure(name="Review Team", members=[supervisor], added_by=supervisor)
    with pytest.raises(SelfGrantRefused):
        access_grant(granted_by=supervisor, reason="mine", user=supervisor, person=person)

    assert user_roles(User.objects.get(pk=supervisor.pk)) == {Role.SUPERVISOR}
    assert not team.members.exists() and not AccessGrant.objects.exists()
    assert AuditEntry.objects.count() == before, "a refused change writes nothing"

    # Someone else may; and a supervisor restricting a record keeps it by name (they could already see it).
    other = make_user(Role.ADMINISTRATOR, username="admin")
    user_roles_change(user=supervisor, changed_by=other, add=[Role.INVESTIGATOR])
    assert Role.INVESTIGATOR in user_roles(User.objects.get(pk=supervisor.pk))
    record_restrict(restricted_by=supervisor, reason="senior officer", person=person)
    assert AccessGrant.objects.filter(user=supervisor, person=person).exists()


def test_a_supervisor_cannot_assign_a_record_to_themselves_on_its_page(make_user: MakeUser) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    allegation = allegation_create()
    access_grant(granted_by=None, reason="intake", user=supervisor, allegation=allegation)
    client = admin_client(supervisor)
    url = reverse("allegations:allegation_allocation", args=[allegation.pk])
    response = client.post(
        url, {"action": "assign", "assign-grantee": f"user:{supervisor.pk}", "assign-reason": "mine"}
    )
    assert response.status_code == 200
    assert "You cannot assign a record to yourself" in response.content.decode()
    assert AccessGrant.objects.filter(user=supervisor).count() == 1


def test_a_change_and_its_entry_commit_together(make_user: MakeUser) -> None:
    reviewer = make_user(Role.REVIEWER)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        reviewer.groups.add(group(Role.INVESTIGATOR))
        assert AuditEntry.objects.count() == before + 1
        raise RuntimeError("the change fails later")
    assert AuditEntry.objects.count() == before
    assert user_roles(User.objects.get(pk=reviewer.pk)) == {Role.REVIEWER}


def test_a_change_made_without_an_actor_is_still_audited_as_unattributed(make_user: MakeUser) -> None:
    reviewer = make_user(Role.REVIEWER, username="rev")
    team = Team.objects.create(name="Review Team")
    team.members.add(reviewer)
    entry = entries(Action.ACCOUNT_TEAMS_CHANGED, reviewer)[-1]
    assert entry.actor_id is None and entry.actor_label.startswith("unattributed")
    assert detail(entry) == {"before": [], "after": ["Review Team"]}
    created = entries(Action.ACCOUNT_CREATED, reviewer)
    assert len(created) == 1 and detail(created[0])["after"]["is_active"] is True


def test_nobody_removes_their_own_conflict_declaration_or_record_tie_and_removals_are_audited(
    make_user: MakeUser,
) -> None:
    reviewer = make_user(Role.REVIEWER, username="rev")
    subject = person_create()
    declaration = conflict_declare(user=reviewer, reason="my brother-in-law", staff_id=subject.staff_id)
    tie = account_person_link(user=reviewer, person=person_create(), linked_by=None)
    for row in (declaration, tie):
        refused = pytest.raises(SelfGrantRefused, match="Nobody can remove their")
        with acting_as(reviewer), refused, transaction.atomic():
            row.delete()
    assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()

    declaration.delete()  # a shell, with no actor: done, but on the record
    entry = entries(Action.NEED_TO_KNOW_DELETED)[-1]
    assert entry.record_type == "conflictdeclaration" and entry.actor_label.startswith("unattributed")
    assert detail(entry)["before"]["staff_id"] == subject.staff_id and detail(entry)["after"] is None


# ---- the command line -----------------------------------------------------------------------------


def test_the_cli_changes_roles_teams_and_status_and_each_is_audited(make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER, username="rev")
    call_command("access", "role", "rev", "--add", "assessor", "--remove", "reviewer")
    call_command("access", "team", "Assessment Unit", "--add", "rev")
    call_command("access", "active", "rev", "--off")

    roles, teams, status = (
        entries(Action.ACCOUNT_ROLES_CHANGED, user),
        entries(Action.ACCOUNT_TEAMS_CHANGED, user),
        entries(Action.ACCOUNT_STATUS_CHANGED, user),
    )
    cli = [roles[-2], roles[-1], teams[-1], status[-1]]
    assert all(e.actor_id is None and e.actor_label.startswith("vigil access (") for e in cli)
    assert [detail(e) for e in cli] == [
        {"before": ["reviewer"], "after": []},
        {"before": [], "after": ["assessor"]},
        {"before": [], "after": ["Assessment Unit"]},
        {"before": {"is_active": True}, "after": {"is_active": False}},
    ]
    assert not User.objects.get(pk=user.pk).is_active


# ---- two-factor devices ---------------------------------------------------------------------------


def test_two_factor_devices_added_and_removed_are_audited(make_user: MakeUser) -> None:
    supervisor = make_user(Role.SUPERVISOR, username="sup")
    device = TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=False)
    assert not entries(Action.TWO_FACTOR_DEVICE_ADDED), "an unfinished enrolment signs nobody in"
    with acting_as(supervisor):  # as enrolment does, on the user's own request
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    added = entries(Action.TWO_FACTOR_DEVICE_ADDED, supervisor)
    assert len(added) == 1 and added[0].actor_label == "sup"
    label = f"otp_totp.totpdevice#{device.pk} Authenticator app"
    assert detail(added[0]) == {"device": label, "key_replaced": False, "before": [], "after": [label]}
    device.verify_token("000000")  # a sign-in's save changes nothing that matters
    assert len(entries(Action.TWO_FACTOR_DEVICE_ADDED)) == 1

    # The administrator removes it (a lost phone) through the admin.
    administrator = make_user(Role.ADMINISTRATOR, username="admin")
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert admin_client(administrator).post(url, {"post": "yes"}).status_code == 302
    removed = entries(Action.TWO_FACTOR_DEVICE_REMOVED, supervisor)
    assert len(removed) == 1 and removed[0].actor_label == "admin"
    assert detail(removed[0]) == {"device": label, "before": [label], "after": []}


# ---- administrators do not see case records -------------------------------------------------------

# What the admin may show: accounts and their devices, sign-in lock-outs, reference vocabularies and
# the record of imports. Nothing about a person, an allegation, a report, a review or who sees what.
ADMIN_ALLOWED = {
    "auth.user",
    "auth.group",
    "accounts.team",
    "otp_totp.totpdevice",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "allegations.category",
    "allegations.source",
    "allegations.relationship",
    "allegations.outcome",
    "imports.importbatch",
}
REFERENCE = {"allegations.category", "allegations.source", "allegations.relationship", "allegations.outcome"}


def test_only_accounts_and_reference_data_are_in_the_admin() -> None:
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= ADMIN_ALLOWED, f"case records must not be in the admin: {registered - ADMIN_ALLOWED}"
    for label in REFERENCE | {"imports.importbatch"}:
        model_admin = admin.site._registry[apps.get_model(label)]
        assert not model_admin.has_change_permission(None) and not model_admin.has_add_permission(None)  # type: ignore[arg-type]


def test_an_administrator_cannot_open_case_records_in_the_admin(make_user: MakeUser) -> None:
    administrator = make_user(Role.ADMINISTRATOR)
    assert administrator.is_superuser
    client = admin_client(administrator)
    person, allegation = person_create(), allegation_create()
    vigil_models = [
        model
        for model in apps.get_models()
        if model._meta.app_label
        in {"people", "allegations", "intake", "reviews", "linkage", "risk", "oversight", "audit", "accounts"}
        and model._meta.label_lower not in ADMIN_ALLOWED
    ]
    assert len(vigil_models) > 10
    for model in vigil_models:
        meta = model._meta
        for url in (
            f"/admin/{meta.app_label}/{meta.model_name}/",
            f"/admin/{meta.app_label}/{meta.model_name}/1/change/",
        ):
            assert client.get(url).status_code == 404, url
    # Django's "view on site" redirect, which takes any content type, reveals nothing either.
    for record in (person, allegation):
        content_type = ContentType.objects.get_for_model(record)
        assert client.get(f"/admin/r/{content_type.pk}/{record.pk}/").status_code == 404


def test_a_superuser_without_a_case_role_is_refused_every_case_page(make_user: MakeUser) -> None:
    """Vigil's pages read roles only, never is_superuser: the administrator (a superuser, for the
    admin's sake) gets the case pages only if someone else gives them a case role."""
    administrator = make_user(Role.ADMINISTRATOR)
    client = admin_client(administrator)
    person, allegation = person_create(), allegation_create()
    for url in (
        reverse("people:person_search"),
        reverse("people:person_detail", args=[person.pk]),
        reverse("allegations:allegation_list"),
        reverse("allegations:allegation_detail", args=[allegation.pk]),
        reverse("intake:triage_queue"),
        reverse("reviews:queue"),
        reverse("audit:entry_list"),
    ):
        assert client.get(url).status_code == 403, url
