"""The hash chain: what an entry's hash covers, and the check that every entry still has it.

An entry's hash is the SHA-256 of its canonical content: every column but `entry_hash` itself,
including its id and the previous entry's hash, as compact JSON with sorted keys. Editing any
column, or moving an entry to another id, changes that hash; deleting, inserting or reordering
entries breaks the link from the next entry. Rewriting the whole chain from some point on is only
caught against a head hash written down elsewhere beforehand (`vigil audit head`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from vigil.audit.models import GENESIS_HASH, AuditEntry

# Every column but entry_hash. Fixed here rather than read from the model, so that adding a column
# is a deliberate change of what is hashed (tests/audit checks the two agree).
CANONICAL_FIELDS: tuple[str, ...] = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_roles",
    "action",
    "record_type",
    "record_id",
    "record_label",
    "justification_reason",
    "justification_text",
    "recipient",
    "detail",
    "ip_address",
    "request_id",
    "previous_hash",
)

VERIFY_CHUNK = 5_000  # rows fetched per round trip while verifying: memory stays constant
HASH_PATTERN = re.compile(r"[0-9a-f]{64}")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be written to the audit trail")


# One encoder, built once: json.dumps would build a new one for every entry verified.
_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    default=_json_default,
)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def canonical_detail(detail: Mapping[str, Any]) -> str:
    """The canonical JSON text kept in AuditEntry.detail (dates become ISO-8601 strings)."""
    return _dumps(dict(detail))


def canonical_time(moment: dt.datetime) -> str:
    """UTC, ISO-8601, always with microseconds: the same text whichever database returned it."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_content(values: Mapping[str, Any]) -> str:
    """The text an entry's hash covers; `values` holds every CANONICAL_FIELDS column."""
    content = {name: values[name] for name in CANONICAL_FIELDS}
    content["occurred_at"] = canonical_time(content["occurred_at"])
    return _dumps(content)


def content_hash(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_content(values).encode("utf-8")).hexdigest()


def entry_content_hash(entry: AuditEntry) -> str:
    """The hash `entry` should carry, recomputed from its columns."""
    return content_hash({name: getattr(entry, name) for name in CANONICAL_FIELDS})


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int  # entries checked (all of them when ok)
    head_id: int | None  # the last entry checked
    head_hash: str  # its hash (GENESIS_HASH for an empty trail)
    problem: str = ""  # the first problem, in words a person can act on
    bad_entry_id: int | None = None
    noted_head_id: int | None = None  # where the --head hash was found (None for genesis)


def audit_head() -> tuple[int, str] | None:
    """(id, hash) of the last entry, or None when the trail is empty."""
    return AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()


def _rows() -> Iterable[tuple[Any, ...]]:
    # Tuples, not model instances: a million entries verify in seconds, in constant memory.
    return (
        AuditEntry.objects.order_by("id")
        .values_list(*CANONICAL_FIELDS, "entry_hash")
        .iterator(chunk_size=VERIFY_CHUNK)
    )


def audit_verify(*, head: str | None = None, progress: Callable[[int], object] | None = None) -> VerifyResult:
    """Recompute every entry's hash and link, in id order; stop at the first bad entry.

    `head` is a hash written down earlier: it must still be in the chain, or everything up to it
    was rewritten or removed (this is also what catches a deleted last entry or an emptied table).
    `progress(n)` is called after every n entries checked."""
    if head is not None:
        head = head.strip().lower()
        if not HASH_PATTERN.fullmatch(head):
            raise ValueError(f"{head!r} is not a SHA-256 hash (64 hexadecimal characters)")
    previous_hash = GENESIS_HASH
    previous_id: int | None = None
    noted_found = head is None or head == GENESIS_HASH
    noted_id: int | None = None
    count = 0
    hash_index = len(CANONICAL_FIELDS)
    id_index = CANONICAL_FIELDS.index("id")
    previous_index = CANONICAL_FIELDS.index("previous_hash")
    for row in _rows():
        entry_id: int = row[id_index]
        stored_hash: str = row[hash_index]
        if content_hash(dict(zip(CANONICAL_FIELDS, row, strict=False))) != stored_hash:
            return VerifyResult(
                ok=False,
                entries=count,
                head_id=previous_id,
                head_hash=previous_hash,
                problem=f"entry #{entry_id} was altered: its content no longer matches its hash",
                bad_entry_id=entry_id,
            )
        if row[previous_index] != previous_hash:
            after = "the start of the trail" if previous_id is None else f"#{previous_id}"
            return VerifyResult(
                ok=False,
                entries=count,
                head_id=previous_id,
                head_hash=previous_hash,
                problem=(
                    f"entry #{entry_id} does not follow {after}: an entry before it was deleted, "
                    "inserted, reordered or rewritten"
                ),
                bad_entry_id=entry_id,
            )
        if not noted_found and stored_hash == head:
            noted_found, noted_id = True, entry_id
        previous_hash, previous_id = stored_hash, entry_id
        count += 1
        if progress is not None and count % VERIFY_CHUNK == 0:
            progress(VERIFY_CHUNK)
    if progress is not None and count % VERIFY_CHUNK:
        progress(count % VERIFY_CHUNK)
    if not noted_found:
        return VerifyResult(
            ok=False,
            entries=count,
            head_id=previous_id,
            head_hash=previous_hash,
            problem=f"head {head} is not in the chain: entries up to it were rewritten or removed",
        )
    return VerifyResult(
        ok=True, entries=count, head_id=previous_id, head_hash=previous_hash, noted_head_id=noted_id
    )
