"""Keyed digests: HMAC-SHA256 of anything that covers sealed or personal content.

A plain hash of a caller's phone number, or of a whole report that contains it, is as good as the
plaintext to anyone holding a copy of the database: the phone-number space is small enough to try
every number in under a second. A digest keyed with a secret the database does not hold cannot be
checked against a guess. So every digest Vigil keeps over sealed content is made here, under the
digest keys (settings.DIGEST_KEYS: VIGIL_DIGEST_KEYS, or VIGIL_DATA_DIR/digest_keys), which are
not the seal keys: the seal keys encrypt, these only compare.

Two kinds:
- `fingerprint(text)`: bare hex, under the first key, for a value hashed into something larger
  (the import's row hash). It changes when the first key changes; the next import of the row
  notices the change and rewrites it (harmless: same plaintext, re-sealed).
- `digest(text, purpose=...)`: "<key id>:<hex>", stored in a `KeyedDigestField`. It says which key
  made it, so `digest_matches` checks it under that key while the key is still configured; a
  digest under a key no longer configured cannot be compared (`None`). `vigil keys rotate` erases
  the digests made under any key but the first (their plaintext is not kept, so they cannot be
  made again), so that afterwards the old key confirms nothing.

HMAC: https://docs.python.org/3/library/hmac.html
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core import exceptions
from django.db import models, transaction

from vigil.core.keyfiles import CachedKeyFile

KEY_BYTES = 32
KEY_ID_LENGTH = 8
SEPARATOR = ":"
# key id, separator, 64 hex digits
DIGEST_LENGTH = KEY_ID_LENGTH + len(SEPARATOR) + 64


def new_key() -> str:
    """32 random bytes, url-safe base64: the same shape as a Fernet key (`vigil keys new`)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_problem(key: str) -> str | None:
    """Why `key` is not a digest key, or None. Never echoes the key."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return "is not url-safe base64 (as `vigil keys new` prints)"
    if len(raw) < KEY_BYTES:
        return f"holds {len(raw)} bytes: a digest key needs at least {KEY_BYTES} (as `vigil keys new` prints)"
    return None


_digest_key_file = CachedKeyFile(what="digest key", needed_for="stored digests cannot be compared without it")


def configured_keys() -> tuple[str, ...]:
    """The digest keys in force now, first one first: the key file's content in key-file mode
    (settings.DIGEST_KEYS_FILE), else settings.DIGEST_KEYS. Read at call time (tests swap them)."""
    key_file: Path | str | None = getattr(settings, "DIGEST_KEYS_FILE", None)
    keys = _digest_key_file.keys(Path(key_file)) if key_file is not None else tuple(settings.DIGEST_KEYS)
    if not keys:
        raise exceptions.ImproperlyConfigured("no digest key is configured (VIGIL_DIGEST_KEYS)")
    return keys


@lru_cache(maxsize=16)
def _raw(key: str, position: int = 1, count: int = 1) -> bytes:
    problem = key_problem(key)
    if problem is not None:
        raise exceptions.ImproperlyConfigured(f"digest key {position} of {count} {problem}")
    return base64.urlsafe_b64decode(key.encode("ascii"))


@lru_cache(maxsize=16)
def key_id(key: str) -> str:
    """A short name for a key that says nothing about it (an HMAC of a fixed text under it)."""
    return hmac.new(_raw(key), b"vigil digest key id", hashlib.sha256).hexdigest()[:KEY_ID_LENGTH]


def _mac(key: str, purpose: str, text: str) -> str:
    # The purpose is part of the message, so one key's digests for two uses never compare equal.
    message = purpose.encode("ascii") + b"\x00" + text.encode("utf-8", errors="surrogateescape")
    return hmac.new(_raw(key), message, hashlib.sha256).hexdigest()


def fingerprint(text: str, *, purpose: str = "fingerprint") -> str:
    """Hex HMAC of `text` under the first digest key: equal texts, equal fingerprints."""
    return _mac(configured_keys()[0], purpose, text)


def digest(text: str, *, purpose: str) -> str:
    """ "<key id>:<hex HMAC>" of `text` under the first digest key, for a KeyedDigestField."""
    key = configured_keys()[0]
    return f"{key_id(key)}{SEPARATOR}{_mac(key, purpose, text)}"


def digest_matches(stored: str, text: str, *, purpose: str) -> bool | None:
    """Whether `stored` is the digest of `text`; None when it cannot be told: no digest stored (or
    erased by a rotation), or made under a key that is no longer configured."""
    stored_id, _, _ = stored.partition(SEPARATOR)
    for key in configured_keys():
        if key_id(key) == stored_id:
            made = f"{stored_id}{SEPARATOR}{_mac(key, purpose, text)}"
            return hmac.compare_digest(made, stored)
    return None


def made_under_first_key(stored: str) -> bool:
    return stored.partition(SEPARATOR)[0] == key_id(configured_keys()[0])


# --- the model field ------------------------------------------------------------------------------

if TYPE_CHECKING:  # django-stubs' fields are generic (set type, get type); Django's are not
    _DigestBase = models.CharField[str, str]
else:
    _DigestBase = models.CharField


class KeyedDigestField(_DigestBase):
    """A column holding `digest(...)` values ('' when none). Declaring it this way is what puts it
    under `vigil keys rotate` (keyed_digest_fields)."""

    description = "Keyed digest (HMAC-SHA256 with its key id)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", DIGEST_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def fields_of_type(field_type: type[models.Field]) -> list[tuple[type[models.Model], str]]:  # type: ignore[type-arg]
    """Every field of this type of every installed model (each table once: no proxies, and a
    multi-table child lists only its own columns), so rotation covers fields added later."""
    found: list[tuple[type[models.Model], str]] = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        found.extend(
            (model, model_field.name)
            for model_field in model._meta.local_concrete_fields
            if isinstance(model_field, field_type)
        )
    return found


def keyed_digest_fields() -> list[tuple[type[models.Model], str]]:
    """Every KeyedDigestField of every installed model (each table once)."""
    return fields_of_type(KeyedDigestField)


# --- rotation -------------------------------------------------------------------------------------


@dataclass
class DigestRotationReport:
    erased: dict[str, int] = field(default_factory=dict)  # "app.Model.field" -> digests erased

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def digests_retire(keep: Sequence[str] | None = None) -> DigestRotationReport:
    """Erase every stored digest not made under the first configured key (or under `keep`'s
    first). A digest's plaintext is not kept, so it cannot be made again under the new key; erased,
    it confirms nothing to whoever holds the old key. What an erased digest was for (comparing a
    client's retry with its first filing) then answers "cannot be compared"."""
    first = (keep or configured_keys())[0]
    prefix = f"{key_id(first)}{SEPARATOR}"
    report = DigestRotationReport()
    with transaction.atomic():
        for model, name in keyed_digest_fields():
            label = f"{model._meta.label}.{name}"
            stale = model._base_manager.exclude(**{name: ""}).exclude(**{f"{name}__startswith": prefix})
            report.erased[label] = stale.update(**{name: ""})
    return report


def digests_under_other_keys() -> dict[str, int]:
    """How many stored digests each column holds under a key other than the first."""
    prefix = f"{key_id(configured_keys()[0])}{SEPARATOR}"
    return {
        f"{model._meta.label}.{name}": model._base_manager.exclude(**{name: ""})
        .exclude(**{f"{name}__startswith": prefix})
        .count()
        for model, name in keyed_digest_fields()
    }
