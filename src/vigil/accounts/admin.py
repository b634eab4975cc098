"""The administrator's pages for accounts: users, their roles and teams, and authenticator devices.

Need-to-know records (assignments, restrictions, conflicts, account ties) are not here: which people
are assigned or restricted is itself case content, which administrators do not see.

Every change made here is audited by vigil.accounts.signals (before and after, with the signed-in
administrator as the actor), and nobody gives themselves a role, a team or admin status: the forms
say so before anything is saved, and the signals refuse it whatever the path."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from vigil.accounts.models import Team
from vigil.core.admin_mixins import ReadOnlyAdminMixin

SELF_ROLE_MESSAGE = (
    "You cannot give yourself a role ({names}): another administrator must make this change, "
    "so that nobody grants themselves access to cases."
)
SELF_STATUS_MESSAGE = "You cannot give yourself {names}: another administrator must make this change."
SELF_TEAM_MESSAGE = (
    "You cannot add yourself to a team: another administrator must make this change, "
    "so that nobody grants themselves access to cases."
)
STATUS_LABELS = {"is_staff": "staff status", "is_superuser": "superuser status", "is_active": "active status"}


class _SelfGrantUserForm(forms.ModelForm):  # type: ignore[type-arg]
    """The user change form, refusing the signed-in administrator's own escalation."""

    acting_user_id: int | None = None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None or self.instance.pk != self.acting_user_id:
            return cleaned
        if "groups" in cleaned:
            held = set(self.instance.groups.values_list("pk", flat=True))
            added = sorted(group.name for group in cleaned["groups"] if group.pk not in held)
            if added:
                self.add_error("groups", SELF_ROLE_MESSAGE.format(names=", ".join(added)))
        raised = [
            STATUS_LABELS[name]
            for name in ("is_staff", "is_superuser", "is_active")
            # Before _post_clean, the instance still holds the saved values.
            if cleaned.get(name) and not getattr(self.instance, name)
        ]
        if raised:
            raise forms.ValidationError(SELF_STATUS_MESSAGE.format(names=" and ".join(raised)))
        return cleaned


class VigilUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, with the self-grant rule and without deletion: an account is
    deactivated, never deleted, so its assignments, declarations and audit history stay (and the
    deletion page would list, by name, the case records tied to the account)."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        return type("VigilUserChangeForm", (_SelfGrantUserForm, form), {"acting_user_id": request.user.pk})

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RoleGroupAdmin(ReadOnlyAdminMixin, GroupAdmin):
    """The role groups are defined in code (vigil.accounts.roles) and created by every migrate:
    viewable here, never renamed, re-permissioned or deleted (Vigil reads the group's name only)."""


class _TeamForm(forms.ModelForm):  # type: ignore[type-arg]
    acting_user_id: int | None = None

    class Meta:
        model = Team
        fields = ("name", "members")

    def clean_members(self) -> Any:
        members = self.cleaned_data["members"]
        already = set(self.instance.members.values_list("pk", flat=True)) if self.instance.pk else set()
        if self.acting_user_id in {member.pk for member in members} - already:
            raise forms.ValidationError(SELF_TEAM_MESSAGE)
        return members


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("members",)
    form = _TeamForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("VigilTeamForm", (form,), {"acting_user_id": request.user.pk})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A team that was ever assigned records is kept: deleting it would delete its assignments'
        # history, and the confirmation page would list the records by name.
        return obj is not None and not obj.grants.exists()


class VigilTOTPDeviceAdmin(TOTPDeviceAdmin):
    """An administrator may see and delete a user's authenticator (a lost phone), never add or edit
    one: whoever sets a device's key can produce its codes, and so could sign in as a supervisor or
    auditor with a reset password."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.register(User, VigilUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, VigilTOTPDeviceAdmin)
