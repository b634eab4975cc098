"""Writes for oversight: the counted figures (recounted when what they count has changed), and
the board pack's export, a disclosure, so it is audited (what, why, to whom) before the file is
handed over."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.audit.services import audit_record
from vigil.oversight import disclosure, exports, selectors
from vigil.oversight.models import CountedFigures
from vigil.oversight.progress import outcome_median_days_count
from vigil.oversight.selectors import COUNTED_FIGURES_ID, counted_figures


def counted_figures_recount() -> CountedFigures:
    """Count the figures by group (allegations, risk bands, hotline referrals, review routes), now.
    `counted_at` is when counting began: a change committed after it stays marked as not counted."""
    started = timezone.now()
    counted, _created = CountedFigures.objects.update_or_create(
        pk=COUNTED_FIGURES_ID,
        defaults={
            "allegation_groups": selectors.allegation_groups(),
            "risk_band_groups": selectors.risk_band_groups(),
            "hotline_referral_groups": selectors.hotline_referral_groups(),
            "review_route_groups": selectors.review_route_groups(),
            "outcome_median_days": outcome_median_days_count(timezone.localdate(started)),
            "counted_at": started,
        },
    )
    return counted


def _mark_counted_figures_behind() -> None:
    CountedFigures.objects.filter(
        Q(changed_since__isnull=True) | Q(changed_since__lte=F("counted_at"))
    ).update(changed_since=timezone.now())


def counted_figures_changed() -> None:
    """Something the counted figures count has changed (a link, an import, a triage or review
    decision): once the caller's transaction commits, mark the count as behind from then (one
    UPDATE, of no row when it is already marked). Marking at commit, not before, means a count
    that began after the mark sees the change, and one that began before it is known behind.
    A transaction that changes many things (a cohort sync moving hundreds of reviews) marks once."""
    connection = transaction.get_connection()
    if any(callback is _mark_counted_figures_behind for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_mark_counted_figures_behind)


def counted_figures_current() -> CountedFigures:
    """The counted figures, recounted first if there are none yet, or if they are behind and were
    counted more than VIGIL_OVERSIGHT_RECOUNT_MINUTES ago: a change shows within that many
    minutes, and a busy hotline day does not make every reader wait for a recount."""
    counted = counted_figures()
    interval = dt.timedelta(minutes=settings.VIGIL_OVERSIGHT_RECOUNT_MINUTES)
    if counted is None or (counted.behind and counted.counted_at <= timezone.now() - interval):
        counted = counted_figures_recount()
    return counted


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
    # The board pack is counted afresh: a disclosure states figures exactly as they are now.
    # A bad format fails before anything is logged.
    content = exports.render(disclosure.released_figures(counted_figures_recount()), fmt)
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
