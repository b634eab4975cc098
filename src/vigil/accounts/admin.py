"""The administrator's pages for accounts: teams, and authenticator devices.

Need-to-know records (assignments, restrictions, conflicts, account ties) are not here: which people
are assigned or restricted is itself case content, which administrators do not see."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from vigil.accounts.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("members",)


class VigilTOTPDeviceAdmin(TOTPDeviceAdmin):
    """An administrator may see and delete a user's authenticator (a lost phone), never add or edit
    one: whoever sets a device's key can produce its codes, and so could sign in as a supervisor or
    auditor with a reset password."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, VigilTOTPDeviceAdmin)
