"""The auditor's audit viewer: access, filters, keyset paging, the entry page, and the CSV export
(which is itself audited)."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vigil.accounts.roles import Role
from vigil.audit import selectors
from vigil.audit.actions import Action, Category
from vigil.audit.justification import Justification
from vigil.audit.models import AuditEntry
from vigil.audit.selectors import AuditFilters, Cursor, audit_entry_page
from vigil.audit.services import audit_record
from vigil.audit.views import EXPORT_COLUMNS

pytestmark = pytest.mark.django_db

LIST = reverse("audit:entry_list")
EXPORT = reverse("audit:export")
LONDON = ZoneInfo("Europe/London")
WHY = Justification(reason="assigned_case", text="Reviewing case PSD/2026/0042.")
EXPORT_FORM = {
    "reason": "audit",
    "text": "Quarterly integrity check of refusals.",
    "recipient": "DPS investigation 2026/114",
}


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(Role.AUDITOR, username="auditor_ann")


@pytest.fixture
def auditor_client(client: Client, auditor: User) -> Client:
    client.force_login(auditor)
    return client


@contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Entries written inside are stamped `moment` (audit_record reads timezone.now())."""
    original = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = original


def consulted(user: User, record_id: int, *, label: str = "", record_type: str = "person") -> AuditEntry:
    action = Action.PERSON_CONSULTED if record_type == "person" else Action.ALLEGATION_CONSULTED
    return audit_record(
        action=action,
        actor=user,
        record_type=record_type,
        record_id=record_id,
        record_label=label or f"CCP {record_id}",
        justification=WHY,
    )


def refused(user: User, record_id: int) -> AuditEntry:
    return audit_record(
        action=Action.ACCESS_REFUSED,
        actor=user,
        record_type="person",
        record_id=record_id,
        record_label=f"CCP {record_id}",
        detail={"reason": "not assigned"},
    )


def blocked(user: User, record_id: int) -> AuditEntry:
    return audit_record(
        action=Action.CONFLICT_BLOCKED,
        actor=user,
        record_type="allegation",
        record_id=record_id,
        record_label=f"complaints C-{record_id}",
        detail={"reason": "declared conflict"},
    )


def shown(response: Any) -> list[int]:
    return [row.entry.pk for row in response.context["page"].rows]


def link(response: Any, text: str) -> str | None:
    """The href of the link with this text, if the page has one."""
    found = re.search(r'<a [^>]*href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", response.content.decode())
    return html_lib.unescape(found.group(1)) if found else None


def walk(filters: AuditFilters, *, page_size: int) -> list[int]:
    """Every id the filters give, newest first, read page by page through the cursors."""
    ids: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = audit_entry_page(filters=filters, cursor=cursor, page_size=page_size)
        ids += [row.entry.pk for row in page.rows]
        if page.older is None:
            return ids
        cursor = page.older


def walk_back(filters: AuditFilters, *, page_size: int, from_id: int) -> list[int]:
    """Every id newer than `from_id`, read towards the newest through the "after" cursors."""
    ids: list[int] = []
    cursor = Cursor("after", from_id)
    while True:
        page = audit_entry_page(filters=filters, cursor=cursor, page_size=page_size)
        ids = [row.entry.pk for row in page.rows] + ids
        if page.newer is None:
            return ids
        cursor = page.newer


def export_rows(response: Any) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# ---- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role if role != Role.AUDITOR], ids=str)
def test_only_the_auditor_reaches_the_viewer(
    role: Role, client: Client, make_user: Callable[..., User]
) -> None:
    entry = audit_record(action=Action.LOGIN, actor=None)
    client.force_login(make_user(role))
    for url in (LIST, reverse("audit:entry_detail", args=[entry.pk]), EXPORT):
        assert client.get(url).status_code == 403, url
    assert client.post(EXPORT, EXPORT_FORM).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).exists()


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    entry = audit_record(action=Action.LOGIN, actor=None)
    for url in (LIST, reverse("audit:entry_detail", args=[entry.pk]), EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    assert client.post(EXPORT, EXPORT_FORM).status_code == 302
    assert not AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).exists()


