"""Sealed fields: values encrypted at rest (contact details of complainants and reporters).

A sealed value is stored as a Fernet token (AES-128-CBC + HMAC-SHA256, from `cryptography`), so a
copy of the database (a dump, a backup, a stolen disk) holds no plaintext of it. The keys are
settings.SEAL_KEYS: the first seals, every one opens (MultiFernet), which is what lets
`vigil keys rotate` move every value to a new key while the old one still opens them.

In Python a sealed column reads as a `Sealed`: an opaque value that prints as "[sealed]" in a
template, a log line or a traceback. Its plaintext comes out only through `unseal_value`, which is
for the audited service (vigil.allegations.services) and nothing else: that service checks the
role, takes the justification and writes the audit entry.

Fernet: https://cryptography.io/en/latest/fernet/
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core import exceptions
from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Combinable, Expression
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute
from tqdm import tqdm

from vigil.core import digests
from vigil.core.keyfiles import CachedKeyFile

MASK = "[sealed]"
# Rows read and rewritten per statement batch by keys_rotate / keys_verify.
BATCH = 2_000


class SealError(ValueError):
    """A token that none of the configured keys opens (wrong key, key removed too early, damage)."""


# --- keys -----------------------------------------------------------------------------------------


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def write_key_file(path: Path, keys: Sequence[str]) -> None:
    """Replace the key file atomically (a crash leaves the old file or the new, never half of one),
    readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write("".join(f"{key}\n" for key in keys))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_seal_key_file = CachedKeyFile(what="seal key", needed_for="sealed values cannot be opened without it")


def configured_keys() -> tuple[str, ...]:
    """The keys in force now: the key file's content in key-file mode (settings.SEAL_KEYS_FILE),
    else settings.SEAL_KEYS (from VIGIL_SEAL_KEYS). Read at call time, so tests can swap them."""
    key_file: Path | str | None = getattr(settings, "SEAL_KEYS_FILE", None)
    if key_file is not None:
        return _seal_key_file.keys(Path(key_file))
    return tuple(settings.SEAL_KEYS)


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise exceptions.ImproperlyConfigured("no seal key is configured (VIGIL_SEAL_KEYS)")
    return MultiFernet([_fernet(key, position, len(keys)) for position, key in enumerate(keys, 1)])


def _fernet(key: str, position: int = 1, count: int = 1) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        # Never echo the key itself: it may be a real one with a typo.
        raise exceptions.ImproperlyConfigured(
            f"seal key {position} of {count} is not a Fernet key "
            "(32 url-safe base64-encoded bytes, as `vigil keys new` prints)"
        ) from None


def _current() -> MultiFernet:
    return _multi_fernet(configured_keys())


# --- values ---------------------------------------------------------------------------------------


def seal(plaintext: str) -> str:
    """The Fernet token of `plaintext`, as text. The empty string stays empty: there is nothing to
    hide, and "no contact given" stays visible to queries."""
    if not plaintext:
        return ""
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """The plaintext of a token; SealError if no configured key opens it."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise SealError("no configured seal key opens this value") from None


def fingerprint(plaintext: str) -> str:
    """A keyed digest of a plaintext (vigil.core.digests, under the digest keys, not these): equal
    plaintexts give equal fingerprints (so an import notices an unchanged value), yet without the
    key a fingerprint cannot be brute-forced back to a phone number the way a plain hash could. It
    changes when the first digest key changes (after `vigil keys rotate`)."""
    return digests.fingerprint(plaintext, purpose="sealed value")


class Sealed:
    """A sealed value as the ORM hands it out: the token only, never the plaintext. Prints as
    "[sealed]" (empty when there is no value), so a template or a log shows nothing it should not.
    The plaintext is opened by `unseal_value`, deliberately not a method: templates can reach an
    object's attributes and call its methods, never a module function."""

    __slots__ = ("_token",)

    def __init__(self, token: str = "") -> None:
        self._token = token

    @classmethod
    def from_plaintext(cls, text: str) -> Sealed:
        return cls(seal(text))

    @property
    def token(self) -> str:
        return self._token

    def __bool__(self) -> bool:
        return bool(self._token)

    def __str__(self) -> str:
        return MASK if self._token else ""

    def __repr__(self) -> str:
        return f"Sealed({MASK})" if self._token else "Sealed(empty)"

    def __eq__(self, other: object) -> bool:
        # Two seals of one plaintext differ (random IV): equality is of tokens, i.e. the same seal.
        return isinstance(other, Sealed) and other._token == self._token

    def __hash__(self) -> int:
        return hash(self._token)

    def __getstate__(self) -> str:
        return self._token

    def __setstate__(self, state: str) -> None:
        self._token = state


