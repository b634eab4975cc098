"""Reads for clerical review and the person page (vigil.linkage.selectors), and the one definition
of "an allegation about a person" now counting links (people.selectors.allegations_naming_q)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from tests.factories import allegation_create, former_staff_number_create, person_create
from tests.linkage.review_data import awaiting_review
from vigil.allegations.models import Allegation
from vigil.linkage.models import LinkStatus
from vigil.linkage.selectors import (
    QueueCursor,
    Verdict,
    compare,
    linked_allegations_q,
    name_form,
    people_for_comparison,
    possible_allegations,
    review_item,
    review_queue,
)
from vigil.people.models import Person
from vigil.people.selectors import allegations_naming_q, allegations_with_their_numbers_q

pytestmark = pytest.mark.django_db

EVERYONE = Q()


# ---- the queue -----------------------------------------------------------------------------------


def test_queue_holds_only_needs_review_most_severe_then_most_probable_then_oldest() -> None:
    person = person_create()
    minor_likely = awaiting_review(
        candidates=[person], probabilities=[0.9], category="inappropriate_behaviour"
    )
    rape_unlikely = awaiting_review(candidates=[person], probabilities=[0.4], category="rape")
    rape_likely_new = awaiting_review(
        candidates=[person], probabilities=[0.7], category="rape", received_on=dt.date(2024, 5, 1)
    )
    rape_likely_old = awaiting_review(
        candidates=[person], probabilities=[0.7], category="rape", received_on=dt.date(2023, 5, 1)
    )
    awaiting_review(candidates=[person], status=LinkStatus.AUTO)
    awaiting_review(candidates=[], status=LinkStatus.UNMATCHED)
    allegation_create()  # not linked at all

    page = review_queue(visible=EVERYONE, people_visible=EVERYONE)

    assert [row.allegation.pk for row in page.rows] == [
        rape_likely_old.pk,
        rape_likely_new.pk,
        rape_unlikely.pk,
        minor_likely.pk,
    ]
    assert page.older is None and page.newer is None
    assert page.rows[0].candidate == person and page.rows[0].link.match_probability == 0.7


def test_queue_pages_forwards_and_back_by_keyset() -> None:
    people = [person_create() for _ in range(3)]
    made = [
        awaiting_review(
            candidates=people,
            probabilities=[0.5 + (n % 3) / 10, 0.2, 0.1],
            category=["rape", "stalking"][n % 2],
            received_on=dt.date(2024, 1, 1) + dt.timedelta(days=n % 4),
        )
        for n in range(7)
    ]
    whole = [row.allegation.pk for row in review_queue(visible=EVERYONE, people_visible=EVERYONE).rows]
    assert sorted(whole) == sorted(a.pk for a in made)

    seen, cursor = [], None
    pages = []
    while True:
        page = review_queue(visible=EVERYONE, people_visible=EVERYONE, cursor=cursor, page_size=3)
        pages.append(page)
        seen += [row.allegation.pk for row in page.rows]
        if page.older is None:
            break
        cursor = QueueCursor.parse("before", page.older.token)  # through the URL token
    assert seen == whole
    assert [len(page.rows) for page in pages] == [3, 3, 1]
    back = review_queue(visible=EVERYONE, people_visible=EVERYONE, cursor=pages[-1].newer, page_size=3)
    assert [row.allegation.pk for row in back.rows] == whole[3:6]
    assert back.newer is not None and back.older is not None


def test_queue_shows_only_visible_allegations_and_never_names_a_hidden_candidate() -> None:
    shown, hidden_person = person_create(surname="Visible"), person_create(surname="Hidden")
    mine = awaiting_review(candidates=[hidden_person, shown], subject_staff_id="1")
    awaiting_review(candidates=[shown], subject_staff_id="2")

    page = review_queue(visible=Q(pk=mine.pk), people_visible=~Q(pk=hidden_person.pk))

    [row] = page.rows
    assert row.allegation.pk == mine.pk
    assert row.candidate is None and row.candidate_hidden
    assert row.candidates == 2


def test_a_bad_cursor_token_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        QueueCursor.parse("before", "nonsense")


# ---- comparing the subject as recorded with a person --------------------------------------------


@pytest.mark.parametrize(
    ("text", "rank", "forenames", "surname"),
    [
        ("SMITH, Dave", "", ["dave"], "smith"),
        ("PC Smith", "pc", [], "smith"),
        ("D. Smith", "", ["d"], "smith"),
        ("Dave Smith-Jones", "", ["dave"], "smith-jones"),
        ("DC A. Nowak", "dc", ["a"], "nowak"),
        ("", "", [], ""),
    ],
)
def test_name_forms(text: str, rank: str, forenames: list[str], surname: str) -> None:
    form = name_form(text)
    assert (form.rank, form.forenames, form.surname) == (rank, forenames, surname)


def verdicts(allegation: Allegation, person: Person) -> dict[str, tuple[Verdict, str]]:
    loaded = people_for_comparison([person.pk])[person.pk]
    return {c.field: (c.verdict, c.note) for c in compare(allegation, loaded)}


def test_comparison_uses_the_persons_history() -> None:
    person = person_create(
        surname="Okafor",
        forenames="Grace",
        staff_id="512345",
        date_of_birth=dt.date(1979, 3, 4),
        rank_or_grade="Sergeant",
        command="Central BCU",
        former_names=["Grace Adeyemi"],
        shoulder_numbers=["1234CW", "77NE"],
        roles=[{"rank_or_grade": "Constable", "command": "North BCU", "recorded_from": dt.date(2016, 1, 1)}],
    )
    former_staff_number_create(person=person, staff_id="400400", force="Otherton Police")
    allegation = allegation_create(
        subject_name="PC ADEYEMI, G",
        subject_staff_id="400400",
        subject_shoulder_number="77 ne",
        subject_command="North BCU",
        subject_dob=dt.date(1979, 1, 1),
        subject_dob_precision="Y",
        subject_force="Otherton Police",
    )
    found = verdicts(allegation, person)
    assert found["name"][0] is Verdict.AGREES and "former name" in found["name"][1]
    assert found["staff_id"] == (Verdict.AGREES, "a former staff ID")
    assert found["shoulder_number"] == (Verdict.AGREES, "a number they wore before")
    assert found["rank"] == (Verdict.AGREES, "from the name")
    assert found["command"] == (Verdict.AGREES, "a command they served in before")
    assert found["dob"] == (Verdict.AGREES, "compared to the year")
    assert found["force"] == (Verdict.AGREES, "a force they served in before")


def test_comparison_says_what_disagrees_and_what_was_not_recorded() -> None:
    person = person_create(surname="Smith", forenames="David", staff_id="600123", date_of_birth=None)
    allegation = allegation_create(
        subject_name="Sgt Sarah Smith", subject_staff_id="600128", subject_dob=dt.date(1980, 1, 1)
    )
    found = verdicts(allegation, person)
    assert found["name"] == (
        Verdict.DISAGREES,
        "surname agrees with the legal name David Smith, forename differs",
    )
    assert found["staff_id"][0] is Verdict.DISAGREES and "one character different" in found["staff_id"][1]
    assert found["rank"][0] is Verdict.DISAGREES  # a constable, not a sergeant
    assert found["shoulder_number"][0] is Verdict.NOT_RECORDED
    assert found["dob"] == (Verdict.NOT_RECORDED, "none on the register")
    assert found["force"][0] is Verdict.NOT_RECORDED


def test_a_short_forename_and_an_alias_agree() -> None:
    person = person_create(surname="Smith", forenames="David", aliases=["Davey Smyth"])
    assert verdicts(allegation_create(subject_name="SMITH, Dave"), person)["name"][0] is Verdict.AGREES
    smyth = verdicts(allegation_create(subject_name="Davey Smyth"), person)["name"]
    assert smyth[0] is Verdict.AGREES and "alias" in smyth[1]


# ---- one review item -----------------------------------------------------------------------------


def test_review_item_compares_each_visible_candidate_and_hides_the_others() -> None:
    seen = person_create(surname="Smith", forenames="Dave")
    unseen = person_create(surname="Smith", forenames="Secret")
    allegation = awaiting_review(candidates=[unseen, seen], subject_name="PC Dave Smith")

    item = review_item(allegation_id=allegation.pk, people_visible=~Q(pk=unseen.pk))

    first, second = item.candidates
    assert first.hidden and first.person is None and first.match_probability is None
    assert first.comparisons == [] and first.evidence == [] and first.is_linked_person
    assert second.person == seen and second.rank == 2 and not second.hidden
    assert {c.field for c in second.comparisons} >= {"name", "staff_id", "dob", "force"}
    assert [e.verdict for e in second.evidence] == [Verdict.AGREES, Verdict.NOT_RECORDED, Verdict.DISAGREES]
    assert item.hidden_candidates == 1
    assert item.visible_person_ids == [seen.pk]


def test_review_item_shows_a_linked_person_who_is_not_a_candidate() -> None:
    chosen, candidate = person_create(), person_create()
    allegation = awaiting_review(candidates=[candidate])
    link = allegation.link
    link.status, link.person = LinkStatus.CONFIRMED, chosen
    link.save()
    item = review_item(allegation_id=allegation.pk, people_visible=EVERYONE)
    assert [(c.rank, c.person) for c in item.candidates] == [(None, chosen), (1, candidate)]
    assert item.candidates[0].is_linked_person


# ---- a person's linked and possible allegations --------------------------------------------------


def test_linked_and_possible_allegations_of_a_person() -> None:
    person, other = person_create(), person_create()
    auto = awaiting_review(candidates=[person], status=LinkStatus.AUTO)
    confirmed = awaiting_review(candidates=[person], status=LinkStatus.CONFIRMED)
    best_for_them = awaiting_review(candidates=[person, other])
    second_for_them = awaiting_review(candidates=[other, person], probabilities=[0.6, 0.3])
    awaiting_review(candidates=[other])
    awaiting_review(candidates=[person], status=LinkStatus.REJECTED)

    linked = set(Allegation.objects.filter(linked_allegations_q(person)).values_list("pk", flat=True))
    assert linked == {auto.pk, confirmed.pk}

    possible = possible_allegations(person=person, visible=EVERYONE)
    by_pk = {p.allegation.pk: p for p in possible}
    assert set(by_pk) == {best_for_them.pk, second_for_them.pk}
    assert by_pk[best_for_them.pk].is_best and by_pk[best_for_them.pk].rank == 1
    assert not by_pk[second_for_them.pk].is_best and by_pk[second_for_them.pk].match_probability == 0.3
    assert (
        possible_allegations(person=person, visible=~Q(pk=best_for_them.pk))[0].allegation == second_for_them
    )


def test_an_allegation_linked_to_a_person_is_about_them_even_without_a_staff_number() -> None:
    person = person_create(staff_id="700700")
    linked = awaiting_review(candidates=[person], status=LinkStatus.CONFIRMED, subject_staff_id="")
    by_number = allegation_create(subject_staff_id="700700", subject_force=person.force)
    awaiting_review(candidates=[person], subject_staff_id="")  # only possibly about them
    them = Person.objects.filter(pk=person.pk)

    about = Allegation.objects.filter(allegations_with_their_numbers_q(them), allegations_naming_q(them))
    assert set(about.values_list("pk", flat=True)) == {linked.pk, by_number.pk}