def test_the_auditor_lands_on_the_viewer(auditor_client: Client) -> None:
    response = auditor_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == LIST
    page = auditor_client.get(LIST)
    assert page.status_code == 200
    assert "<h1>Audit trail</h1>" in page.content.decode()


def test_the_auditor_sees_no_case_pages(auditor_client: Client) -> None:
    assert auditor_client.get(reverse("allegations:allegation_list")).status_code == 403
    assert auditor_client.get(reverse("people:person_search")).status_code == 403


# ---- list and filters -----------------------------------------------------------------------


def test_list_shows_labels_and_marks_refusals(auditor_client: Client, make_user: Callable[..., User]) -> None:
    reviewer = make_user(Role.REVIEWER, username="rev_rob")
    seen = consulted(reviewer, 11)
    no = refused(reviewer, 12)
    conflict = blocked(reviewer, 13)
    response = auditor_client.get(LIST)
    body = response.content.decode()
    assert shown(response)[:3] == [conflict.pk, no.pk, seen.pk]
    assert "Person record consulted" in body
    assert "Working an assigned case or review" in body
    rows = re.findall(r'<tr( class="audit-row--refusal")?>\s*<th scope="row"><a [^>]*>.*?#(\d+)</a>', body)
    marked = {int(number): bool(refusal) for refusal, number in rows}
    assert marked[no.pk] and marked[conflict.pk] and not marked[seen.pk]
    assert '<span class="tag tag--warn">Refused</span> Access refused' in body
    assert '<span class="tag tag--warn">Conflict of interest</span> Blocked: conflict of interest' in body
    assert 'style="' not in body and "<script" not in body  # the Content-Security-Policy allows neither


def test_filter_by_user_contains_and_exact(auditor_client: Client, make_user: Callable[..., User]) -> None:
    smith = make_user(Role.REVIEWER, username="jsmith")
    smithers = make_user(Role.REVIEWER, username="JSmithers")
    other = make_user(Role.REVIEWER, username="okafor")
    mine = consulted(smith, 1)
    theirs = consulted(smithers, 2)
    consulted(other, 3)
    # A failed sign-in under the name has no account, only the name typed.
    typed = audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="JSMITH")
    typed_other = audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="someone")

    response = auditor_client.get(LIST, {"user": "smith"})
    assert shown(response) == [typed.pk, theirs.pk, mine.pk]
    response = auditor_client.get(LIST, {"user": "JSmith", "user_exact": "on"})
    assert shown(response) == [typed.pk, mine.pk]
    assert typed_other.pk not in shown(auditor_client.get(LIST, {"user": "smith"}))
    assert shown(auditor_client.get(LIST, {"user": "nobody-at-all"})) == []


def test_user_filter_finds_a_renamed_accounts_earlier_entries(
    auditor_client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.REVIEWER, username="ajones")
    before = consulted(user, 1)
    user.username = "ajones-smith"
    user.save()
    after = consulted(user, 2)
    assert before.actor_label == "ajones" and after.actor_label == "ajones-smith"
    assert shown(auditor_client.get(LIST, {"user": "ajones-smith", "user_exact": "on"})) == [
        after.pk,
        before.pk,
    ]


def test_filter_by_record_and_record_name(auditor_client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.REVIEWER)
    person_7 = consulted(user, 7, label="CCP 700007")
    refused_7 = refused(user, 7)
    consulted(user, 8, label="CCP 800008")
    allegation_7 = consulted(user, 7, record_type="allegation", label="complaints C-7")

    assert shown(auditor_client.get(LIST, {"record_type": "person", "record_id": "7"})) == [
        refused_7.pk,
        person_7.pk,
    ]
    assert shown(auditor_client.get(LIST, {"record_type": "allegation"})) == [allegation_7.pk]
    assert shown(auditor_client.get(LIST, {"record_text": "ccp 7000"})) == [person_7.pk]
    assert shown(auditor_client.get(LIST, {"record_text": "C-7"})) == [allegation_7.pk]


