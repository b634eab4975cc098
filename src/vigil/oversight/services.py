"""Writes for oversight: an export of the board pack is a disclosure, so it is audited (what,
why, to whom) before the file is handed over."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.audit.services import audit_record
from vigil.oversight import exports
from vigil.oversight.selectors import oversight_figures


@dataclass(frozen=True)
class Report:
    content: bytes
    fmt: str
    audit_entry_id: int

    @property
    def content_type(self) -> str:
        return exports.CONTENT_TYPES[self.fmt]


def oversight_report_export(
    *,
    fmt: str,
    justification: Justification,
    recipient: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    actor_label: str = "",
    request: HttpRequest | None = None,
) -> Report:
    """The board pack in `fmt` (pdf, xlsx, csv), with its audit entry written."""
    content = exports.render(oversight_figures(), fmt)  # a bad format fails before anything is logged
    entry = audit_record(
        action=Action.OVERSIGHT_EXPORTED,
        actor=actor,
        actor_label=actor_label,
        record_type="oversight_report",
        record_label=f"Oversight report ({fmt})",
        justification=justification,
        recipient=recipient,
        detail={"format": fmt, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()},
        request=request,
    )
    return Report(content, fmt, entry.id)