def unseal_value(sealed: Sealed) -> str:
    """The plaintext of a sealed value. Only for the audited service that checks the role, takes
    the justification and writes the audit entry: no view, template or export calls this."""
    return unseal(sealed.token)


# --- the model field ------------------------------------------------------------------------------


class SealedDescriptor(DeferredAttribute):
    """Seals a plain str the moment it is assigned, so no plaintext stays on the instance."""

    field: SealedTextField

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = self.field.as_sealed(value)


class SealedExact(Exact):  # type: ignore[type-arg]
    """`field=""` (no value) or `field=<Sealed>` (that very seal): a plaintext can never match,
    seals are randomised, so comparing with one is a mistake worth an error."""

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, str) and self.rhs:
            raise ValueError("a sealed field can be compared only with '' (no value) or a Sealed")
        return super().get_prep_lookup()


if TYPE_CHECKING:  # django-stubs' fields are generic (set type, get type); Django's are not
    _SealedBase = models.TextField[str | Sealed | Combinable, Sealed]
else:
    _SealedBase = models.TextField


class SealedTextField(_SealedBase):
    """Text sealed at rest: the column holds the Fernet token ('' when empty), the attribute a
    Sealed. Assigning a str seals it. Serialised data (dumpdata) carries tokens, and to_python
    reads a str as a token for that reason. No form field (a form would show "[sealed]" and save
    it back): an edit form must add its own field and go through the audited service. Only
    `exact` ('' or a Sealed) and `isnull` lookups: a seal cannot be searched."""

    descriptor_class = SealedDescriptor
    description = "Text encrypted at rest (Fernet)"
    _LOOKUPS: ClassVar[dict[str, Any]] = {"exact": SealedExact, "isnull": IsNull}

    def as_sealed(self, value: Any) -> Sealed | None:
        """An assigned value as the attribute keeps it."""
        if isinstance(value, Sealed):
            return value
        if value is None:
            return None if self.null else Sealed("")
        if isinstance(value, str):
            return Sealed.from_plaintext(value)
        raise TypeError(f"a sealed field holds text, not {type(value).__name__}")

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Sealed | None:
        return None if value is None else Sealed(value)

    def to_python(self, value: Any) -> Sealed | None:
        if value is None or isinstance(value, Sealed):
            return value
        return Sealed(str(value))  # a token, from serialised data

    def get_prep_value(self, value: Any) -> str | None:
        value = models.Field.get_prep_value(self, value)  # resolves lazy text
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        return seal(str(value))  # QuerySet.update(field="plaintext")

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return value.token if isinstance(value, Sealed) else ""

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        if not value and not self.blank and value is not None:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")
        super().validate(value, model_instance)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return None

    def get_lookup(self, lookup_name: str) -> Any:
        return self._LOOKUPS.get(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


def sealed_fields() -> list[tuple[type[models.Model], str]]:
    """Every SealedTextField of every installed model (each table once), so rotation covers
    fields added later."""
    return digests.fields_of_type(SealedTextField)


# --- rotation -------------------------------------------------------------------------------------


def _label(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def _columns(model: type[models.Model], name: str) -> tuple[str, str, str]:
    """The quoted table, primary-key column and `name`'s column."""
    quote = connection.ops.quote_name
    pk, column = model._meta.pk, model._meta.get_field(name)
    assert pk is not None and isinstance(column, models.Field) and pk.column and column.column
    return quote(model._meta.db_table), quote(pk.column), quote(column.column)


@dataclass
class RotationReport:
    rotated: dict[str, int] = field(default_factory=dict)  # "app.Model.field" -> values re-sealed
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rotated.values())


@dataclass
class VerificationReport:
    opened: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # "app.Model.field pk=…" of a few failures

    @property
    def ok(self) -> bool:
        return not any(self.failed.values())


def _sealed_batches(model: type[models.Model], name: str) -> Iterator[list[tuple[Any, str]]]:
    """(pk, token) of every non-empty value, in batches by primary key (keyset paging: rewriting
    a batch never disturbs the next SELECT, and each SELECT is an index range scan)."""
    table, pk, column = _columns(model, name)
    first = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> '' ORDER BY {pk} LIMIT %s"  # noqa: S608
    after = f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' ORDER BY {pk} LIMIT %s"  # noqa: S608
    last: Any = None
    with connection.cursor() as cursor:
        while True:
            cursor.execute(first if last is None else after, [BATCH] if last is None else [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


def _count_sealed(model: type[models.Model], name: str) -> int:
    return model._base_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True}).count()


def keys_rotate(*, progress: bool) -> RotationReport:
    """Re-seal every non-empty sealed value under the first configured key (the others must still
    open them). One transaction per model; only the sealed columns are written."""
    fernet = _current()
    started = time.monotonic()
    report = RotationReport()
    by_model: dict[type[models.Model], list[str]] = {}
    for model, name in sealed_fields():
        by_model.setdefault(model, []).append(name)
    for model, names in by_model.items():
        with transaction.atomic():
            for name in names:
                label = _label(model, name)
                table, pk_column, column = _columns(model, name)
                update = f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s"  # noqa: S608
                count = 0
                with (
                    tqdm(
                        total=_count_sealed(model, name),
                        desc=f"re-sealing {label}",
                        unit=" values",
                        disable=not progress,
                        file=sys.stderr,
                        leave=False,
                    ) as bar,
                    connection.cursor() as cursor,
                ):
                    for rows in _sealed_batches(model, name):
                        try:
                            params = [
                                (fernet.rotate(token.encode("ascii")).decode("ascii"), pk)
                                for pk, token in rows
                            ]
                        except InvalidToken:
                            raise SealError(
                                f"{label}: a value in rows {rows[0][0]}..{rows[-1][0]} opens with none of "
                                "the configured keys; nothing was changed in this table"
                            ) from None
                        cursor.executemany(update, params)
                        count += len(params)
                        bar.update(len(params))
                report.rotated[label] = count
    report.seconds = time.monotonic() - started
    return report


def keys_verify(*, key: str | None = None, progress: bool = False) -> VerificationReport:
    """Check that every sealed value opens with `key` alone (default: the first configured key) —
    what must hold before the other keys are removed."""
    fernet = _fernet(key if key is not None else configured_keys()[0])
    report = VerificationReport()
    for model, name in sealed_fields():
        label = _label(model, name)
        opened = failed = 0
        with tqdm(
            total=_count_sealed(model, name),
            desc=f"checking {label}",
            unit=" values",
            disable=not progress,
            file=sys.stderr,
            leave=False,
        ) as bar:
            for rows in _sealed_batches(model, name):
                for pk, token in rows:
                    try:
                        fernet.decrypt(token.encode("ascii"))
                        opened += 1
                    except (InvalidToken, UnicodeEncodeError):
                        failed += 1
                        if len(report.examples) < 10:
                            report.examples.append(f"{label} pk={pk}")
                bar.update(len(rows))
        report.opened[label] = opened
        report.failed[label] = failed
    return report