def test_filter_by_action_and_category(auditor_client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.REVIEWER)
    seen = consulted(user, 1)
    no = refused(user, 2)
    granted = audit_record(action=Action.ACCESS_GRANTED, actor=None, record_type="person", record_id=2)
    changed = audit_record(action=Action.RECORD_CHANGED, actor=user, record_type="person", record_id=1)

    assert shown(auditor_client.get(LIST, {"action": Action.RECORD_CHANGED.value})) == [changed.pk]
    assert shown(auditor_client.get(LIST, {"action": "category:access"})) == [granted.pk, no.pk]
    assert shown(auditor_client.get(LIST, {"action": "category:consultation"})) == [seen.pk]
    # Every action and category is offered, grouped by category.
    body = auditor_client.get(LIST).content.decode()
    for action in Action:
        assert f'<option value="{action.value}">{html_lib.escape(action.label)}</option>' in body
    for category in Category:
        assert f'value="category:{category.value}"' in body


def test_refusals_only(auditor_client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.INVESTIGATOR)
    consulted(user, 1)
    no = refused(user, 2)
    conflict = blocked(user, 3)
    audit_record(action=Action.ACCESS_GRANTED, actor=None, record_type="person", record_id=2)

    assert shown(auditor_client.get(LIST, {"refusals_only": "on"})) == [conflict.pk, no.pk]
    both = {"refusals_only": "on", "action": Action.CONFLICT_BLOCKED.value}
    assert shown(auditor_client.get(LIST, both)) == [conflict.pk]
    assert shown(auditor_client.get(LIST, {"refusals_only": "on", "action": "category:access"})) == [
        conflict.pk,
        no.pk,
    ]


def test_filter_by_uk_dates(auditor_client: Client) -> None:
    # Stamped after the sign-in above (ids follow time), on an action nothing else writes here.
    utc, marker = dt.UTC, Action.KEYS_ROTATED
    with clock(dt.datetime(2030, 6, 30, 22, 59, tzinfo=utc)):  # 23:59 on 30 June, UK summer time
        june = audit_record(action=marker, actor=None)
    with clock(dt.datetime(2030, 6, 30, 23, 30, tzinfo=utc)):  # 00:30 on 1 July, UK time
        july_1 = audit_record(action=marker, actor=None)
    with clock(dt.datetime(2030, 7, 2, 12, 0, tzinfo=utc)):
        july_2 = audit_record(action=marker, actor=None)
    with clock(dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=utc)):  # winter: UK time is UTC
        december = audit_record(action=marker, actor=None)

    def between(**dates: str) -> list[int]:
        return shown(auditor_client.get(LIST, {"action": marker.value, **dates}))

    assert between(date_from="2030-07-01") == [december.pk, july_2.pk, july_1.pk]
    assert between(date_to="2030-06-30") == [june.pk]
    assert between(date_from="2030-07-01", date_to="2030-07-01") == [july_1.pk]
    assert between(date_from="2030-12-31", date_to="2030-12-31") == [december.pk]
    assert between(date_from="2030-06-30", date_to="2030-07-02") == [july_2.pk, july_1.pk, june.pk]
    assert between(date_from="2031-01-01") == []
    response = auditor_client.get(LIST, {"date_from": "2030-07-01", "date_to": "2030-07-01"})
    assert shown(response) == [july_1.pk]
    assert "2030-07-01 00:30:00" in response.content.decode()  # shown in UK time


