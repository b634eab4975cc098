"""Likely repeat calls: reports about the same incident from the same or another caller. A new
report is compared with the reports received around it by the TF-IDF cosine similarity of their
accounts (scikit-learn), together with whether they name the same subject and how close their
dates are. The assessor then groups them into one incident or keeps them apart; nothing is merged.

TF-IDF is fitted on the comparison window itself each time: the words that mark a repeat ("blue
BMW", "Harrow custody") are those rare among the calls of that fortnight, not in general English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.metrics.pairwise import cosine_similarity  # type: ignore[import-untyped]

from vigil.intake.models import HotlineReport, RepeatDecision
from vigil.linkage.models import LINKED_STATUSES

# Reports received this many days either side are compared.
WINDOW_DAYS = 30
# At most this many reports in a window (the most recent): bounds the cost in a surge.
WINDOW_LIMIT = 3_000
# A pair is shown when its accounts are at least this similar ...
TEXT_THRESHOLD = 0.30
# ... or when they name the same subject and their incidents are this close.
SAME_SUBJECT_DAYS = 14


@dataclass(frozen=True)
class RepeatCandidate:
    report: HotlineReport
    similarity: float  # the accounts' TF-IDF cosine, 0..1
    same_subject: bool
    days_apart: int | None
    reasons: tuple[str, ...]


def _subject_of(report: HotlineReport) -> int | None:
    link = getattr(report.allegation, "link", None)
    if link is not None and link.status in LINKED_STATUSES and link.person_id:
        return int(link.person_id)
    return report.handler_candidate_id


def _text(report: HotlineReport) -> str:
    allegation = report.allegation
    return " ".join(
        part
        for part in (
            allegation.summary,
            allegation.subject_name,
            allegation.subject_details,
            report.location,
            report.subject_vehicle,
            report.subject_online_profile,
        )
        if part
    )


def _event_day(report: HotlineReport) -> dt.date:
    return report.allegation.incident_date or report.received_at.date()


def repeat_candidates(report: HotlineReport, *, visible: Q, limit: int = 5) -> list[RepeatCandidate]:
    """The reports most likely to be about the same incident as `report`, best first, among those
    the user may see (`visible`: accounts.access.reports_visible_q); pairs an assessor has already
    judged, and reports already in its incident, are left out."""
    decided = RepeatDecision.objects.filter(Q(first=report) | Q(second=report)).values_list("first", "second")
    excluded = {report.pk} | {pk for pair in decided for pk in pair}
    window = (
        HotlineReport.objects.filter(
            visible,
            received_at__gte=report.received_at - dt.timedelta(days=WINDOW_DAYS),
            received_at__lte=report.received_at + dt.timedelta(days=WINDOW_DAYS),
        )
        .exclude(pk__in=excluded)
        .select_related("allegation", "allegation__link")
        .order_by("-received_at")[:WINDOW_LIMIT]
    )
    others = [
        other for other in window if report.incident_id is None or other.incident_id != report.incident_id
    ]
    if not others:
        return []
    texts = [_text(report)] + [_text(other) for other in others]
    try:
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2)).fit_transform(
            texts
        )
        similarities = cosine_similarity(matrix[0], matrix[1:])[0]
    except ValueError:  # every account empty or only stop words
        similarities = [0.0] * len(others)
    subject = _subject_of(report)
    day = _event_day(report)
    found = []
    for other, similarity in zip(others, similarities, strict=True):
        same_subject = subject is not None and _subject_of(other) == subject
        days_apart = abs((_event_day(other) - day).days)
        if similarity < TEXT_THRESHOLD and not (same_subject and days_apart <= SAME_SUBJECT_DAYS):
            continue
        reasons = [f"accounts {similarity:.0%} similar (TF-IDF)"]
        if same_subject:
            reasons.append("same subject")
        reasons.append("same day" if days_apart == 0 else f"{days_apart} days apart")
        found.append(
            RepeatCandidate(
                report=other,
                similarity=float(similarity),
                same_subject=same_subject,
                days_apart=days_apart,
                reasons=tuple(reasons),
            )
        )
    # Same subject first, then the most similar account, then the closest in time.
    found.sort(key=lambda c: (not c.same_subject, -c.similarity, c.days_apart or 0, c.report.pk))
    return found[:limit]
