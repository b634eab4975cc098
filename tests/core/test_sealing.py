"""Sealed fields: contact details are encrypted at rest. A dump of the database holds no plaintext;
`vigil keys rotate` moves every value to a new key and the old one is no longer needed."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import pickle
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template

from tests.factories import allegation_build
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.core import digests, sealing
from vigil.core.sealing import Sealed, SealError, seal, unseal, unseal_value
from vigil.imports.contract import SealedColumn
from vigil.imports.engine import ImportRefused, ImportReport
from vigil.imports.services import contract_file_import

PHONE = "07700 900123"
EMAIL = "jane@example.org"
ADDRESS = "14 Acacia Avenue, Anytown AB1 2CD"
PLAINTEXTS = (PHONE, EMAIL, ADDRESS, "0161 496 0000", "pat@example.net")

HEADER = "allegation_ref,source_system,received_on,category,complainant_ref,complainant_contact\n"


@pytest.fixture(autouse=True)
def keys(settings: Any) -> Callable[..., None]:
    """keys(K1, K2, ...) makes those the seal keys (env mode). Every test starts with a fresh key,
    so none touches the laptop key file."""

    def use(*keys: str) -> None:
        settings.SEAL_KEYS = list(keys)
        settings.SEAL_KEYS_FILE = None

    use(Fernet.generate_key().decode())
    return use


@pytest.fixture(autouse=True)
def digest_keys(settings: Any) -> Callable[..., None]:
    """digest_keys(K1, K2, ...) makes those the digest keys (env mode), likewise."""

    def use(*keys: str) -> None:
        settings.DIGEST_KEYS = list(keys)
        settings.DIGEST_KEYS_FILE = None

    use(digests.new_key())
    return use


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def import_allegations(path: Path, **options: bool) -> ImportReport:
    return contract_file_import(kind="allegations", path=path, imported_by="test", **options)


def stored_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT complainant_contact FROM allegations_allegation "
            "WHERE complainant_contact <> '' ORDER BY id"
        )
        return [row[0] for row in cursor.fetchall()]


def make_contacts(tmp_path: Path) -> None:
    """Contacts through both roads in: the import contract and the ORM."""
    import_allegations(
        write(
            tmp_path,
            "a.csv",
            HEADER
            + f"I1,hotline,2024-01-02,other,C1,{PHONE}\n"
            + f"I2,hotline,2024-01-03,other,C2,{EMAIL}\n"
            + f'I3,hotline,2024-01-04,other,C3,"{ADDRESS}"\n'
            + "I4,hotline,2024-01-05,other,C4,\n",
        )
    )
    for text in PLAINTEXTS[3:]:
        allegation = allegation_build()
        allegation.complainant_contact = text
        allegation.save()


# --- the primitive ----------------------------------------------------------------------------------


def test_seal_round_trip_and_empty_stays_empty() -> None:
    token = seal(PHONE)
    assert PHONE not in token and token != seal(PHONE), "seals are randomised"
    assert unseal(token) == PHONE
    assert seal("") == "" and unseal("") == ""
    assert unseal(seal("Zoë — 020 7946 0000")) == "Zoë — 020 7946 0000"


def test_a_token_under_another_key_does_not_open(keys: Callable[..., None]) -> None:
    token = seal(PHONE)
    keys(Fernet.generate_key().decode())
    with pytest.raises(SealError):
        unseal(token)
    with pytest.raises(SealError):
        unseal("not a token")


def test_sealed_never_shows_its_plaintext() -> None:
    value = Sealed.from_plaintext(EMAIL)
    assert value and not Sealed("") and not Sealed.from_plaintext("")
    shown = [str(value), repr(value), f"{value}", "%s" % value, format(value, ""), repr([value])]  # noqa: UP031
    assert all(EMAIL not in text and value.token not in text for text in shown), shown
    assert str(value) == "[sealed]" and str(Sealed("")) == ""
    assert unseal_value(value) == EMAIL
    assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 (our own bytes)
    rendered = Template(
        "{{ contact }}|{{ contact.reveal }}|{{ contact.open_for_audited_service }}|{{ contact.plaintext }}"
    ).render(Context({"contact": value}))
    assert rendered == "[sealed]|||"


@pytest.mark.django_db
def test_the_model_field_seals_on_assignment_and_reads_as_sealed() -> None:
    allegation = allegation_build()
    allegation.complainant_contact = PHONE
    assert isinstance(allegation.complainant_contact, Sealed)
    assert PHONE not in repr(vars(allegation)), "no plaintext kept on the instance"
    allegation.save()
    blank = allegation_build()
    blank.save()

    fresh = Allegation.objects.get(pk=allegation.pk)
    assert isinstance(fresh.complainant_contact, Sealed)
    assert unseal_value(fresh.complainant_contact) == PHONE
    assert fresh.complainant_contact == allegation.complainant_contact, "stored as sealed, not resealed"
    assert PHONE not in Template("{{ a.complainant_contact }}").render(Context({"a": fresh}))
    assert Allegation.objects.get(pk=blank.pk).complainant_contact == Sealed("")
    deferred = Allegation.objects.only("pk").get(pk=allegation.pk)
    assert unseal_value(deferred.complainant_contact) == PHONE
    assert copy.deepcopy(fresh).complainant_contact == fresh.complainant_contact
    fresh.clean_fields(exclude=["row_hash"])
    assert fresh.complainant_contact == allegation.complainant_contact
    assert stored_tokens() == [allegation.complainant_contact.token]
    assert list(Allegation.objects.exclude(complainant_contact="")) == [allegation]
    assert list(Allegation.objects.filter(complainant_contact=fresh.complainant_contact)) == [allegation]
    with pytest.raises(ValueError, match="compared only with"):
        list(Allegation.objects.filter(complainant_contact=PHONE))
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Allegation.objects.filter(complainant_contact__icontains="0770"))

    # QuerySet.update with a plain str seals it too; dumpdata carries the token.
    Allegation.objects.filter(pk=blank.pk).update(complainant_contact=EMAIL)
    assert unseal_value(Allegation.objects.get(pk=blank.pk).complainant_contact) == EMAIL
    out = io.StringIO()
    call_command("dumpdata", "allegations.Allegation", stdout=out)
    assert PHONE not in out.getvalue() and EMAIL not in out.getvalue()
    assert allegation.complainant_contact.token in out.getvalue()


def test_only_the_audited_service_opens_sealed_values() -> None:
    """Views, templates, exports and APIs get a plaintext only through the audited service, which
    checks the role, takes the justification and writes the audit entry."""
    allowed = {Path("core/sealing.py"), Path("allegations/services.py")}
    source = Path(sealing.__file__).resolve().parent.parent
    opening = re.compile(r"\bunseal(_value)?\b")
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if path.relative_to(source) not in allowed and opening.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"open sealed values only in vigil.allegations.services: {offenders}"


def test_every_sealed_field_is_found() -> None:
    assert (Allegation, "complainant_contact") in sealing.sealed_fields()


def test_a_malformed_key_is_refused_with_a_clear_message(keys: Callable[..., None]) -> None:
    good = Fernet.generate_key().decode()
    keys(good, "not-a-key")
    with pytest.raises(ImproperlyConfigured, match="key 2 of 2 is not a Fernet key") as refused:
        seal(PHONE)
    assert "not-a-key" not in str(refused.value)


def read_seal_settings(data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
    env |= {"VIGIL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings", **extra_env}
    program = "import django; django.setup(); from django.conf import settings as s; print(s.SEAL_KEYS)"
    return subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_settings_keep_a_private_key_file_or_refuse_a_malformed_key(tmp_path: Path) -> None:
    first = read_seal_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "seal_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0, "readable by others"
    (key,) = key_file.read_text().split()
    assert key in first.stdout
    assert read_seal_settings(tmp_path).stdout == first.stdout, "the key is kept"

    bad = read_seal_settings(tmp_path, VIGIL_SEAL_KEYS=f"{key},Zm9v")
    assert bad.returncode != 0
    assert "VIGIL_SEAL_KEYS: key 2 of 2 is not a Fernet key" in bad.stderr
    from_env = read_seal_settings(tmp_path / "other", VIGIL_SEAL_KEYS=f" {key} ")
    assert from_env.stdout.strip() == repr([key])
    assert not (tmp_path / "other" / "seal_keys").exists()


# --- no plaintext in a dump -------------------------------------------------------------------------


def assert_sealed_in_dump(dump: str) -> None:
    leaked = [text for text in PLAINTEXTS if text in dump]
    assert not leaked, f"plaintext in the dump: {leaked}"
    tokens = stored_tokens()
    assert len(tokens) == len(PLAINTEXTS)
    assert all(token in dump for token in tokens)
    assert sorted(map(unseal, tokens)) == sorted(PLAINTEXTS)


@pytest.mark.django_db
def test_a_sqlite_dump_holds_no_plaintext(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite dump; the PostgreSQL run dumps with pg_dump")
    make_contacts(tmp_path)
    connection.ensure_connection()
    assert_sealed_in_dump("\n".join(connection.connection.iterdump()))


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_dump_holds_no_plaintext(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump needs the PostgreSQL run")
    make_contacts(tmp_path)
    db = connection.settings_dict
    command = ["/usr/lib/postgresql/15/bin/pg_dump", "--no-password", "--dbname", db["NAME"]]
    for option, name in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(name):
            command += [option, str(db[name])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    dump = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "allegations_allegation" in dump
    assert_sealed_in_dump(dump)


# --- rotation ---------------------------------------------------------------------------------------


def opens_with(key: str, tokens: list[str]) -> bool:
    fernet = Fernet(key)
    try:
        for token in tokens:
            fernet.decrypt(token)
    except Exception:
        return False
    return True


@pytest.mark.django_db
def test_after_rotation_every_value_opens_with_the_new_key_alone(
    tmp_path: Path, keys: Callable[..., None]
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    make_contacts(tmp_path)
    untouched = list(Allegation.objects.order_by("pk").values_list("pk", "summary", "row_hash", "updated_at"))
    before = stored_tokens()

    keys(new, old)
    report = sealing.keys_rotate(progress=False)
    assert report.rotated == {"allegations.Allegation.complainant_contact": len(PLAINTEXTS)}
    assert sealing.keys_verify(key=new).ok and not sealing.keys_verify(key=old).ok

    keys(new)
    after = stored_tokens()
    assert opens_with(new, after) and not opens_with(old, after)
    assert sorted(map(unseal, after)) == sorted(Fernet(old).decrypt(token).decode() for token in before)
    assert (
        list(Allegation.objects.order_by("pk").values_list("pk", "summary", "row_hash", "updated_at"))
        == untouched
    ), "rotation writes the sealed column only"
    keys(old)
    with pytest.raises(SealError):
        unseal(after[0])


@pytest.mark.django_db
def test_rotation_without_the_old_key_changes_nothing(tmp_path: Path, keys: Callable[..., None]) -> None:
    make_contacts(tmp_path)
    before = stored_tokens()
    keys(Fernet.generate_key().decode())
    with pytest.raises(SealError, match="opens with none of the configured keys"):
        sealing.keys_rotate(progress=False)
    assert stored_tokens() == before


@pytest.mark.django_db
def test_keys_rotate_in_key_file_mode_leaves_the_new_key_alone(tmp_path: Path, settings: Any) -> None:
    old = Fernet.generate_key().decode()
    key_file = tmp_path / "seal_keys"
    sealing.write_key_file(key_file, [old])
    settings.SEAL_KEYS, settings.SEAL_KEYS_FILE = [old], key_file
    make_contacts(tmp_path)

    out = io.StringIO()
    call_command("keys", "rotate", "--no-progress", stdout=out)
    (new,) = key_file.read_text().split()
    assert new != old
    assert stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0, "readable by others"
    assert f"{len(PLAINTEXTS)} value(s) re-sealed" in out.getvalue()
    tokens = stored_tokens()
    assert opens_with(new, tokens) and not opens_with(old, tokens)
    assert sorted(map(unseal, tokens)) == sorted(PLAINTEXTS), "opened with the file's key alone"
    entry = AuditEntry.objects.get(action=Action.KEYS_ROTATED)
    assert entry.actor_label == "system: vigil keys rotate"
    assert json.loads(entry.detail)["rotated"] == {
        "allegations.Allegation.complainant_contact": len(PLAINTEXTS)
    }


def test_a_running_process_follows_the_key_file(tmp_path: Path, settings: Any) -> None:
    """A server started before `vigil keys rotate` must not go on sealing under the removed key."""
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    key_file = tmp_path / "seal_keys"
    sealing.write_key_file(key_file, [first])
    settings.SEAL_KEYS, settings.SEAL_KEYS_FILE = [first], key_file
    assert opens_with(first, [seal(PHONE)])
    sealing.write_key_file(key_file, [second, first])  # what another process's rotation writes
    assert opens_with(second, [seal(PHONE)]) and not opens_with(first, [seal(PHONE)])
    key_file.unlink()
    with pytest.raises(ImproperlyConfigured, match="is missing"):
        seal(PHONE)


@pytest.mark.django_db
def test_keys_rotate_in_env_mode(tmp_path: Path, keys: Callable[..., None]) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    make_contacts(tmp_path)
    with pytest.raises(CommandError, match="VIGIL_SEAL_KEYS holds one key"):
        call_command("keys", "rotate", "--no-progress", stdout=io.StringIO())

    keys(new, old)
    out = io.StringIO()
    call_command("keys", "rotate", "--no-progress", stdout=out)
    assert "you may now remove the old key(s) (1) from VIGIL_SEAL_KEYS" in out.getvalue()
    keys(new)
    assert sorted(map(unseal, stored_tokens())) == sorted(PLAINTEXTS)
    call_command("keys", "verify", stdout=io.StringIO())
    keys(old, new)
    with pytest.raises(CommandError, match="do not open with the first key alone"):
        call_command("keys", "verify", stdout=io.StringIO())
    assert AuditEntry.objects.filter(action=Action.KEYS_ROTATED).count() == 1


def test_keys_new_prints_a_fernet_key() -> None:
    out = io.StringIO()
    call_command("keys", "new", stdout=out)
    Fernet(out.getvalue().strip())


# --- the import contract ----------------------------------------------------------------------------


def test_the_row_hash_never_sees_the_plaintext(
    keys: Callable[..., None], digest_keys: Callable[..., None]
) -> None:
    column = SealedColumn("complainant_contact")
    canonical = column.canonical(PHONE)
    assert PHONE not in canonical and "0770" not in canonical
    assert canonical == column.canonical(PHONE) != column.canonical(EMAIL)
    assert canonical not in {
        hashlib.sha256(PHONE.encode()).hexdigest(),
        hashlib.sha1(PHONE.encode()).hexdigest(),  # noqa: S324 (a guess at what a plain hash would be)
    }
    assert column.canonical(None) == column.canonical("") == ""
    keys(Fernet.generate_key().decode())
    assert column.canonical(PHONE) == canonical, "keyed by the digest key, not the seal key"
    digest_keys(digests.new_key())
    assert column.canonical(PHONE) != canonical, "keyed: unknowable without the digest key"
    (token,) = column.db_values(PHONE)
    assert unseal(token) == PHONE


@pytest.mark.django_db
def test_import_with_contacts_then_reimport_changes_nothing(tmp_path: Path) -> None:
    text = HEADER + f"A1,hotline,2024-01-02,other,C1,{PHONE}\nA2,hotline,2024-01-03,other,C2,\n"
    first = import_allegations(write(tmp_path, "a.csv", text))
    assert (first.counts.created, first.counts.updated) == (2, 0)
    tokens = stored_tokens()
    again = import_allegations(write(tmp_path, "b.csv", text))
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 2)
    assert stored_tokens() == tokens

    # A file without the column leaves the contact alone; a changed contact is rewritten.
    without = "allegation_ref,source_system,received_on,category\nA1,hotline,2024-01-02,other\n"
    import_allegations(write(tmp_path, "c.csv", without))
    assert unseal_value(Allegation.objects.get(allegation_ref="A1").complainant_contact) == PHONE
    changed = import_allegations(write(tmp_path, "d.csv", text.replace(PHONE, EMAIL)))
    assert changed.counts.updated == 1
    assert unseal_value(Allegation.objects.get(allegation_ref="A1").complainant_contact) == EMAIL
    assert Allegation.objects.get(allegation_ref="A2").complainant_contact == Sealed("")


@pytest.mark.django_db
def test_files_without_the_column_import_as_before(tmp_path: Path) -> None:
    header = "allegation_ref,source_system,received_on,category,complainant_ref\n"
    text = header + "B1,hotline,2024-01-02,other,C9\n"
    report = import_allegations(write(tmp_path, "a.csv", text))
    assert report.counts.created == 1
    assert Allegation.objects.get().complainant_contact == Sealed("")
    assert stored_tokens() == []
    assert import_allegations(write(tmp_path, "b.csv", text)).counts.unchanged == 1


@pytest.mark.django_db
def test_a_rejected_row_never_echoes_the_contact(tmp_path: Path) -> None:
    too_long = f"{PHONE} " + "x" * 1000
    text = (
        HEADER
        + f"R1,hotline,2024-01-02,other,C1,{too_long}\n"
        + f"R2,hotline,2024-01-02,no such category,C2,{EMAIL}\n"
    ).encode() + b"R3,hotline,2024-01-02,other,C3,07700 \xff900999\n"
    path = write(tmp_path, "bad.csv", text)

    with pytest.raises(ImportRefused) as refused:
        import_allegations(path)
    messages = "\n".join(map(str, refused.value.report.errors))
    assert messages.count("(value: '[sealed]')") == 2, messages
    assert PHONE not in messages and EMAIL not in messages and "900999" not in messages

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "allegations", str(path), stdout=io.StringIO(), stderr=err)
    assert PHONE not in err.getvalue() and "900999" not in err.getvalue() and "[sealed]" in err.getvalue()

    report = import_allegations(path, skip_invalid=True)
    assert report.rows_rejected == 3 and report.rejects_path is not None
    with report.rejects_path.with_suffix(".errors.csv").open(encoding="utf-8") as handle:
        reasons = list(csv.DictReader(handle))
    contact_rows = [row for row in reasons if row["column"] == "complainant_contact"]
    assert [row["value"] for row in contact_rows] == ["[sealed]", "[sealed]"]
    assert PHONE not in str(reasons) and EMAIL not in str(reasons) and "900999" not in str(reasons)


@pytest.mark.django_db
def test_equal_contacts_in_one_import_are_sealed_apart(tmp_path: Path) -> None:
    """A dump must not show which complainants share a contact: each row gets its own token."""
    from vigil.imports.services import contract_file_import

    path = tmp_path / "allegations.csv"
    path.write_text(
        "allegation_ref,source_system,received_on,category,complainant_contact\n"
        "A-1,public_complaint,2024-01-01,other,07700 900123\n"
        "A-2,public_complaint,2024-01-02,other,07700 900123\n"
    )
    contract_file_import(kind="allegations", path=path, imported_by="test")
    tokens = [
        allegation.complainant_contact.token for allegation in Allegation.objects.order_by("allegation_ref")
    ]
    assert len(set(tokens)) == 2


# --- digest keys (issue 17, finding 4) --------------------------------------------------------------


def read_digest_settings(data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
    env |= {"VIGIL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings", **extra_env}
    program = "import django; django.setup(); from django.conf import settings as s; print(s.DIGEST_KEYS)"
    return subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_settings_keep_a_private_digest_key_file_or_refuse_a_malformed_key(tmp_path: Path) -> None:
    first = read_digest_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "digest_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0, "readable by others"
    (key,) = key_file.read_text().split()
    assert key in first.stdout and key not in (tmp_path / "seal_keys").read_text(), "its own key"
    assert read_digest_settings(tmp_path).stdout == first.stdout, "the key is kept"

    bad = read_digest_settings(tmp_path, VIGIL_DIGEST_KEYS=f"{key},Zm9v")
    assert bad.returncode != 0
    assert "VIGIL_DIGEST_KEYS: key 2 of 2 is not a digest key" in bad.stderr and "Zm9v" not in bad.stderr
    from_env = read_digest_settings(tmp_path / "other", VIGIL_DIGEST_KEYS=f" {key} ")
    assert from_env.stdout.strip() == repr([key])
    assert not (tmp_path / "other" / "digest_keys").exists()


def test_a_digest_names_its_key_and_is_checked_under_it(digest_keys: Callable[..., None]) -> None:
    old, new = digests.new_key(), digests.new_key()
    digest_keys(old)
    made = digests.digest(PHONE, purpose="test")
    assert made.startswith(digests.key_id(old) + ":") and len(made) == digests.DIGEST_LENGTH
    assert PHONE not in made and hashlib.sha256(PHONE.encode()).hexdigest() not in made
    assert made == digests.digest(PHONE, purpose="test") != digests.digest(PHONE, purpose="other")
    digest_keys(new, old)
    assert digests.digest_matches(made, PHONE, purpose="test") is True
    assert digests.digest_matches(made, EMAIL, purpose="test") is False
    assert not digests.made_under_first_key(made)
    digest_keys(new)
    assert digests.digest_matches(made, PHONE, purpose="test") is None, "its key is gone: cannot tell"
    assert digests.digest_matches("", PHONE, purpose="test") is None


def file_api_report(contact: str, client_report_id: str) -> None:
    """One report through the intake API (the road in that stores a payload digest)."""
    from django.test import Client

    from vigil.intake.services import intake_client_create

    _, token = intake_client_create(name=f"Provider of {client_report_id}")
    body = {
        "client_report_id": client_report_id,
        "caller_type": "victim",
        "contact": contact,
        "narrative": "The officer kept messaging me after he took my statement.",
    }
    response = Client().post(
        "/api/intake/v1/reports",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content


def stored_payload_digests() -> list[str]:
    from vigil.intake.models import HotlineReport

    return list(HotlineReport.objects.order_by("pk").values_list("client_payload_hash", flat=True))


@pytest.mark.django_db
def test_keys_rotate_moves_digests_to_a_new_key_in_key_file_mode(tmp_path: Path, settings: Any) -> None:
    old = digests.new_key()
    key_file = tmp_path / "digest_keys"
    sealing.write_key_file(key_file, [old])
    settings.DIGEST_KEYS, settings.DIGEST_KEYS_FILE = [old], key_file
    file_api_report(PHONE, "r1")
    file_api_report(EMAIL, "r2")
    before = stored_payload_digests()
    assert all(digest.startswith(digests.key_id(old) + ":") for digest in before)

    out = io.StringIO()
    call_command("keys", "rotate", "--no-progress", stdout=out)
    (new,) = key_file.read_text().split()
    assert new != old and stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0
    assert "intake.HotlineReport.client_payload_hash: 2 digest(s) under an old key erased" in out.getvalue()
    assert stored_payload_digests() == ["", ""], "nothing under the old key is left to confirm a guess"
    file_api_report(PHONE, "r3")
    assert stored_payload_digests()[-1].startswith(digests.key_id(new) + ":")
    call_command("keys", "verify", stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action=Action.KEYS_ROTATED).order_by("-id").first()
    assert entry is not None and json.loads(entry.detail)["digests_erased"] == {
        "intake.HotlineReport.client_payload_hash": 2
    }


@pytest.mark.django_db
def test_keys_rotate_moves_digests_in_env_mode_and_verify_notices_old_ones(
    digest_keys: Callable[..., None],
) -> None:
    old, new = digests.new_key(), digests.new_key()
    digest_keys(old)
    file_api_report(PHONE, "r1")
    digest_keys(new, old)
    with pytest.raises(CommandError, match=r"stored digests under a key other than the first"):
        call_command("keys", "verify", stdout=io.StringIO())
    out = io.StringIO()
    call_command("keys", "rotate", "--no-progress", stdout=out)
    assert "VIGIL_SEAL_KEYS holds one key: seal keys left as they are" in out.getvalue()
    assert "you may now remove the old key(s) (1) from VIGIL_DIGEST_KEYS" in out.getvalue()
    digest_keys(new)
    assert stored_payload_digests() == [""]
    call_command("keys", "verify", stdout=io.StringIO())
