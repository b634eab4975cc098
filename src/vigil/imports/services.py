"""Import entry points: one per contract file kind."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from vigil.imports.engine import Importer, ImportReport, Progress, run_import
from vigil.imports.models import ImportKind

# An import that alters more records than this is audited as one batch entry (its counts and the
# file's SHA-256, which says exactly what was written), not an entry per record: a re-issued
# million-row extract must not take a quarter of an hour to log.
ITEMISED_CHANGES_LIMIT = 10_000


def importer_for(kind: str, *, progress: Progress | None = None) -> Importer:
    from vigil.allegations.imports import AllegationImporter
    from vigil.people.imports import PersonnelImporter, VettingImporter

    progress = progress or Progress(enabled=False)
    importers: dict[str, Importer] = {
        ImportKind.PERSONNEL: PersonnelImporter(progress=progress),
        ImportKind.VETTING: VettingImporter(progress=progress),
        ImportKind.ALLEGATIONS: AllegationImporter(progress=progress),
    }
    return importers[kind]


def contract_file_import(
    *,
    kind: str,
    path: Path,
    imported_by: str,
    ignore_extra: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one contract file whole or not at all (raises ImportRefused, nothing written).
    An applied import is written to the audit trail as a collection, with its counts, and each
    record it altered as an alteration with the fields' values before and after.

    The rows, the rescoring of the people they touch (and their place in the review cohort) and
    the audit entries are one transaction: a process that dies anywhere before the commit leaves
    nothing, never an unaudited or unscored import. The audit entries come last, as the audit
    trail's append lock is held from the first entry to the commit."""
    with transaction.atomic():
        return _import_audited_and_scored(
            kind=kind,
            path=path,
            imported_by=imported_by,
            ignore_extra=ignore_extra,
            skip_invalid=skip_invalid,
            rejects_path=rejects_path,
            progress=progress,
        )


def _import_audited_and_scored(
    *,
    kind: str,
    path: Path,
    imported_by: str,
    ignore_extra: bool,
    skip_invalid: bool,
    rejects_path: Path | None,
    progress: Progress | None,
) -> ImportReport:
    from vigil.audit.actions import Action
    from vigil.audit.services import audit_record

    report = run_import(
        importer_for(kind, progress=progress),
        path,
        imported_by=imported_by,
        ignore_extra=ignore_extra,
        skip_invalid=skip_invalid,
        rejects_path=rejects_path,
        progress=progress,
    )
    if report.batch is not None:
        if report.counts.created or report.counts.updated:
            _people_touched_rescored(kind, report.batch.pk, imported_by=imported_by)
        audit_record(
            action=Action.RECORDS_IMPORTED,
            actor=None,
            actor_label=f"import by {imported_by}"[:150],
            record_type="import_batch",
            record_id=report.batch.pk,
            record_label=f"{kind} {report.file_name}"[:250],
            detail={
                "kind": kind,
                "file": report.file_name,
                "sha256": report.sha256,
                "rows": report.rows_total,
                "created": report.counts.created,
                "updated": report.counts.updated,
                "unchanged": report.counts.unchanged,
                "rejected": report.rows_rejected,
                "changes_itemised": len(report.counts.changes) <= ITEMISED_CHANGES_LIMIT,
            },
        )
        if len(report.counts.changes) <= ITEMISED_CHANGES_LIMIT:
            for change in report.counts.changes:
                audit_record(
                    action=Action.RECORD_CHANGED,
                    actor=None,
                    actor_label=f"import by {imported_by}"[:150],
                    record_type=change.record_type,
                    record_id=change.record_id,
                    record_label=change.label,
                    detail={
                        "import_batch": report.batch.pk,
                        "changes": {name: list(values) for name, values in change.fields.items()},
                    },
                )
    return report


def _people_touched_rescored(kind: str, batch_id: int, *, imported_by: str) -> None:
    """The people whose records this import wrote are re-scored (and their place in the review
    cohort updated): a new vetting grant, a changed role or outcome changes their score."""
    from vigil.linkage.models import LINKED_STATUSES, AllegationLink
    from vigil.oversight.services import counted_figures_changed
    from vigil.people.models import Person, VettingClearance
    from vigil.reviews.services import people_changed

    counted_figures_changed()  # even rows linked to nobody count there (the time to an outcome)
    if kind == ImportKind.PERSONNEL:
        people = set(Person.objects.filter(import_batch_id=batch_id).values_list("id", flat=True))
    elif kind == ImportKind.VETTING:
        people = set(
            VettingClearance.objects.filter(import_batch_id=batch_id).values_list("person_id", flat=True)
        )
    else:
        people = set(
            AllegationLink.objects.filter(
                allegation__import_batch_id=batch_id, status__in=LINKED_STATUSES
            ).values_list("person_id", flat=True)
        )
    people_changed(person_ids=people, raised_by=f"import {kind} by {imported_by}"[:100])