def test_dates_are_exact_when_the_clock_stepped_back() -> None:
    """Ids follow time only as far as the server clock does; a step back (within a day) must not
    hide an entry from a date filter."""
    utc = dt.UTC
    stamps = [
        dt.datetime(2030, 3, 1, 12, tzinfo=utc),
        dt.datetime(2030, 3, 3, 0, 30, tzinfo=utc),  # 3 March
        dt.datetime(2030, 3, 2, 23, 50, tzinfo=utc),  # the clock stepped back: 2 March, a later id
        dt.datetime(2030, 3, 5, 12, tzinfo=utc),
        dt.datetime(2030, 3, 9, 12, tzinfo=utc),
        dt.datetime(2030, 3, 12, 12, tzinfo=utc),
    ]
    ids = []
    for stamp in stamps:
        with clock(stamp):
            ids.append(audit_record(action=Action.KEYS_ROTATED, actor=None).pk)

    def dated(start: dt.date | None, end: dt.date | None) -> list[int]:
        filters = AuditFilters(action=Action.KEYS_ROTATED, date_from=start, date_to=end)
        return walk(filters, page_size=2)

    march = dt.date(2030, 3, 1)
    assert dated(None, march.replace(day=2)) == [ids[2], ids[0]]
    assert dated(march.replace(day=3), None) == [ids[5], ids[4], ids[3], ids[1]]
    assert dated(march.replace(day=2), march.replace(day=2)) == [ids[2]]
    assert dated(march.replace(day=9), march.replace(day=9)) == [ids[4]]
    assert dated(march.replace(day=3), march.replace(day=5)) == [ids[3], ids[1]]


