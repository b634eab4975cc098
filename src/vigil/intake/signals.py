"""The triage queue's sort key follows the risk scores and the links it copies."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def on_scores_replaced(sender: Any, *, person_ids: Collection[int] | None, **kwargs: Any) -> None:
    from vigil.intake.services import queue_ranks_refresh

    if person_ids is None:
        queue_ranks_refresh(everything=True)
    else:
        queue_ranks_refresh(person_ids=person_ids)


def on_subjects_changed(sender: Any, *, allegation_ids: Collection[int], **kwargs: Any) -> None:
    from vigil.intake.services import queue_ranks_refresh

    queue_ranks_refresh(allegation_ids=allegation_ids)


def connect() -> None:
    from vigil.linkage.signals import subjects_changed
    from vigil.risk.signals import scores_replaced

    scores_replaced.connect(on_scores_replaced, dispatch_uid="vigil.intake.queue_rank.scores")
    subjects_changed.connect(on_subjects_changed, dispatch_uid="vigil.intake.queue_rank.links")
