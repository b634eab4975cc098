"""Sign-ins, sign-outs, failures and lock-outs go into the audit trail; so does every change of an
account's roles, teams, status (active, staff, superuser), assignments and two-factor devices.

Connected in AccountsConfig.ready(). The attempted password is never read: Django masks it in the
failure signal's credentials, and only the username is taken from them.

Account changes are caught on the models (m2m_changed, pre/post_save, post_delete), not in each form,
so the Django admin, `vigil access`, single sign-on, the pages and a shell are all covered. Each
change writes one entry with the value before and after, inside the change's own transaction when
it has one (the admin, the services and `vigil access` each run in one). Who made it comes from
vigil.accounts.actor; nobody may give themselves a role, a team, an assignment or admin status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import models
from django.http import HttpRequest

from vigil.accounts.actor import SelfGrantRefused, current_actor
from vigil.audit.actions import Action

OIDC_BACKEND = "vigil.accounts.oidc.VigilOIDCBackend"


def _sign_in_method(user: AbstractBaseUser) -> str:
    return "single_sign_on" if getattr(user, "backend", "") == OIDC_BACKEND else "password"


def on_user_logged_in(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    from vigil.audit.services import audit_record  # lazily: the audit app imports accounts

    audit_record(
        action=Action.LOGIN,
        actor=user,
        detail={"method": _sign_in_method(user)},
        request=request,
    )


def on_user_logged_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is None:  # signing out with no session: nothing happened
        return
    from vigil.audit.services import audit_record

    audit_record(action=Action.LOGOUT, actor=user, request=request)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from vigil.audit.services import audit_record

    username = credentials.get("username")
    detail: dict[str, Any] = {}
    # Set by axes' receiver, which runs first (INSTALLED_APPS order): failures for this
    # username+address within the cool-off, counting this one.
    failures = getattr(request, "axes_failures_since_start", None)
    if isinstance(failures, int):
        detail["failures"] = failures
    if "nonce" in credentials:  # the single sign-on callback: there is no username to report
        detail["method"] = "single_sign_on"
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=None,
        actor_label=username if isinstance(username, str) and username else "unknown",
        detail=detail or None,
        request=request,
    )


def on_user_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """axes' user_locked_out: sent when a failure reaches the limit, and for each attempt refused
    during the lock-out."""
    from vigil.audit.services import audit_record

    audit_record(
        action=Action.LOCKED_OUT,
        actor=None,
        actor_label=username or "unknown",
        detail={
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        request=request,
    )


# ---- account changes -------------------------------------------------------------------------------


def _audit_account(
    action: Action, *, user_id: int, username: str, detail: dict[str, Any], record_type: str = "user"
) -> None:
    from vigil.audit.services import audit_record

    actor = current_actor()
    audit_record(
        action=action,
        actor=actor.user,
        actor_label=actor.label,
        record_type=record_type,
        record_id=user_id,
        record_label=username,
        detail=detail,
        request=actor.request,
    )


def _usernames(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=list(user_ids)).values_list("pk", "username"))


def _refuse_self(what: str, names: Iterable[str]) -> None:
    listed = ", ".join(sorted(names))
    raise SelfGrantRefused(
        f"Nobody can give themselves {what} ({listed}): another administrator must make this change."
    )


@dataclass(frozen=True)
class _Membership:
    """A many-to-many between users and named things (role groups, teams)."""

    through: Any  # the auto-created through model
    other: str  # the through model's field for the named side: "group" or "team"
    what: str  # for messages: "a role", "a team"
    action: Action
    name: str = "name"  # the named side's field that names it

    @property
    def stash(self) -> str:
        return f"_vigil_{self.other}_memberships_before"

    def of(self, user_ids: Iterable[int]) -> dict[int, list[str]]:
        held: dict[int, list[str]] = {user_id: [] for user_id in user_ids}
        rows = (
            self.through.objects.filter(user_id__in=list(held))
            .order_by(f"{self.other}__{self.name}")
            .values_list("user_id", f"{self.other}__{self.name}")
        )
        for user_id, name in rows:
            held[user_id].append(name)
        return held

    def changed(
        self,
        sender: Any,
        instance: models.Model,
        action: str,
        model: type[models.Model],
        pk_set: set[int] | None,
        **kwargs: Any,
    ) -> None:
        instance_is_user = isinstance(instance, User)
        if action.startswith("pre_"):
            if instance_is_user:
                user_ids = [instance.pk]
            elif pk_set is not None:
                user_ids = sorted(pk_set)
            else:  # clearing a group or team: every member loses it
                user_ids = list(
                    self.through.objects.filter(**{self.other: instance}).values_list("user_id", flat=True)
                )
            if action == "pre_add" and pk_set:
                self._refuse_self(instance, instance_is_user, model, pk_set, user_ids)
            instance.__dict__[self.stash] = self.of(user_ids)
            return
        before: dict[int, list[str]] | None = instance.__dict__.pop(self.stash, None)
        if not before:
            return
        after = self.of(before)
        if instance_is_user:  # the roles and the access context cached on this object are stale
            instance._vigil_roles = None  # type: ignore[attr-defined]
            instance._vigil_access = None  # type: ignore[attr-defined]
        names = _usernames(before)
        for user_id in sorted(before):
            if before[user_id] != after[user_id]:
                _audit_account(
                    self.action,
                    user_id=user_id,
                    username=names.get(user_id, ""),
                    detail={"before": before[user_id], "after": after[user_id]},
                )

    def _refuse_self(
        self,
        instance: models.Model,
        instance_is_user: bool,
        model: type[models.Model],
        pk_set: set[int],
        user_ids: list[int],
    ) -> None:
        actor_id = current_actor().user_id
        if actor_id is None or actor_id not in user_ids:
            return
        if instance_is_user:
            added = list(model._default_manager.filter(pk__in=pk_set).values_list(self.name, flat=True))
        else:
            added = [str(getattr(instance, self.name))]
        _refuse_self(self.what, added)


STATUS_FIELDS = ("is_active", "is_staff", "is_superuser")


def on_user_pre_save(
    sender: Any, instance: User, raw: bool = False, update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    if raw or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(STATUS_FIELDS):
        return  # a sign-in's last_login, a password: no status change, no extra query
    old = User.objects.filter(pk=instance.pk).values(*STATUS_FIELDS).first()
    if old is None:
        return
    changed = {name: old[name] for name in STATUS_FIELDS if old[name] != getattr(instance, name)}
    if not changed:
        return
    if current_actor().user_id == instance.pk:
        raised = [name for name, was in changed.items() if not was]
        if raised:  # switching a flag off on oneself (deactivating) is allowed
            _refuse_self("admin status or reactivation", raised)
    instance.__dict__["_vigil_status_before"] = changed


def on_user_post_save(sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if created:
        _audit_account(
            Action.ACCOUNT_CREATED,
            user_id=instance.pk,
            username=instance.username,
            detail={"after": {name: getattr(instance, name) for name in STATUS_FIELDS}},
        )
        return
    before: dict[str, bool] | None = instance.__dict__.pop("_vigil_status_before", None)
    if before:
        _audit_account(
            Action.ACCOUNT_STATUS_CHANGED,
            user_id=instance.pk,
            username=instance.username,
            detail={"before": before, "after": {name: getattr(instance, name) for name in before}},
        )


def on_user_post_delete(sender: Any, instance: User, **kwargs: Any) -> None:
    _audit_account(
        Action.ACCOUNT_DELETED,
        user_id=instance.pk,
        username=instance.username,
        detail={"before": {name: getattr(instance, name) for name in STATUS_FIELDS}},
    )


# Two-factor devices: a device counts once confirmed (an unconfirmed one, half-way through
# enrolment, gives no sign-in). Every concrete django-otp device model is watched.


def _device_label(device: models.Model) -> str:
    return f"{device._meta.label_lower}#{device.pk} {device.name}"  # type: ignore[attr-defined]


def _confirmed_devices(device_model: type[models.Model], user_id: int) -> list[str]:
    devices = device_model._default_manager.filter(user_id=user_id, confirmed=True).order_by("pk")
    return [_device_label(device) for device in devices]


def on_device_pre_save(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance._state.adding:
        return
    fields = ["confirmed", "user_id"] + (["key"] if hasattr(instance, "key") else [])
    old = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    instance.__dict__["_vigil_device_before"] = old


def on_device_post_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old: dict[str, Any] | None = instance.__dict__.pop("_vigil_device_before", None)
    was_confirmed = bool(old and old["confirmed"] and old["user_id"] == instance.user_id)
    new_key = bool(old and "key" in old and old["key"] != instance.key)
    if instance.confirmed and (not was_confirmed or new_key):
        action = Action.TWO_FACTOR_DEVICE_ADDED
    elif was_confirmed and not instance.confirmed:
        action = Action.TWO_FACTOR_DEVICE_REMOVED
    else:
        return  # a sign-in's code check, a throttle count: nothing about who may sign in changed
    after = _confirmed_devices(sender, instance.user_id)
    label = _device_label(instance)
    if action == Action.TWO_FACTOR_DEVICE_ADDED:
        replaced = [label] if new_key and was_confirmed else []
        before = [device for device in after if device != label] + replaced
    else:
        before = sorted([*after, label])
    _audit_account(
        action,
        user_id=instance.user_id,
        username=_usernames([instance.user_id]).get(instance.user_id, ""),
        detail={"device": label, "key_replaced": new_key, "before": before, "after": after},
    )


def on_device_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance.confirmed:
        return  # an unfinished enrolment cleared away
    after = _confirmed_devices(sender, instance.user_id)
    _audit_account(
        Action.TWO_FACTOR_DEVICE_REMOVED,
        user_id=instance.user_id,
        username=_usernames([instance.user_id]).get(instance.user_id, ""),
        detail={
            "device": _device_label(instance),
            "before": [*after, _device_label(instance)],
            "after": after,
        },
    )


# Assignments (AccessGrant): the services (vigil.accounts.services) audit their own writes with the
# record they concern; any other write or delete (a cascade, a shell, a future page) is caught here.
GRANT_FIELDS = (
    "user_id",
    "team_id",
    "target",
    "person_id",
    "allegation_id",
    "reason",
    "granted_by_id",
    "revoked_at",
    "revoked_by_id",
)


def _grant_values(grant: Any) -> dict[str, Any]:
    values = {name: getattr(grant, name) for name in GRANT_FIELDS}
    values["revoked_at"] = values["revoked_at"].isoformat() if values["revoked_at"] else None
    return values


def on_grant_pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or getattr(instance, "_vigil_audited", False):
        return
    if instance._state.adding:
        actor_id = current_actor().user_id
        if actor_id is not None and instance.user_id == actor_id:
            _refuse_self("an assignment", [str(instance)])
        instance.__dict__["_vigil_grant_before"] = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance.__dict__["_vigil_grant_before"] = _grant_values(old) if old else None


def _grantee(grant: Any) -> str:
    if grant.user_id:
        return "to user " + _usernames([grant.user_id]).get(grant.user_id, f"#{grant.user_id}")
    return f"to team #{grant.team_id}"


def on_grant_post_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or getattr(instance, "_vigil_audited", False) or "_vigil_grant_before" not in instance.__dict__:
        return
    before = instance.__dict__.pop("_vigil_grant_before")
    after = _grant_values(instance)
    if before == after:
        return
    _audit_account(
        Action.ACCOUNT_GRANT_CHANGED,
        record_type="access_grant",
        user_id=instance.pk,
        username=_grantee(instance),
        detail={"grant": instance.pk, "before": before, "after": after},
    )


def on_grant_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    _audit_account(
        Action.ACCOUNT_GRANT_CHANGED,
        record_type="access_grant",
        user_id=instance.pk,
        username=_grantee(instance),
        detail={"grant": instance.pk, "before": _grant_values(instance), "after": None},
    )


# Account ties, conflict declarations and restrictions are never deleted by Vigil (a declaration
# cannot be withdrawn by its maker); one deleted any other way (a cascade, a shell) is audited, and
# nobody removes their own tie to their record or their own declaration.


def _row_values(instance: models.Model) -> dict[str, Any]:
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in values.items()
    }


def on_need_to_know_pre_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id = getattr(instance, "user_id", None)
    if user_id is not None and current_actor().user_id == user_id:
        own = (
            "own conflict declaration"
            if sender._meta.model_name == "conflictdeclaration"
            else "account's tie to their own record"
        )
        raise SelfGrantRefused(f"Nobody can remove their {own}: it keeps them away from their own cases.")


def on_need_to_know_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    _audit_account(
        Action.NEED_TO_KNOW_DELETED,
        record_type=sender._meta.model_name,
        user_id=instance.pk,
        username=str(instance),
        detail={"before": _row_values(instance), "after": None},
    )


def _device_models() -> list[type[models.Model]]:
    from django_otp.models import Device  # type: ignore[import-untyped]

    return [model for model in apps.get_models() if issubclass(model, Device) and not model._meta.abstract]


def connect() -> None:
    from axes.signals import user_locked_out  # type: ignore[import-untyped]
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    from vigil.accounts.models import AccessGrant, AccountPerson, ConflictDeclaration, RecordRestriction, Team

    user_logged_in.connect(on_user_logged_in, dispatch_uid="vigil.audit.login")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="vigil.audit.logout")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="vigil.audit.login_failed")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="vigil.audit.locked_out")

    roles = _Membership(User.groups.through, "group", "a role", Action.ACCOUNT_ROLES_CHANGED)
    teams = _Membership(Team.members.through, "team", "a team", Action.ACCOUNT_TEAMS_CHANGED)
    # Vigil's pages read roles only; Django's permissions open parts of the admin, so they are watched too.
    permissions = _Membership(
        User.user_permissions.through,
        "permission",
        "a permission",
        Action.ACCOUNT_PERMISSIONS_CHANGED,
        name="codename",
    )
    for membership in (roles, teams, permissions):
        m2m_changed.connect(
            membership.changed,
            sender=membership.through,
            weak=False,
            dispatch_uid=f"vigil.account.{membership.other}",
        )
    receivers: list[tuple[Any, Callable[..., None], type[models.Model], str]] = [
        (pre_save, on_user_pre_save, User, "user.pre_save"),
        (post_save, on_user_post_save, User, "user.post_save"),
        (post_delete, on_user_post_delete, User, "user.post_delete"),
        (pre_save, on_grant_pre_save, AccessGrant, "grant.pre_save"),
        (post_save, on_grant_post_save, AccessGrant, "grant.post_save"),
        (post_delete, on_grant_post_delete, AccessGrant, "grant.post_delete"),
    ]
    for need_to_know in (AccountPerson, ConflictDeclaration, RecordRestriction):
        name = need_to_know._meta.label_lower
        receivers += [
            (pre_delete, on_need_to_know_pre_delete, need_to_know, f"{name}.pre_delete"),
            (post_delete, on_need_to_know_post_delete, need_to_know, f"{name}.post_delete"),
        ]
    for device_model in _device_models():
        name = device_model._meta.label_lower
        receivers += [
            (pre_save, on_device_pre_save, device_model, f"{name}.pre_save"),
            (post_save, on_device_post_save, device_model, f"{name}.post_save"),
            (post_delete, on_device_post_delete, device_model, f"{name}.post_delete"),
        ]
    for signal, receiver, sender, uid in receivers:
        signal.connect(receiver, sender=sender, dispatch_uid=f"vigil.account.{uid}")