def test_filter_errors_are_explained(
    auditor_client: Client, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    response = auditor_client.get(
        LIST,
        {"date_from": "2026-05-01", "date_to": "2026-01-01", "record_id": "12", "action": "nonsense"},
    )
    body = html_lib.unescape(response.content.decode())
    assert response.context["page"] is None
    assert "There is a problem with the filters" in body
    assert "“To date” must be the same as or after “From date”." in body
    assert "Give the record type as well as its ID" in body
    assert "“nonsense” is not an action Vigil records." in body
    assert response.content.decode().count('aria-invalid="true"') == 3

    body = html_lib.unescape(auditor_client.get(LIST, {"date_from": "31/01/2026"}).content.decode())
    assert "Enter a real date, as YYYY-MM-DD" in body

    response = auditor_client.get(LIST, {"refusals_only": "on", "action": Action.LOGIN.value})
    assert "This action is never a refusal" in html_lib.unescape(response.content.decode())

    make_user(Role.REVIEWER, username="dana")
    monkeypatch.setattr(selectors, "MAX_MATCHING_ACCOUNTS", 1)  # auditor_ann and dana both match "a"
    response = auditor_client.get(LIST, {"user": "a"})
    assert response.context["page"] is None
    assert "More than 1 accounts match this" in html_lib.unescape(response.content.decode())


# ---- paging ---------------------------------------------------------------------------------


def test_keyset_paging_through_the_view(auditor_client: Client) -> None:
    for _ in range(selectors.PAGE_SIZE * 2 + 5):
        audit_record(action=Action.LOGOUT, actor=None)
    expected = list(
        AuditEntry.objects.filter(action=Action.LOGOUT).order_by("-id").values_list("id", flat=True)
    )
    query = {"action": Action.LOGOUT.value}
    first = auditor_client.get(LIST, query)
    assert shown(first) == expected[:50]
    assert link(first, "← Newer") is None
    older = link(first, "Older →")
    assert older is not None and "action=auth.logout" in older
    second = auditor_client.get(LIST + older)
    assert shown(second) == expected[50:100]
    third = auditor_client.get(LIST + link(second, "Older →"))  # type: ignore[operator]
    assert shown(third) == expected[100:]
    assert link(third, "Older →") is None
    back = auditor_client.get(LIST + link(third, "← Newer"))  # type: ignore[operator]
    assert shown(back) == expected[50:100]
    assert link(back, "Newest") is not None

    bad = auditor_client.get(LIST, {"before": "12x"})
    assert "That page link could not be read" in bad.content.decode()
    assert shown(bad)[:1] == [AuditEntry.objects.order_by("-id").first().pk]  # type: ignore[union-attr]


def test_pages_never_count_or_offset(auditor_client: Client) -> None:
    for _ in range(60):
        audit_record(action=Action.LOGOUT, actor=None)
    cursor = audit_entry_page(filters=AuditFilters(), cursor=None).older
    assert cursor is not None
    with CaptureQueriesContext(connection) as queries:
        auditor_client.get(LIST, {"before": cursor.token, "user": "system", "date_from": "2020-01-01"})
    audit_sql = [q["sql"] for q in queries.captured_queries if "audit_auditentry" in q["sql"]]
    assert audit_sql
    for sql in audit_sql:
        assert "OFFSET" not in sql.upper() and "COUNT(" not in sql.upper(), sql


def test_paging_agrees_with_the_filters_in_every_combination(make_user: Callable[..., User]) -> None:
    """Random entries, many filter combinations: walking the pages (both ways) gives exactly the
    matching entries, newest first, whatever branches the selector reads them through."""
    generator = random.Random(20260114)
    users = [make_user(Role.REVIEWER, username=name) for name in ("alice", "alison", "bob", "carol")]
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # after the accounts' own entries
    actions = [Action.PERSON_CONSULTED, Action.ACCESS_REFUSED, Action.CONFLICT_BLOCKED, Action.LOGIN_FAILED]
    for number in range(160):
        action = generator.choice(actions)
        user = generator.choice(users)
        with clock(start + dt.timedelta(hours=7 * number)):
            if action == Action.LOGIN_FAILED:
                audit_record(action=action, actor=None, actor_label=generator.choice(["alice", "Al", "zed"]))
            else:
                audit_record(
                    action=action,
                    actor=user,
                    record_type=generator.choice(["person", "allegation"]),
                    record_id=generator.randint(1, 4),
                    record_label=f"CCP {generator.randint(1, 4)}",
                    justification=WHY if action == Action.PERSON_CONSULTED else None,
                )
    everything = list(AuditEntry.objects.order_by("-id"))
    by_id = {user.pk: user.username for user in User.objects.all()}

    def matches(entry: AuditEntry, filters: AuditFilters) -> bool:
        if filters.user:
            name = by_id.get(entry.actor_id, "") if entry.actor_id else entry.actor_label
            wanted = filters.user.lower()
            if not (name.lower() == wanted if filters.user_exact else wanted in name.lower()):
                return False
        allowed = filters.actions()
        if allowed is not None and entry.action not in allowed:
            return False
        if filters.record_type and entry.record_type != filters.record_type:
            return False
        if filters.record_id and entry.record_id != filters.record_id:
            return False
        if filters.record_text and filters.record_text.lower() not in entry.record_label.lower():
            return False
        local = entry.occurred_at.astimezone(LONDON).date()
        if filters.date_from and local < filters.date_from:
            return False
        return not (filters.date_to and local > filters.date_to)

    combinations = [
        AuditFilters(),
        AuditFilters(user="al"),
        AuditFilters(user="alice", user_exact=True),
        AuditFilters(user="zed"),
        AuditFilters(user="al", refusals_only=True),
        AuditFilters(refusals_only=True),
        AuditFilters(category=Category.ACCESS, date_from=dt.date(2030, 1, 10), date_to=dt.date(2030, 1, 30)),
        AuditFilters(action=Action.PERSON_CONSULTED, record_type="person"),
        AuditFilters(record_type="person", record_id="3", refusals_only=True),
        AuditFilters(record_text="CCP 2", user="bob", user_exact=True),
        AuditFilters(date_from=dt.date(2030, 1, 20)),
        AuditFilters(date_to=dt.date(2030, 1, 20), user="carol"),
    ]
    for filters in combinations:
        expected = [entry.pk for entry in everything if matches(entry, filters)]
        assert expected, filters  # each combination finds something to page through
        for size in (1, 3, 50):
            assert walk(filters, page_size=size) == expected, (filters, size)
        if len(expected) > 1:
            assert walk_back(filters, page_size=2, from_id=expected[-1]) == expected[:-1], filters


# ---- one entry ------------------------------------------------------------------------------


def test_entry_page_shows_every_field(auditor_client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.SUPERVISOR, Role.REVIEWER, username="sup_sam")
    first = consulted(user, 42, label="CCP 420042")
    entry = audit_record(
        action=Action.RECORDS_EXPORTED,
        actor=user,
        record_type="person",
        record_id=42,
        record_label="CCP 420042",
        justification=WHY,
        recipient="IOPC case 2026/7",
        detail={"count": 3, "fields": ["name", "staff_id"], "note": "<b>not markup</b>"},
    )
    response = auditor_client.get(reverse("audit:entry_detail", args=[entry.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        f"Audit entry #{entry.pk}",
        "Records exported",
        "sup_sam",
        "Review officer, Supervisor",
        "CCP 420042",
        "Working an assigned case or review",
        "Reviewing case PSD/2026/0042.",
        "IOPC case 2026/7",
        entry.previous_hash,
        entry.entry_hash,
        entry.request_id,
        first.entry_hash,
    ):
        assert text in body, text
    assert entry.previous_hash == first.entry_hash
    # The detail, indented for reading, and escaped.
    assert '{\n  "count": 3,\n  "fields": [\n    "name",' in html_lib.unescape(body)
    assert "&lt;b&gt;not markup&lt;/b&gt;" in body
    same_request = link(response, "Every entry of the same request")
    assert same_request is not None and f"request_id={entry.request_id}" in same_request
    listed = auditor_client.get(same_request)
    assert shown(listed) == [entry.pk]
    assert shown(auditor_client.get(link(response, "Every entry about this record"))) == [entry.pk, first.pk]  # type: ignore[arg-type]
    assert link(response, f"← Entry #{first.pk}") is not None


def test_entry_page_for_an_entry_with_no_account_or_detail(auditor_client: Client) -> None:
    entry = audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="=cmd|' /C calc'!A0")
    body = html_lib.unescape(
        auditor_client.get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    )
    assert "No account" in body and "No detail was recorded." in body
    assert auditor_client.get(reverse("audit:entry_detail", args=[entry.pk + 1000])).status_code == 404


# ---- export ---------------------------------------------------------------------------------


def test_export_form_carries_the_filters(auditor_client: Client) -> None:
    response = auditor_client.get(
        EXPORT, {"user": "jsmith", "user_exact": "on", "refusals_only": "on", "date_from": "2026-01-01"}
    )
    assert response.status_code == 200
    body = html_lib.unescape(response.content.decode())
    assert "is “jsmith”" in body
    assert "2026-01-01 to today (UK time)" in body
    assert '<input type="hidden" name="user" value="jsmith"' in body
    assert '<input type="hidden" name="refusals_only" value="True"' in body
    assert '<input type="hidden" name="date_from" value="2026-01-01"' in body
    assert "Who receives this export?" in body
    assert not AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).exists()
    # The list links to it with its filters.
    listed = auditor_client.get(LIST, {"refusals_only": "on"})
    assert link(listed, "Export these entries") == f"{EXPORT}?refusals_only=on"


def test_export_needs_a_justification_and_a_recipient(auditor_client: Client) -> None:
    response = auditor_client.post(EXPORT, {"refusals_only": "True"})
    assert response.status_code == 200
    body = html_lib.unescape(response.content.decode())
    assert "Choose the reason for this export." in body
    assert "Explain why you are exporting these entries." in body
    assert "Say who receives this export." in body
    response = auditor_client.post(EXPORT, {**EXPORT_FORM, "text": "audit", "recipient": "   "})
    body = html_lib.unescape(response.content.decode())
    assert "Explain in at least 10 characters." in body
    assert "Say who receives this export." in body
    assert not AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).exists()

    response = auditor_client.post(
        EXPORT, {**EXPORT_FORM, "date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert "There is a problem with the filters" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).exists()


def test_export_is_audited_then_streams_the_matching_entries(
    auditor_client: Client, auditor: User, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.REVIEWER, username="rev_rita")
    consulted(user, 1)
    no = refused(user, 2)
    conflict = blocked(user, 3)
    response = auditor_client.post(
        EXPORT, {**EXPORT_FORM, "refusals_only": "True", "user": "rita", "user_exact": "False"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert re.fullmatch(
        r'attachment; filename="vigil-audit-\d{8}T\d{6}Z-export-\d+\.csv"', response["Content-Disposition"]
    )

    # Written before the first byte is sent, with the justification, recipient and filters.
    exported = AuditEntry.objects.get(action=Action.AUDIT_EXPORTED)
    assert exported.actor_id == auditor.pk and exported.actor_label == "auditor_ann"
    assert exported.actor_roles == "auditor"
    assert exported.justification_reason == "audit"
    assert exported.justification_text == "Quarterly integrity check of refusals."
    assert exported.recipient == "DPS investigation 2026/114"
    assert exported.record_type == "audit_trail"
    assert json.loads(exported.detail) == {
        "filters": {"refusals_only": True, "user": "rita"},
        "format": "csv",
    }

    rows = export_rows(response)
    assert [int(row["id"]) for row in rows] == [no.pk, conflict.pk]  # oldest first
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    first = rows[0]
    assert first["actor"] == "rev_rita" and first["roles"] == "reviewer"
    assert first["action"] == "access.refused" and first["action_label"] == "Access refused"
    assert (first["record_type"], first["record_id"], first["record_label"]) == ("person", "2", "CCP 2")
    assert json.loads(first["detail"]) == {"reason": "not assigned"}
    assert first["occurred_at"] == no.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    assert first["occurred_at"].endswith("+00:00")
    assert (first["previous_hash"], first["entry_hash"]) == (no.previous_hash, no.entry_hash)
    assert first["request_id"] == no.request_id


def test_export_of_everything_stops_before_its_own_entry(auditor_client: Client) -> None:
    audit_record(action=Action.LOGIN, actor=None)
    response = auditor_client.post(EXPORT, EXPORT_FORM)
    exported = AuditEntry.objects.get(action=Action.AUDIT_EXPORTED)
    audit_record(action=Action.LOGOUT, actor=None)  # written while the file streams
    ids = [int(row["id"]) for row in export_rows(response)]
    assert ids == list(
        AuditEntry.objects.filter(id__lt=exported.pk).order_by("id").values_list("id", flat=True)
    )
    # The export shows in the trail, marked as a disclosure with its recipient.
    body = auditor_client.get(LIST, {"action": Action.AUDIT_EXPORTED.value}).content.decode()
    assert "Audit trail exported" in body and "To: DPS investigation 2026/114" in body


def test_export_guards_against_csv_injection(auditor_client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.REVIEWER)
    audit_record(
        action=Action.PERSON_CONSULTED,
        actor=user,
        record_type="person",
        record_id="-5",
        record_label='=HYPERLINK("http://evil.example","click")',
        justification=Justification(reason="assigned_case", text="+44 20 7946 0000 called about it"),
    )
    audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="@SUM(A1:A9)")
    audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="\t=1+1")
    audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label="plain-name = fine")
    rows = export_rows(auditor_client.post(EXPORT, EXPORT_FORM))
    cells = [cell for row in rows for cell in row.values()]
    for cell in cells:
        assert cell == "-5" or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "-5" in cells  # a plain negative number stays a number (vigil.core.tabular)
    assert "'+44 20 7946 0000 called about it" in cells
    assert "'@SUM(A1:A9)" in cells
    assert "'\t=1+1" in cells
    assert "plain-name = fine" in cells


def test_an_export_of_ten_thousand_entries_streams(
    auditor_client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.REVIEWER)
    for number in range(10_000):
        audit_record(action=Action.RECORD_CHANGED, actor=user, record_type="person", record_id=number)
    with CaptureQueriesContext(connection) as queries:
        response: Any = auditor_client.post(EXPORT, {**EXPORT_FORM, "action": Action.RECORD_CHANGED.value})
        assert response.streaming
        read_before_streaming = len(queries.captured_queries)
        chunks = iter(response.streaming_content)
        head = next(chunks) + next(chunks) + next(chunks)  # byte-order mark, header, first row
        assert head.decode("utf-8").startswith("\ufeffid,occurred_at,actor,")
        rest = b"".join(chunks)
    lines = (head + rest).decode("utf-8").splitlines()
    assert len(lines) == 1 + 10_000
    assert lines[-1].startswith("10")
    # The entries were not read before the response was handed back: they are read as it streams,
    # a chunk at a time.
    fetches = [q for q in queries.captured_queries[read_before_streaming:] if "audit_auditentry" in q["sql"]]
    assert fetches
    assert AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).count() == 1
