"""The personnel and vetting files of the import contract (docs/data-contract.md).

A personnel re-import never overwrites identity history: a changed legal name becomes a former
name, a changed rank/role/command closes the previous role record, shoulder numbers and aliases
no longer listed are kept (marked no longer current)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from vigil.core.vocabulary import normalise_term
from vigil.imports.contract import CodeColumn, Column, Contract, DateColumn, ListColumn, db_row
from vigil.imports.engine import (
    NOT_SHOWN,
    ApplyCounts,
    CheckedTable,
    Progress,
    RecordChange,
    RowError,
    ValidRow,
)
from vigil.imports.models import ImportBatch, ImportKind
from vigil.imports.sql import upsert_rows
from vigil.people.models import NameKind, Person, PersonName, RoleRecord, ShoulderNumber, VettingClearance
from vigil.people.vocabularies import (
    EMPLOYMENT_TYPES,
    ETHNICITIES,
    ETHNICITY_NOT_STATED,
    SEXES,
    VETTING_LEVELS,
    VETTING_OUTCOMES,
)


@dataclass(frozen=True)
class EthnicityColumn(Column):
    """A 2021 census group (Asian, Black, Mixed, White, Other) or detailed code (W1, A2, ...);
    stored as the group plus the detailed code when one was given."""

    repetitive = True

    def parse(self, cell: str) -> tuple[str, str] | None:
        if normalise_term(cell) in ETHNICITY_NOT_STATED:
            return None
        term = ETHNICITIES.match(cell)
        if term is None:
            raise ValueError(
                "unknown ethnicity; expected a 2021 census group (Asian, Black, Mixed, White, Other) "
                "or detailed code (A1-A5, B1-B3, M1-M4, W1-W5, O1-O2)"
            )
        return (term.group, "" if term.code == term.group else term.code)

    def db_columns(self) -> tuple[str, ...]:
        return ("ethnicity", "ethnicity_code")

    def db_values(self, value: Any) -> tuple[Any, ...]:
        return ("", "") if value is None else value

    def canonical(self, value: Any) -> str:
        return "" if value is None else "/".join(value)


PERSONNEL_CONTRACT = Contract(
    kind=ImportKind.PERSONNEL,
    key=("force", "staff_id"),
    columns=(
        Column("staff_id", required=True, max_length=32),
        Column("force", required=True, max_length=64),
        Column("surname", required=True, max_length=100),
        Column("forenames", required=True, max_length=150),
        ListColumn("known_as"),
        DateColumn("date_of_birth"),
        CodeColumn("sex", vocabulary=SEXES, nullable=False),
        EthnicityColumn("ethnicity"),
        Column("rank_or_grade", max_length=100),
        Column("role", max_length=200),
        Column("command", max_length=200),
        DateColumn("joined_on"),
        DateColumn("left_on"),
        CodeColumn("employment_type", vocabulary=EMPLOYMENT_TYPES, nullable=False),
        ListColumn("shoulder_numbers", item_max_length=20),
    ),
)
_PERSON_COLUMNS = tuple(column for column in PERSONNEL_CONTRACT.columns if not isinstance(column, ListColumn))
_ROLE_FIELDS = ("rank_or_grade", "role", "command", "employment_type")
_CHUNK = 900


@dataclass
class PersonnelImporter:
    contract: Contract = PERSONNEL_CONTRACT
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))

    def check(self, rows: list[ValidRow]) -> list[RowError]:
        return []

    def apply(self, rows: list[ValidRow], table: CheckedTable, batch: ImportBatch) -> ApplyCounts:
        today = timezone.localdate()
        counts = ApplyCounts()
        existing = {
            (force, staff_id): (pk, row_hash)
            for force, staff_id, pk, row_hash in Person.objects.values_list(
                "force", "staff_id", "pk", "row_hash"
            )
        }
        new_rows: list[ValidRow] = []
        maybe_changed: dict[int, ValidRow] = {}
        for row in rows:
            found = existing.get(row.key)
            if found is None:
                new_rows.append(row)
            elif found[1] != row.row_hash:
                maybe_changed[found[0]] = row
            else:
                counts.unchanged += 1
        counts.created = self._create(new_rows, batch, today)
        updated, unchanged, counts.changes = self._update(
            maybe_changed, frozenset(table.present), batch, today
        )
        counts.updated, counts.unchanged = updated, counts.unchanged + unchanged
        return counts

    def _create(self, rows: list[ValidRow], batch: ImportBatch, today: dt.date) -> int:
        people = []
        for row in self.progress.wrap(rows, total=len(rows), description="writing people"):
            people.append(
                Person(**db_row(_PERSON_COLUMNS, row.values), row_hash=row.row_hash, import_batch=batch)
            )
        Person.objects.bulk_create(people, batch_size=_CHUNK)
        if not people or people[0].pk is None:  # backends that do not return ids: look them up
            ids = dict(
                ((force, staff_id), pk)
                for force, staff_id, pk in Person.objects.filter(import_batch=batch).values_list(
                    "force", "staff_id", "pk"
                )
            )
            for person in people:
                person.pk = ids[(person.force, person.staff_id)]
        names: list[PersonName] = []
        numbers: list[ShoulderNumber] = []
        roles: list[RoleRecord] = []
        for person, row in zip(people, rows, strict=True):
            names.append(_legal_name(person, today, batch))
            names.extend(_alias(person, alias, today, batch) for alias in row.values.get("known_as") or ())
            numbers.extend(
                ShoulderNumber(
                    person=person,
                    number=number,
                    is_current=index == 0,
                    sequence=index,
                    recorded_from=today,
                    import_batch=batch,
                )
                for index, number in enumerate(row.values.get("shoulder_numbers") or ())
            )
            roles.append(_role_record(person, today, batch))
        PersonName.objects.bulk_create(names, batch_size=_CHUNK)
        ShoulderNumber.objects.bulk_create(numbers, batch_size=_CHUNK)
        RoleRecord.objects.bulk_create(roles, batch_size=_CHUNK)
        return len(people)

    def _update(
        self, candidates: dict[int, ValidRow], present: frozenset[str], batch: ImportBatch, today: dt.date
    ) -> tuple[int, int, list[RecordChange]]:
        """Apply changed rows, keeping history. Returns (updated, unchanged, what changed)."""
        if not candidates:
            return 0, 0, []
        scalar_columns = [column for column in _PERSON_COLUMNS if column.name in present]
        people = Person.objects.in_bulk(list(candidates))
        names_by_person: dict[int, list[PersonName]] = {}
        numbers_by_person: dict[int, list[ShoulderNumber]] = {}
        ids = list(candidates)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for name in PersonName.objects.filter(person_id__in=chunk, recorded_until__isnull=True):
                names_by_person.setdefault(name.person_id, []).append(name)
            for number in ShoulderNumber.objects.filter(person_id__in=chunk):
                numbers_by_person.setdefault(number.person_id, []).append(number)

        now = timezone.now()
        changed_people: list[Person] = []
        hash_only: list[Person] = []
        new_names: list[PersonName] = []
        ended_names: list[PersonName] = []
        new_numbers: list[ShoulderNumber] = []
        moved_numbers: list[ShoulderNumber] = []
        role_changed: list[Person] = []
        changes: list[RecordChange] = []
        for pk, row in candidates.items():
            person = people[pk]
            incoming = db_row(scalar_columns, row.values)
            differs = {name: value for name, value in incoming.items() if getattr(person, name) != value}
            current_names = names_by_person.get(pk, [])
            name_changes = self._name_changes(person, row, present, differs, current_names, today, batch)
            number_changes = self._number_changes(
                person, row, present, numbers_by_person.get(pk, []), today, batch
            )
            person.row_hash = row.row_hash
            if not differs and not name_changes[0] and not name_changes[1] and not any(number_changes):
                hash_only.append(person)
                continue
            changes.append(_person_change(person, differs, name_changes, number_changes))
            for field_name, value in differs.items():
                setattr(person, field_name, value)
            person.import_batch = batch
            person.updated_at = now  # bulk_update does not apply auto_now
            changed_people.append(person)
            new_names.extend(name_changes[0])
            ended_names.extend(name_changes[1])
            new_numbers.extend(number_changes[0])
            moved_numbers.extend(number_changes[1])
            if set(differs) & set(_ROLE_FIELDS):
                role_changed.append(person)

        scalar_fields = sorted({name for column in scalar_columns for name in column.db_columns()})
        Person.objects.bulk_update(
            changed_people, [*scalar_fields, "row_hash", "import_batch", "updated_at"], batch_size=_CHUNK
        )
        Person.objects.bulk_update(hash_only, ["row_hash"], batch_size=_CHUNK)
        PersonName.objects.bulk_update(ended_names, ["kind", "recorded_until"], batch_size=_CHUNK)
        PersonName.objects.bulk_create(new_names, batch_size=_CHUNK)
        ShoulderNumber.objects.bulk_update(moved_numbers, ["is_current", "sequence"], batch_size=_CHUNK)
        ShoulderNumber.objects.bulk_create(new_numbers, batch_size=_CHUNK)
        if role_changed:
            for start in range(0, len(role_changed), _CHUNK):
                RoleRecord.objects.filter(
                    person__in=role_changed[start : start + _CHUNK], recorded_until__isnull=True
                ).update(recorded_until=today)
            RoleRecord.objects.bulk_create(
                [_role_record(p, today, batch) for p in role_changed], batch_size=_CHUNK
            )
        return len(changed_people), len(hash_only), changes

    @staticmethod
    def _name_changes(
        person: Person,
        row: ValidRow,
        present: frozenset[str],
        differs: dict[str, Any],
        current: list[PersonName],
        today: dt.date,
        batch: ImportBatch,
    ) -> tuple[list[PersonName], list[PersonName]]:
        """(names to add, names to end): a changed legal name is kept as a former name."""
        added: list[PersonName] = []
        ended: list[PersonName] = []
        if "surname" in differs or "forenames" in differs:
            for name in current:
                if name.kind == NameKind.LEGAL:
                    name.kind = NameKind.FORMER
                    name.recorded_until = today
                    ended.append(name)
            renamed = Person(
                pk=person.pk,
                surname=differs.get("surname", person.surname),
                forenames=differs.get("forenames", person.forenames),
            )
            added.append(_legal_name(renamed, today, batch))
        if "known_as" in present:
            listed = set(row.values.get("known_as") or ())
            held = {name.full_name: name for name in current if name.kind == NameKind.ALIAS}
            added.extend(_alias(person, alias, today, batch) for alias in sorted(listed - set(held)))
            for alias in sorted(set(held) - listed):
                held[alias].recorded_until = today
                ended.append(held[alias])
        return added, ended

    @staticmethod
    def _number_changes(
        person: Person,
        row: ValidRow,
        present: frozenset[str],
        held: list[ShoulderNumber],
        today: dt.date,
        batch: ImportBatch,
    ) -> tuple[list[ShoulderNumber], list[ShoulderNumber]]:
        """(numbers to add, numbers whose current/order changed). Numbers are never deleted."""
        if "shoulder_numbers" not in present:
            return [], []
        listed = list(row.values.get("shoulder_numbers") or ())
        by_number = {number.number: number for number in held}
        added: list[ShoulderNumber] = []
        moved: list[ShoulderNumber] = []
        for index, value in enumerate(listed):
            known = by_number.get(value)
            if known is None:
                added.append(
                    ShoulderNumber(
                        person=person,
                        number=value,
                        is_current=index == 0,
                        sequence=index,
                        recorded_from=today,
                        import_batch=batch,
                    )
                )
            elif known.is_current != (index == 0) or known.sequence != index:
                known.is_current, known.sequence = index == 0, index
                moved.append(known)
        for number in held:
            if number.number not in listed and number.is_current:
                number.is_current = False
                moved.append(number)
        return added, moved


def _legal_name(person: Person, today: dt.date, batch: ImportBatch) -> PersonName:
    return PersonName(
        person=person,
        kind=NameKind.LEGAL,
        full_name=f"{person.forenames} {person.surname}",
        surname=person.surname,
        forenames=person.forenames,
        recorded_from=today,
        import_batch=batch,
    )


def _alias(person: Person, alias: str, today: dt.date, batch: ImportBatch) -> PersonName:
    return PersonName(
        person=person, kind=NameKind.ALIAS, full_name=alias, recorded_from=today, import_batch=batch
    )


def _role_record(person: Person, today: dt.date, batch: ImportBatch) -> RoleRecord:
    return RoleRecord(
        person=person,
        rank_or_grade=person.rank_or_grade,
        role=person.role,
        command=person.command,
        employment_type=person.employment_type,
        recorded_from=today,
        import_batch=batch,
    )


VETTING_CONTRACT = Contract(
    kind=ImportKind.VETTING,
    key=("force", "staff_id", "level", "granted_on"),
    columns=(
        Column("staff_id", required=True, max_length=32),
        Column("force", required=True, max_length=64),
        CodeColumn("level", required=True, vocabulary=VETTING_LEVELS, nullable=False),
        DateColumn("granted_on", required=True),
        DateColumn("expires_on", future_allowed=True),
        CodeColumn("outcome", vocabulary=VETTING_OUTCOMES, nullable=False),
    ),
)
_VETTING_COLUMNS = tuple(
    column for column in VETTING_CONTRACT.columns if column.name not in {"staff_id", "force"}
)


@dataclass
class VettingImporter:
    contract: Contract = VETTING_CONTRACT
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    _person_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def check(self, rows: list[ValidRow]) -> list[RowError]:
        self._person_ids = {
            (force, staff_id): pk
            for force, staff_id, pk in Person.objects.values_list("force", "staff_id", "pk")
        }
        return [
            RowError(
                row.line,
                "staff_id",
                row.values["staff_id"],
                f"nobody with this staff_id in force {row.values['force']!r} is on the register "
                "(import personnel first)",
            )
            for row in rows
            if (row.values["force"], row.values["staff_id"]) not in self._person_ids
        ]

    def _person_id(self, row: ValidRow) -> int:
        return self._person_ids[(row.values["force"], row.values["staff_id"])]

    def apply(self, rows: list[ValidRow], table: CheckedTable, batch: ImportBatch) -> ApplyCounts:
        return upsert_rows(
            model=VettingClearance,
            columns=_VETTING_COLUMNS,
            key_columns=("person_id", "level", "granted_on"),
            rows=rows,
            table=table,
            batch=batch,
            db_key=lambda row: (self._person_id(row), row.values["level"], row.values["granted_on"].earliest),
            fixed=lambda row: (self._person_id(row),),
            fixed_names=("person_id",),
            progress=self.progress,
        )


# Protected characteristics: an alteration entry says they changed, never what to (the audit trail
# is read by auditors, who have no need of them).
_NOT_COPIED_TO_THE_AUDIT_TRAIL = frozenset({"sex", "ethnicity", "ethnicity_code"})


def _person_change(
    person: Person,
    differs: dict[str, Any],
    name_changes: tuple[list[PersonName], list[PersonName]],
    number_changes: tuple[list[ShoulderNumber], list[ShoulderNumber]],
) -> RecordChange:
    """What an update changes in one person, before it is applied."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    fields = {
        name: (NOT_SHOWN, NOT_SHOWN)
        if name in _NOT_COPIED_TO_THE_AUDIT_TRAIL
        else (text(getattr(person, name)), text(value))
        for name, value in differs.items()
    }
    if any(name_changes):
        added = ", ".join(name.full_name for name in name_changes[0])
        fields["names"] = ("", f"names recorded: {added}" if added else "names ended")
    if any(number_changes):
        fields["shoulder_numbers"] = (
            "",
            ", ".join(number.number for number in number_changes[0]) or "reordered",
        )
    return RecordChange("person", person.pk, f"{person.force} {person.staff_id}", fields)
