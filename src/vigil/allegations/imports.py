"""The allegations file of the import contract (docs/data-contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.allegations.models import Allegation
from vigil.allegations.vocabularies import CATEGORIES, OUTCOMES, RELATIONSHIPS, SOURCES
from vigil.imports.contract import CodeColumn, Column, Contract, DateColumn, SealedColumn
from vigil.imports.engine import ApplyCounts, CheckedTable, Progress, RowError, ValidRow
from vigil.imports.models import ImportBatch, ImportKind
from vigil.imports.sql import upsert_rows

ALLEGATION_CONTRACT = Contract(
    kind=ImportKind.ALLEGATIONS,
    key=("source_system", "allegation_ref"),
    columns=(
        Column("allegation_ref", required=True, max_length=64),
        CodeColumn("source_system", required=True, vocabulary=SOURCES, nullable=False),
        DateColumn("received_on", required=True),
        DateColumn("incident_date"),
        CodeColumn("category", required=True, vocabulary=CATEGORIES, nullable=False),
        Column("summary"),
        Column("subject_name", max_length=250),
        Column("subject_staff_id", max_length=32),
        Column("subject_shoulder_number", max_length=20),
        Column("subject_rank", max_length=100),
        Column("subject_command", max_length=200),
        Column("subject_force", max_length=64),
        DateColumn("subject_dob"),
        Column("subject_details"),
        Column("complainant_ref", max_length=64),
        SealedColumn("complainant_contact", max_length=1000),
        CodeColumn("complainant_relationship", vocabulary=RELATIONSHIPS),
        CodeColumn("outcome", vocabulary=OUTCOMES),
        DateColumn("outcome_on"),
    ),
    not_before=(("outcome_on", "received_on"),),
)


@dataclass
class AllegationImporter:
    contract: Contract = ALLEGATION_CONTRACT
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))

    def check(self, rows: list[ValidRow]) -> list[RowError]:
        return []  # an allegation is stored whether or not its subject is on the register

    def apply(self, rows: list[ValidRow], table: CheckedTable, batch: ImportBatch) -> ApplyCounts:
        return upsert_rows(
            model=Allegation,
            columns=self.contract.columns,
            key_columns=("source_system", "allegation_ref"),
            rows=rows,
            table=table,
            batch=batch,
            db_key=lambda row: row.key,
            progress=self.progress,
        )
