"""The people pages: person search and the one view of a person."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.access import grant_caseload, open_record
from tests.factories import (
    allegation_create,
    allegation_naming,
    former_staff_number_create,
    person_create,
    vetting_create,
)
from vigil.accounts.roles import Role

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Iterable[Role]], Any]


@pytest.fixture
def assessor(client: Client, make_user: Callable[..., User]) -> Client:
    """An assessor in the team holding the whole caseload: sees every unrestricted record."""
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)
    client.force_login(user)
    return client


def search(client: Client, query: str) -> Any:
    return client.get(reverse("people:person_search"), {"q": query})


def found_ids(response: Any) -> set[int]:
    return {match.person.pk for match in response.context["result"].matches}


# ---- person search ----------------------------------------------------------------------------


def test_search_page_renders_empty_form(assessor: Client) -> None:
    response = assessor.get(reverse("people:person_search"))
    assert response.status_code == 200
    assert response.context["result"] is None
    html = response.content.decode()
    assert '<label for="id_q">Name, staff ID or shoulder number</label>' in html
    assert html.count("<h1") == 1


def test_search_by_surname_forenames_and_both(assessor: Client) -> None:
    okafor = person_create(surname="Okafor", forenames="Grace")
    other = person_create(surname="Nowak", forenames="Anna")
    assert found_ids(search(assessor, "okafor")) == {okafor.pk}
    assert found_ids(search(assessor, "Grace")) == {okafor.pk}
    assert found_ids(search(assessor, "Grace Okafor")) == {okafor.pk}
    assert found_ids(search(assessor, "Okafor, Grace")) == {okafor.pk}
    assert found_ids(search(assessor, "Anna Okafor")) == set()
    assert found_ids(search(assessor, "Nowak")) == {other.pk}


def test_search_finds_aliases_and_former_names(assessor: Client) -> None:
    person = person_create(
        surname="Khan", forenames="Mohammed", aliases=["Mo Khan"], former_names=["Mohammed Ali"]
    )
    response = search(assessor, "Mo Khan")
    assert found_ids(response) == {person.pk}
    response = search(assessor, "ali")
    assert found_ids(response) == {person.pk}
    assert response.context["result"].matches[0].matched_on == "Former name: Mohammed Ali"
    assert "Former name: Mohammed Ali" in response.content.decode()


def test_search_by_staff_id_and_shoulder_number(assessor: Client) -> None:
    person = person_create(staff_id="204117", shoulder_numbers=["4471CW", "212NE"])
    person_create(staff_id="204118")
    assert found_ids(search(assessor, "204117")) == {person.pk}
    response = search(assessor, "4471cw")
    assert found_ids(response) == {person.pk}
    assert response.context["result"].matches[0].matched_on == "Shoulder number 4471CW"
    response = search(assessor, "212NE")
    assert response.context["result"].matches[0].matched_on == "Shoulder number 212NE (former)"


def test_search_by_former_staff_id(assessor: Client) -> None:
    person = person_create(staff_id="300001")
    former_staff_number_create(person=person, staff_id="199999")
    response = search(assessor, "199999")
    assert found_ids(response) == {person.pk}
    assert response.context["result"].matches[0].matched_on.startswith("Former staff ID")


def test_search_shows_the_table_columns(assessor: Client) -> None:
    person_create(
        surname="Murphy",
        forenames="Joe",
        force="Northshire Constabulary",
        staff_id="77001",
        rank_or_grade="Sergeant",
        command="East BCU",
        employment_type="special",
        left_on=dt.date(2023, 5, 1),
    )
    html = search(assessor, "Murphy").content.decode()
    for text in (
        "Murphy, Joe",
        "Northshire Constabulary",
        "77001",
        "Sergeant",
        "East BCU",
        "Special constable",
    ):
        assert text in html
    assert "Left" in html and "2023-05-01" in html
    assert '<th scope="col">Employment type</th>' in html


def test_search_caps_at_fifty_results(assessor: Client) -> None:
    for number in range(55):
        person_create(surname="Jones", forenames=f"Person{number:02d}")
    response = search(assessor, "Jones")
    result = response.context["result"]
    assert len(result.matches) == 50
    assert result.truncated
    assert "More than 50 people match" in response.content.decode()


def test_search_without_match_says_so(assessor: Client) -> None:
    person_create(surname="Smith")
    response = search(assessor, "Zebedee")
    assert response.status_code == 200
    assert "No one on the register matches" in response.content.decode()


def test_search_too_long_is_a_message_not_an_error(assessor: Client) -> None:
    response = search(assessor, "x" * 101)
    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert response.context["result"] is None


def test_search_treats_like_wildcards_literally(assessor: Client) -> None:
    person_create(surname="Smith")
    assert found_ids(search(assessor, "%")) == set()
    assert found_ids(search(assessor, "_")) == set()


# ---- the person page --------------------------------------------------------------------------


def full_person() -> Any:
    person = person_create(
        surname="Okafor",
        forenames="Grace",
        staff_id="512345",
        date_of_birth=dt.date(1979, 1, 1),
        date_of_birth_precision="Y",
        sex="F",
        ethnicity="Asian",
        ethnicity_code="A2",
        rank_or_grade="Sergeant",
        role="Custody sergeant",
        command="Central BCU",
        aliases=["Gracie Okafor"],
        former_names=["Grace Adeyemi"],
        shoulder_numbers=["1234CW", "77NE"],
        roles=[
            {
                "rank_or_grade": "Constable",
                "role": "Response",
                "command": "North BCU",
                "recorded_from": dt.date(2015, 1, 1),
            }
        ],
    )
    vetting_create(person=person, level="RV", granted_on=dt.date(2010, 1, 1), expires_on=dt.date(2020, 1, 1))
    vetting_create(person=person, level="MV", granted_on=dt.date(2022, 2, 2), expires_on=dt.date(2099, 1, 1))
    return person


def test_person_page_shows_the_one_view(assessor: Client) -> None:
    person = full_person()
    response = open_record(assessor, reverse("people:person_detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in (
        "Grace Okafor",
        "512345",
        "Testshire Police",
        "1979",  # partial date of birth, year only
        "Sergeant",
        "Custody sergeant",
        "Central BCU",
        "2010-09-01",  # joined
        "Gracie Okafor",
        "Also known as",
        "Grace Adeyemi",
        "Former name",
        "1234CW",
        "77NE",
        "Response",
        "North BCU",
        "Management Vetting",
        "Expired",
    ):
        assert text in html, text
    assert "1979-01-01" not in html
    profile = response.context["profile"]
    assert [n.number for n in profile.shoulder_numbers] == ["1234CW", "77NE"]
    assert [row.expired for row in profile.vetting] == [False, True]  # latest granted first


def test_person_page_does_not_show_sex_or_ethnicity(assessor: Client) -> None:
    person = full_person()
    html = open_record(assessor, reverse("people:person_detail", args=[person.pk])).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)  # random text
    for text in ("Pakistani", "Asian", "Ethnicity", "ethnicity", "Female", "Sex", ">F<"):
        assert text not in html, text


def test_person_page_lists_only_allegations_naming_their_staff_number(assessor: Client) -> None:
    person = person_create(staff_id="600100", force="Testshire Police")
    same_force = allegation_naming(person=person, received_on=dt.date(2022, 1, 1))
    no_force = allegation_create(subject_staff_id="600100", subject_force="", received_on=dt.date(2023, 1, 1))
    allegation_create(subject_staff_id="600100", subject_force="Otherton Police")  # another force's 600100
    allegation_create(subject_staff_id="600101", subject_force="Testshire Police")
    allegation_create(subject_staff_id="", subject_name=f"{person.forenames} {person.surname}")
    response = open_record(assessor, reverse("people:person_detail", args=[person.pk]))
    shown = [allegation.pk for allegation in response.context["profile"].allegations]
    assert shown == [no_force.pk, same_force.pk]  # newest first
    html = response.content.decode()
    assert reverse("allegations:allegation_detail", args=[same_force.pk]) in html
    assert "no force recorded" in html


def test_person_page_includes_allegations_naming_a_former_staff_number(assessor: Client) -> None:
    person = person_create(staff_id="700200")
    former_staff_number_create(person=person, staff_id="400400")
    old = allegation_create(subject_staff_id="400400", subject_force=person.force)
    response = open_record(assessor, reverse("people:person_detail", args=[person.pk]))
    assert [a.pk for a in response.context["profile"].allegations] == [old.pk]
    assert "(a former number)" in response.content.decode()


def test_person_page_query_count_does_not_grow_with_rows(
    assessor: Client, django_assert_max_num_queries: Any
) -> None:
    small = person_create(staff_id="800001")
    big = person_create(
        staff_id="800002",
        aliases=[f"Alias {n}" for n in range(15)],
        former_names=[f"Former {n}" for n in range(5)],
        shoulder_numbers=[f"{n}CW" for n in range(10)],
        roles=[{"rank_or_grade": f"Rank {n}", "recorded_from": dt.date(2000 + n, 1, 1)} for n in range(10)],
    )
    for year in range(2000, 2012):
        vetting_create(person=big, level="RV", granted_on=dt.date(year, 1, 1))
    for number in range(3):
        former_staff_number_create(person=big, staff_id=f"5000{number}")
    for day in range(1, 26):
        allegation_naming(
            person=big, received_on=dt.date(2024, 1, day), outcome="open", complainant_relationship="partner"
        )

    def count(person_id: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert open_record(assessor, reverse("people:person_detail", args=[person_id])).status_code == 200
        return len(captured)

    assert count(small.pk) == count(big.pk)
    # session, user, roles; need-to-know: teams, caseload, own record, conflicts, restrictions, the probe;
    # person + 5 prefetches + allegations + those awaiting review with them as a candidate; the audit
    # entry (savepoint, chain head, insert, release, and on PostgreSQL the append lock); session
    # save (3, every request); the risk score, the review, open tasks; the timeline (service dates,
    # vetting, linked allegations, review events); the urgent hotline reports waiting (the banner
    # every page shows those who triage)
    with django_assert_max_num_queries(33):
        open_record(assessor, reverse("people:person_detail", args=[big.pk]))


def test_unknown_person_is_404(assessor: Client) -> None:
    assert open_record(assessor, reverse("people:person_detail", args=[999999])).status_code == 404


# ---- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["people:person_search", "people:person_detail"])
def test_analyst_is_refused_and_anonymous_sent_to_login(
    route: str, client: Client, client_for: ClientFor
) -> None:
    person = person_create()
    url = reverse(route, args=[person.pk] if route.endswith("detail") else [])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login") + "?next=")
    analyst = client_for([Role.ANALYST])
    assert analyst.get(url).status_code == 403
