"""The allegation list (filters, keyset paging) and the allegation page."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access import grant_caseload, open_record
from tests.factories import (
    allegation_build,
    allegation_create,
    former_staff_number_create,
    person_create,
)
from vigil.accounts.roles import Role
from vigil.allegations.models import Allegation
from vigil.allegations.selectors import AllegationFilters, Cursor, allegation_list_page

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Iterable[Role]], Any]
LIST = reverse("allegations:allegation_list")


@pytest.fixture
def assessor(client: Client, make_user: Callable[..., User]) -> Client:
    """An assessor in the team holding the whole caseload: sees every unrestricted record."""
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)
    client.force_login(user)
    return client


def shown(response: Any) -> list[int]:
    return [allegation.pk for allegation in response.context["page"].rows]


def link(response: Any, text: str) -> str | None:
    """The href of the paging link with this text, if the page has one."""
    found = re.search(r'<a href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", response.content.decode())
    return html_lib.unescape(found.group(1)) if found else None


def many(count: int, **fields: Any) -> list[Allegation]:
    """`count` allegations, received over few days so many share a received_on (ties)."""
    rows = [
        allegation_build(received_on=dt.date(2024, 1, 1) + dt.timedelta(days=number % 7), **fields)
        for number in range(count)
    ]
    return Allegation.objects.bulk_create(rows)


def newest_first(ids: Iterable[int]) -> list[int]:
    rows = Allegation.objects.filter(pk__in=list(ids)).order_by("-received_on", "-id")
    return list(rows.values_list("pk", flat=True))


# ---- list -------------------------------------------------------------------------------------


def test_list_renders_newest_first_with_columns(assessor: Client) -> None:
    old = allegation_create(received_on=dt.date(2020, 5, 1), category="stalking", source="hotline")
    new = allegation_create(
        received_on=dt.date(2024, 5, 1),
        category="rape",
        source="colleague_report",
        subject_name="PC Smith",
        subject_staff_id="123456",
        outcome="open",
        ref="CR-0001",
    )
    response = assessor.get(LIST)
    assert response.status_code == 200
    assert shown(response) == [new.pk, old.pk]
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in (
        "2024-05-01",
        "CR-0001",
        "Colleague report",
        "Rape",
        "PC Smith",
        "123456",
        "Open",
        "Hotline",
    ):
        assert text in html, text
    assert '<label for="id_category">Category</label>' in html
    assert '<input type="date" name="received_from"' in html
    assert link(response, "Older →") is None and link(response, "← Newer") is None


def test_list_shows_partial_received_dates(assessor: Client) -> None:
    allegation_create(received_on=dt.date(2019, 7, 1), received_on_precision="M")
    assert "2019-07<" in assessor.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "rape"}, {"rape-hotline-2020"}),
        ({"source": "hotline"}, {"rape-hotline-2020", "stalking-hotline-2023"}),
        ({"outcome": "dismissed"}, {"stalking-hotline-2023"}),
        ({"received_from": "2022-01-01"}, {"stalking-hotline-2023", "other-intel-2024"}),
        ({"received_to": "2022-01-01"}, {"rape-hotline-2020"}),
        (
            {"received_from": "2020-06-01", "received_to": "2023-06-01"},
            {"rape-hotline-2020", "stalking-hotline-2023"},
        ),
        ({"source": "hotline", "received_from": "2021-01-01"}, {"stalking-hotline-2023"}),
        ({"category": "", "source": "", "outcome": "", "received_from": "", "received_to": ""}, None),
    ],
)
def test_list_filters(assessor: Client, params: dict[str, str], expected: set[str] | None) -> None:
    allegation_create(
        ref="rape-hotline-2020", category="rape", source="hotline", received_on=dt.date(2020, 6, 1)
    )
    allegation_create(
        ref="stalking-hotline-2023",
        category="stalking",
        source="hotline",
        outcome="dismissed",
        received_on=dt.date(2023, 6, 1),
    )
    allegation_create(
        ref="other-intel-2024", category="other", source="intelligence", received_on=dt.date(2024, 1, 1)
    )
    response = assessor.get(LIST, params)
    assert response.status_code == 200
    refs = {allegation.allegation_ref for allegation in response.context["page"].rows}
    assert refs == (expected or {"rape-hotline-2020", "stalking-hotline-2023", "other-intel-2024"})
    if expected is not None:
        assert "Allegations matching the filters" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "not-a-category"}, "“not-a-category” is not a category Vigil knows"),
        ({"source": "fax"}, "“fax” is not a source Vigil knows"),
        ({"outcome": "'; DROP TABLE"}, "is not an outcome Vigil knows"),
        ({"received_from": "31/12/2024"}, "Enter a real date, as YYYY-MM-DD"),
        ({"received_to": "2024-02-30"}, "Enter a real date, as YYYY-MM-DD"),
        ({"received_from": "2024-05-01", "received_to": "2024-04-01"}, "must be the same as or after"),
    ],
)
def test_bad_filter_values_are_a_message_not_an_error(
    assessor: Client, params: dict[str, str], message: str
) -> None:
    allegation_create()
    response = assessor.get(LIST, params)
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "There is a problem with the filters" in html
    assert message in html
    assert response.context["page"] is None
    assert 'aria-invalid="true"' in html
    assert "<title>Error: " in html


@pytest.mark.parametrize("token", ["garbage", "2024-13-01_5", "2024-01-01_x", "2024-01-01", "_"])
def test_bad_cursor_shows_the_newest_page_with_a_message(assessor: Client, token: str) -> None:
    rows = many(3)
    response = assessor.get(LIST, {"before": token})
    assert response.status_code == 200
    assert "That page link could not be read" in response.content.decode()
    assert shown(response) == newest_first(row.pk for row in rows)


def test_paging_visits_every_row_once_across_ties(assessor: Client) -> None:
    rows = many(120)
    expected = newest_first(row.pk for row in rows)
    seen: list[int] = []
    pages: list[list[int]] = []
    url: str | None = LIST
    while url is not None:
        response = assessor.get(url)
        assert response.status_code == 200
        pages.append(shown(response))
        seen.extend(pages[-1])
        older = link(response, "Older →")
        url = None if older is None else LIST + older
    assert [len(page) for page in pages] == [50, 50, 20]
    assert seen == expected  # every row, exactly once, in order

    # ... and back again through the "Newer" links, landing on the same pages.
    back: list[list[int]] = [pages[-1]]
    while (newer := link(response, "← Newer")) is not None:
        response = assessor.get(LIST + newer)
        back.append(shown(response))
    assert back[::-1] == pages


def test_paging_keeps_the_filters(assessor: Client) -> None:
    rape = many(60, category="rape")
    many(60, category="stalking")
    first = assessor.get(LIST, {"category": "rape"})
    older = link(first, "Older →")
    assert older is not None and "category=rape" in older
    second = assessor.get(LIST + older)
    assert shown(first) + shown(second) == newest_first(row.pk for row in rape)
    assert link(second, "Older →") is None


def test_list_queries_have_no_count_and_no_offset(assessor: Client) -> None:
    many(120)
    first = assessor.get(LIST)
    older = link(first, "Older →")
    assert older is not None
    for url in (LIST, LIST + older, LIST + "?category=rape&received_from=2024-01-02"):
        with CaptureQueriesContext(connection) as captured:
            assert assessor.get(url).status_code == 200
        # On the allegation table, that is: small lookups elsewhere (need-to-know, the urgent
        # hotline reports counted for the banner on every page) may count.
        sql = " ".join(
            query["sql"].upper()
            for query in captured.captured_queries
            if '"allegations_allegation"' in query["sql"] and '"intake_hotlinereport"' not in query["sql"]
        )
        assert "COUNT(" not in sql
        assert "OFFSET" not in sql


def test_list_query_count_does_not_grow_with_rows(
    assessor: Client, django_assert_max_num_queries: Any
) -> None:
    allegation_create(outcome="open", complainant_relationship="partner")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assessor.get(url)
        return len(captured)

    few = count(LIST)
    many(120, outcome="open")
    assert count(LIST) == few
    # 14 before need-to-know, plus its context: teams, caseload, own record, conflicts, restrictions.
    with django_assert_max_num_queries(19):
        assessor.get(LIST + "?category=rape&source=hotline&outcome=open&before=2024-01-05_60")


def test_selector_pages_both_ways_from_a_cursor() -> None:
    rows = newest_first(row.pk for row in many(10))
    by_pk = Allegation.objects.in_bulk(rows)
    middle = by_pk[rows[4]]
    older = allegation_list_page(
        filters=AllegationFilters(),
        visible=Q(),
        cursor=Cursor("before", middle.received_on, middle.pk),
        page_size=3,
    )
    assert [row.pk for row in older.rows] == rows[5:8]
    assert older.older is not None and older.newer is not None
    newer = allegation_list_page(
        filters=AllegationFilters(),
        visible=Q(),
        cursor=Cursor("after", middle.received_on, middle.pk),
        page_size=3,
    )
    assert [row.pk for row in newer.rows] == rows[1:4]
    top = allegation_list_page(
        filters=AllegationFilters(),
        visible=Q(),
        cursor=Cursor("after", newer.rows[0].received_on, newer.rows[0].pk),
        page_size=3,
    )
    assert [row.pk for row in top.rows] == rows[0:1]
    assert top.newer is None and top.older is not None


def test_empty_list_says_so(assessor: Client) -> None:
    response = assessor.get(LIST)
    assert "No allegations have been imported yet" in response.content.decode()
    response = assessor.get(LIST, {"category": "rape"})
    assert "No allegations match these filters" in response.content.decode()


# ---- detail -----------------------------------------------------------------------------------


def test_detail_shows_every_field(assessor: Client) -> None:
    allegation = allegation_create(
        source="other_force",
        ref="OF/2024/77",
        received_on=dt.date(2024, 2, 10),
        incident_date=dt.date(2023, 11, 1),
        incident_date_precision="M",
        category="coercive_control",
        summary="Line one.\nLine two.",
        subject_name="DC Jo Bloggs",
        subject_staff_id="654321",
        subject_shoulder_number="99XY",
        subject_rank="Detective Constable",
        subject_command="CID",
        subject_force="Otherton Police",
        subject_dob=dt.date(1980, 1, 1),
        subject_dob_precision="Y",
        subject_details="Drives a red car",
        complainant_ref="C0001234",
        complainant_relationship="ex_partner",
        outcome="case_to_answer_misconduct",
        outcome_on=dt.date(2024, 9, 30),
    )
    response = open_record(assessor, reverse("allegations:allegation_detail", args=[allegation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in (
        "Other force",
        "OF/2024/77",
        "2024-02-10",
        "2023-11",
        "Coercive control",
        "Line one.<br>Line two.",
        "DC Jo Bloggs",
        "654321",
        "99XY",
        "Detective Constable",
        "CID",
        "Otherton Police",
        "1980",
        "Drives a red car",
        "C0001234",
        "Ex-partner",
        "Case to answer: misconduct",
        "2024-09-30",
        "No one on the register holds staff ID 654321 in Otherton Police",
    ):
        assert text in html, text


def test_detail_links_the_exact_staff_number_holder(assessor: Client) -> None:
    holder = person_create(staff_id="111222", force="Testshire Police", surname="Holder")
    person_create(staff_id="111222", force="Otherton Police", surname="Elsewhere")
    allegation = allegation_create(subject_staff_id="111222", subject_force="Testshire Police")
    html = open_record(
        assessor, reverse("allegations:allegation_detail", args=[allegation.pk])
    ).content.decode()
    assert "Staff number on the register:" in html
    assert reverse("people:person_detail", args=[holder.pk]) in html
    assert "Elsewhere" not in html
    assert "staff-number match only" in html


def test_detail_without_force_lists_holders_in_any_force(assessor: Client) -> None:
    one = person_create(staff_id="333444", force="Testshire Police")
    two = person_create(staff_id="333444", force="Otherton Police")
    allegation = allegation_create(subject_staff_id="333444", subject_force="")
    html = open_record(
        assessor, reverse("allegations:allegation_detail", args=[allegation.pk])
    ).content.decode()
    assert reverse("people:person_detail", args=[one.pk]) in html
    assert reverse("people:person_detail", args=[two.pk]) in html
    assert "No force was recorded on the allegation" in html


def test_detail_links_a_former_holder(assessor: Client) -> None:
    person = person_create(staff_id="900001")
    former_staff_number_create(person=person, staff_id="100100")
    allegation = allegation_create(subject_staff_id="100100", subject_force=person.force)
    html = open_record(
        assessor, reverse("allegations:allegation_detail", args=[allegation.pk])
    ).content.decode()
    assert "Former staff number of:" in html
    assert reverse("people:person_detail", args=[person.pk]) in html


def test_detail_without_staff_number(assessor: Client) -> None:
    person_create(surname="Bloggs")
    allegation = allegation_create(subject_name="Bloggs")
    html = open_record(
        assessor, reverse("allegations:allegation_detail", args=[allegation.pk])
    ).content.decode()
    assert "No staff number was recorded" in html
    assert "Staff number on the register" not in html


def test_unknown_allegation_is_404(assessor: Client) -> None:
    assert open_record(assessor, reverse("allegations:allegation_detail", args=[424242])).status_code == 404


# ---- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["allegations:allegation_list", "allegations:allegation_detail"])
def test_analyst_is_refused_and_anonymous_sent_to_login(
    route: str, client: Client, client_for: ClientFor
) -> None:
    allegation = allegation_create()
    url = reverse(route, args=[allegation.pk] if route.endswith("detail") else [])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login") + "?next=")
    analyst = client_for([Role.ANALYST])
    response = analyst.get(url)
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


# ---- the sealed complainant contact -------------------------------------------------------------


def test_the_sealed_contact_opens_only_with_a_justification_and_is_audited(
    assessor: Client, make_user: Callable[..., User]
) -> None:
    from vigil.audit.actions import Action
    from vigil.audit.models import AuditEntry

    allegation = allegation_create(complainant_contact="07700 900123\n1 High Street")
    detail = open_record(assessor, reverse("allegations:allegation_detail", args=[allegation.pk])).content
    assert b"07700 900123" not in detail
    assert b"Open the contact details" in detail
    url = reverse("allegations:allegation_contact", args=[allegation.pk])
    asked = assessor.get(url).content.decode()
    assert "Why do you need to see the complainant" in asked and "07700" not in asked
    assert not AuditEntry.objects.filter(action=Action.SEALED_FIELD_OPENED).exists()
    shown = open_record(assessor, url).content.decode()
    assert "07700 900123\n1 High Street" in shown
    entry = AuditEntry.objects.get(action=Action.SEALED_FIELD_OPENED)
    assert (entry.record_id, entry.justification_reason) == (str(allegation.pk), "assigned_case")
    assert "07700" not in entry.detail  # the log says what was opened, never the value


def test_reviewers_see_that_a_contact_is_sealed_but_cannot_open_it(
    client: Client, make_user: Callable[..., User]
) -> None:
    from vigil.accounts.services import access_grant

    reviewer = make_user(Role.REVIEWER)
    allegation = allegation_create(complainant_contact="jane@example.org")
    access_grant(granted_by=None, reason="review", user=reviewer, allegation=allegation)
    client.force_login(reviewer)
    detail = open_record(client, reverse("allegations:allegation_detail", args=[allegation.pk])).content
    assert b"Sealed: only assessors, supervisors and investigators may open them." in detail
    assert client.get(reverse("allegations:allegation_contact", args=[allegation.pk])).status_code == 403
