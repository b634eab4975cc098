"""Writing to the audit trail. Every entry is appended by `audit_record`, which links it to the
entry before; appends are serialised so the chain never forks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from vigil.accounts.selectors import user_roles
from vigil.audit.actions import NEEDS_JUSTIFICATION, NEEDS_RECIPIENT, Action
from vigil.audit.chain import canonical_detail, content_hash
from vigil.audit.justification import Justification
from vigil.audit.models import GENESIS_HASH, AuditEntry

# pg_advisory_xact_lock key for "append to the audit trail" (an arbitrary fixed 64-bit number,
# the first 8 bytes of sha256(b"vigil.audit.append") read as a signed integer).
APPEND_LOCK_KEY = 8239370208233006293
_MAX_LENGTHS = {field.name: field.max_length for field in AuditEntry._meta.concrete_fields}


def _text(value: str, field: str) -> str:
    """A value as the column will keep it: cut to the column's length (PostgreSQL would refuse a
    longer one, SQLite would keep it) and without NUL or lone surrogates (PostgreSQL refuses both;
    what is hashed must be what is stored)."""
    max_length = _MAX_LENGTHS[field]
    cleaned = value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return cleaned[:max_length] if max_length else cleaned


def audit_record(
    *,
    action: Action,
    actor: AbstractBaseUser | AnonymousUser | None,
    record_type: str = "",
    record_id: str | int = "",
    record_label: str = "",
    justification: Justification | None = None,
    recipient: str = "",
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry. Consultation and disclosure need a justification, disclosure a recipient
    (Data Protection Act 2018, s.62); anything else missing is a ValueError, not a silent gap.

    Inside a caller's transaction it is a savepoint: if that transaction rolls back, the entry goes
    with it (it recorded something that did not happen), and other appends wait for it to end
    (the append lock is held to the end of the outermost transaction), so call it late in one."""
    if not isinstance(action, Action):
        try:
            action = Action(action)
        except ValueError:
            raise ValueError(f"{action!r} is not a registered audit action") from None
    category = action.category
    if category in NEEDS_JUSTIFICATION and justification is None:
        raise ValueError(f"{action.value} ({category.value}) needs a justification")
    if category in NEEDS_RECIPIENT and not recipient.strip():
        raise ValueError(f"{action.value} ({category.value}) needs the recipient it was disclosed to")

    if actor is not None and actor.is_authenticated:
        actor_id: int | None = actor.pk
        label = actor.get_username()
        roles = ",".join(sorted(role.value for role in user_roles(actor)))
    else:
        actor_id = None
        label = actor_label or ("system" if actor is None else "anonymous")
        roles = ""
    values: dict[str, Any] = {
        "actor_id": actor_id,
        "actor_label": _text(label, "actor_label"),
        "actor_roles": _text(roles, "actor_roles"),
        "action": action.value,
        "record_type": _text(record_type, "record_type"),
        "record_id": _text(str(record_id), "record_id"),
        "record_label": _text(record_label, "record_label"),
        "justification_reason": justification.reason if justification else "",
        "justification_text": _text(justification.text.strip(), "justification_text")
        if justification
        else "",
        "recipient": _text(recipient.strip(), "recipient"),
        "detail": _text(canonical_detail(detail), "detail") if detail else "",
        "ip_address": _text(request.META.get("REMOTE_ADDR") or "", "ip_address") if request else "",
        "request_id": getattr(request, "vigil_request_id", None) or str(uuid4()),
    }
    with transaction.atomic():
        # Serialise appends: PostgreSQL through a transaction-scoped advisory lock; SQLite's
        # IMMEDIATE transactions (settings) already hold the database's write lock.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
        # The id is part of the hash, so it is chosen here rather than by the database (no UPDATE
        # after the INSERT: the table refuses updates); under the lock the ids are gapless.
        values["id"] = last[0] + 1 if last else 1
        values["previous_hash"] = last[1] if last else GENESIS_HASH
        values["occurred_at"] = timezone.now()
        entry = AuditEntry(**values, entry_hash=content_hash(values))
        entry.save(force_insert=True)
    return entry
