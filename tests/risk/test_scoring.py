"""The scorer (vigil.risk.scoring.score_person): a score is the sum of its named reasons, each
worth at least a point, banded by the policy's thresholds; and each reason, by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.risk.data import NO_PEERS, POLICY, TODAY, allegation_facts, person_facts, reason_for
from vigil.allegations.vocabularies import CATEGORIES, NOT_PROVEN, OUTCOME_CLASSES, PROVEN, SOURCES
from vigil.risk import scoring
from vigil.risk.facts import AllegationFacts, PersonFacts
from vigil.risk.scoring import PeerCutpoints, Score, score_person


def score(person: PersonFacts, *, peers: PeerCutpoints = NO_PEERS, today: dt.date = TODAY) -> Score:
    return score_person(person, POLICY, today=today, peers=peers)


# ---- properties ----------------------------------------------------------------------------------

SIGN_WORDS = [word for sign in POLICY.abuse_signs for word in sign.words]
ROLE_WORDS = [word for sign in POLICY.role_exposures for word in sign.words]
FILLER = ["officer", "reported", "the", "complainant", "said", "unhinged", "pncx", "duty", "app"]
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=TODAY)


@st.composite
def allegations(draw: st.DrawFn) -> AllegationFacts:
    received_on = draw(dates)
    return allegation_facts(
        allegation_id=draw(st.integers(min_value=1, max_value=10**9)),
        received_on=received_on,
        incident_date=draw(st.none() | st.dates(min_value=dt.date(1985, 1, 1), max_value=received_on)),
        # The least serious categories often: an old one alone is worth less than a point.
        category=draw(st.sampled_from(CATEGORIES.codes()) | st.sampled_from(["other", "domestic_argument"])),
        source=draw(st.sampled_from(SOURCES.codes())),
        complainant=draw(st.sampled_from(["", "", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"])),
        outcome_class=draw(st.sampled_from(["", *(code for code, _ in OUTCOME_CLASSES)])),
        outcome_on=draw(st.none() | st.dates(min_value=received_on, max_value=TODAY)),
        text=" ".join(draw(st.lists(st.sampled_from(SIGN_WORDS + FILLER), max_size=8))),
        subject_force=draw(st.sampled_from(["", "Testshire Police", "Otherton Police"])),
    )


@st.composite
def people(draw: st.DrawFn) -> PersonFacts:
    joined_on = draw(st.none() | dates)
    granted = draw(st.none() | dates)
    return person_facts(
        allegations=draw(
            st.lists(allegations(), max_size=2, unique_by=lambda allegation: allegation.allegation_id)
            | st.lists(allegations(), max_size=12, unique_by=lambda allegation: allegation.allegation_id)
        ),
        joined_on=joined_on,
        left_on=draw(st.none() | dates),
        role=" ".join(draw(st.lists(st.sampled_from(ROLE_WORDS + FILLER), max_size=4))),
        last_vetting_granted=granted,
        last_vetting_expires=None if granted is None else draw(st.none() | dates),
    )


@st.composite
def cutpoints(draw: st.DrawFn) -> PeerCutpoints:
    rates = sorted(draw(st.lists(st.floats(min_value=0, max_value=30), min_size=3, max_size=3)), reverse=True)
    return PeerCutpoints(
        by_percentile={band.percentile: rate for band, rate in zip(POLICY.peer_bands, rates, strict=True)},
        people=100,
    )


@settings(max_examples=300, deadline=None)
@given(person=people(), peers=st.just(NO_PEERS) | cutpoints())
@example(  # one old allegation of the least severity: its allegations reason rounds to nothing
    person=person_facts(allegations=[allegation_facts(category="other", received_on=dt.date(1995, 1, 1))]),
    peers=NO_PEERS,
)
def test_a_score_is_the_sum_of_its_reasons_each_worth_a_point(
    person: PersonFacts, peers: PeerCutpoints
) -> None:
    result = score(person, peers=peers)

    assert result.points == sum(reason.points for reason in result.reasons)
    assert all(reason.points >= 1 and reason.label for reason in result.reasons)
    codes = [reason.code for reason in result.reasons]
    assert len(codes) == len(set(codes)) and set(codes) <= set(scoring.REASON_CODES)
    expected_band = (
        "high"
        if result.points >= POLICY.band_high
        else "medium"
        if result.points >= POLICY.band_medium
        else "low"
    )
    assert result.band == expected_band
    assert result.allegations == len(person.allegations)
    assert result.distinct_complainants == len({a.complainant for a in person.allegations if a.complainant})
    if not person.allegations:
        assert result.points == 0 and result.reasons == ()


@settings(max_examples=100, deadline=None)
@given(person=people(), seed=st.integers())
def test_the_order_allegations_arrive_in_does_not_matter(person: PersonFacts, seed: int) -> None:
    shuffled = list(person.allegations)
    random.Random(seed).shuffle(shuffled)
    assert score(dataclasses.replace(person, allegations=shuffled)) == score(person)


# ---- each reason ---------------------------------------------------------------------------------


def test_no_allegation_no_score_whatever_the_role() -> None:
    result = score(person_facts(role="firearms public protection custody"))
    assert (result.points, result.band, result.reasons) == (0, "low", ())


def test_a_reason_worth_less_than_a_point_is_left_out() -> None:
    old_and_minor = person_facts(
        joined_on=dt.date(2010, 1, 1),
        allegations=[allegation_facts(category="other", received_on=dt.date(2012, 1, 1))],
    )
    result = score(old_and_minor)
    assert reason_for(result, scoring.ALLEGATIONS) is None  # 1 x 0.3 rounds to 0
    assert (result.points, result.reasons, result.allegations) == (0, (), 1)


def test_allegations_weigh_by_severity_and_recency_never_below_the_floor() -> None:
    recent = score(person_facts(allegations=[allegation_facts(category="rape", received_on=TODAY)]))
    reason = reason_for(recent, scoring.ALLEGATIONS)
    assert reason is not None
    assert (reason.points, reason.label) == (10, "1 allegation (weighed by severity and recency): rape")

    half = dt.date(TODAY.year - 5, TODAY.month, TODAY.day)  # one half-life
    older = score(person_facts(allegations=[allegation_facts(category="rape", received_on=half)]))
    assert reason_for(older, scoring.ALLEGATIONS).points == 5  # type: ignore[union-attr]

    ancient = score(
        person_facts(allegations=[allegation_facts(category="rape", received_on=dt.date(1980, 1, 1))])
    )
    assert reason_for(ancient, scoring.ALLEGATIONS).points == round(10 * POLICY.recency_floor)  # type: ignore[union-attr]

    mixed = score(
        person_facts(
            allegations=[
                allegation_facts(category="other", received_on=TODAY),
                allegation_facts(category="sexual_assault", received_on=TODAY),
                allegation_facts(category="other", received_on=TODAY),
            ]
        )
    )
    assert reason_for(mixed, scoring.ALLEGATIONS).label == (  # type: ignore[union-attr]
        "3 allegations (weighed by severity and recency): sexual assault, other x2"
    )


def test_a_not_proven_allegation_counts_the_same_as_a_proven_one() -> None:
    def one(outcome_class: str) -> Score:
        allegation = allegation_facts(
            category="sexual_assault",
            received_on=dt.date(2022, 2, 1),
            outcome_class=outcome_class,
            outcome_on=dt.date(2022, 8, 1),
            allegation_id=7,
        )
        return score(person_facts(allegations=[allegation]))

    proven, not_proven, no_outcome = one(PROVEN), one(NOT_PROVEN), one("")
    assert reason_for(not_proven, scoring.ALLEGATIONS) == reason_for(proven, scoring.ALLEGATIONS)
    assert reason_for(no_outcome, scoring.ALLEGATIONS) == reason_for(proven, scoring.ALLEGATIONS)
    assert not_proven.points == proven.points > 0


def test_escalation_names_the_rising_severities() -> None:
    person = person_facts(
        allegations=[
            allegation_facts(category="sexual_harassment", received_on=dt.date(2016, 1, 1)),
            allegation_facts(category="other", received_on=dt.date(2017, 1, 1)),  # below: not in the chain
            allegation_facts(category="sexual_assault", received_on=dt.date(2019, 1, 1)),
            allegation_facts(category="sexual_harassment", received_on=dt.date(2020, 1, 1)),
            allegation_facts(category="rape", received_on=dt.date(2023, 1, 1)),
        ]
    )
    reason = reason_for(score(person), scoring.ESCALATION)
    assert reason is not None
    assert reason.label == "severity rising: sexual harassment → sexual assault → rape"
    assert reason.points == round((10 - 5) * POLICY.escalation_points_per_step)


def test_escalation_follows_when_it_happened_not_when_it_was_reported() -> None:
    rape_reported_first = person_facts(
        allegations=[
            allegation_facts(
                category="rape", received_on=dt.date(2020, 1, 1), incident_date=dt.date(2019, 6, 1)
            ),
            allegation_facts(
                category="sexual_harassment",
                received_on=dt.date(2021, 1, 1),
                incident_date=dt.date(2015, 1, 1),
            ),
        ]
    )
    reason = reason_for(score(rape_reported_first), scoring.ESCALATION)
    assert reason is not None and reason.label == "severity rising: sexual harassment → rape"


def test_a_small_rise_or_a_fall_is_not_escalation() -> None:
    small = person_facts(
        allegations=[
            allegation_facts(category="sexual_harassment", received_on=dt.date(2018, 1, 1)),  # 5
            allegation_facts(category="online_sexual_misconduct", received_on=dt.date(2019, 1, 1)),  # 5
            allegation_facts(category="domestic_abuse_other", received_on=dt.date(2020, 1, 1)),  # 4
        ]
    )
    falling = person_facts(
        allegations=[
            allegation_facts(category="rape", received_on=dt.date(2018, 1, 1)),
            allegation_facts(category="other", received_on=dt.date(2020, 1, 1)),
        ]
    )
    assert reason_for(score(small), scoring.ESCALATION) is None
    assert reason_for(score(falling), scoring.ESCALATION) is None


def test_distinct_complainants_after_the_first_anonymous_ones_not_counted() -> None:
    person = person_facts(
        allegations=[
            allegation_facts(complainant="C-1"),
            allegation_facts(complainant="C-2"),
            allegation_facts(complainant="C-1"),
            allegation_facts(complainant="C-3"),
            allegation_facts(complainant=""),
        ]
    )
    result = score(person)
    reason = reason_for(result, scoring.COMPLAINANTS)
    assert reason is not None
    assert reason.label == "5 allegations from 3 different complainants"
    assert reason.points == 2 * POLICY.complainant_points
    assert result.distinct_complainants == 3

    one_complainant = person_facts(allegations=[allegation_facts(complainant="C-1") for _ in range(4)])
    assert reason_for(score(one_complainant), scoring.COMPLAINANTS) is None


def test_complainant_points_are_capped() -> None:
    person = person_facts(allegations=[allegation_facts(complainant=f"C-{n}") for n in range(20)])
    assert reason_for(score(person), scoring.COMPLAINANTS).points == POLICY.complainant_max  # type: ignore[union-attr]


def test_reported_through_several_routes() -> None:
    person = person_facts(
        allegations=[
            allegation_facts(source="hotline", received_on=dt.date(2019, 1, 1)),
            allegation_facts(source="public_complaint", received_on=dt.date(2020, 1, 1)),
            allegation_facts(source="hotline", received_on=dt.date(2021, 1, 1)),
            allegation_facts(source="colleague_report", received_on=dt.date(2022, 1, 1)),
        ]
    )
    reason = reason_for(score(person), scoring.SOURCES_SPREAD)
    assert reason is not None
    assert reason.label == "reported through 3 routes: hotline, public complaint, colleague report"
    assert reason.points == 2 * POLICY.source_points


def test_allegations_since_last_vetting() -> None:
    person = person_facts(
        last_vetting_granted=dt.date(2017, 4, 1),
        last_vetting_expires=dt.date(2027, 4, 1),
        allegations=[
            allegation_facts(received_on=dt.date(2016, 1, 1)),
            allegation_facts(received_on=dt.date(2017, 4, 1)),  # the same day: vetting could know
            allegation_facts(received_on=dt.date(2018, 1, 1)),
            allegation_facts(received_on=dt.date(2023, 1, 1)),
        ],
    )
    result = score(person)
    reason = reason_for(result, scoring.SINCE_VETTING)
    assert reason is not None
    assert reason.label == "2 allegations since last vetting in 2017"
    assert reason.points == 2 * POLICY.vetting_points_per_allegation
    assert reason_for(result, scoring.VETTING_EXPIRED) is None
    never_vetted = dataclasses.replace(person, last_vetting_granted=None, last_vetting_expires=None)
    assert reason_for(score(never_vetted), scoring.SINCE_VETTING) is None


def test_allegations_once_vetting_had_expired() -> None:
    person = person_facts(
        last_vetting_granted=dt.date(2010, 1, 1),
        last_vetting_expires=dt.date(2015, 1, 1),
        allegations=[
            allegation_facts(received_on=dt.date(2014, 1, 1)),
            allegation_facts(received_on=dt.date(2016, 1, 1)),
        ],
    )
    reason = reason_for(score(person), scoring.VETTING_EXPIRED)
    assert reason is not None
    assert reason.label == "vetting expired in 2015; 1 allegation since"
    assert reason.points == POLICY.vetting_expired_points


def test_reported_by_another_force_before_joining() -> None:
    person = person_facts(
        joined_on=dt.date(2016, 9, 1),
        allegations=[
            allegation_facts(
                source="other_force", received_on=dt.date(2015, 3, 1), subject_force="Otherton Police"
            ),
            allegation_facts(source="public_complaint", received_on=dt.date(2019, 3, 1)),
        ],
    )
    reason = reason_for(score(person), scoring.HISTORY)
    assert reason is not None
    assert reason.label == "1 allegation by another force before joining"
    assert reason.points == POLICY.before_joining_points + POLICY.other_force_points


def test_before_joining_and_in_another_force_separately() -> None:
    person = person_facts(
        joined_on=dt.date(2016, 9, 1),
        allegations=[
            # Reported after joining, about something before it.
            allegation_facts(received_on=dt.date(2017, 3, 1), incident_date=dt.date(2016, 1, 1)),
            # After joining, about their time on loan to another force.
            allegation_facts(received_on=dt.date(2019, 3, 1), subject_force="Otherton Police"),
            # The force's own name, another case: not another force.
            allegation_facts(received_on=dt.date(2020, 3, 1), subject_force="TESTSHIRE POLICE"),
        ],
    )
    reason = reason_for(score(person), scoring.HISTORY)
    assert reason is not None
    assert reason.label == "1 allegation before joining; 1 allegation by or in another force"
    assert reason.points == POLICY.before_joining_points + POLICY.other_force_points
    unknown_joining = dataclasses.replace(person, joined_on=None, allegations=person.allegations[:1])
    assert reason_for(score(unknown_joining), scoring.HISTORY) is None


def test_abuse_of_position_from_the_category_or_the_words() -> None:
    person = person_facts(
        allegations=[
            allegation_facts(text="He took her statement, then messaged her on a dating app."),
            allegation_facts(text="He looked her up on the police computer."),
            allegation_facts(category="abuse_of_position_sexual"),
            allegation_facts(text="Unhinged shouting at a neighbour; PNCX is not a police system."),
        ]
    )
    reason = reason_for(score(person), scoring.ABUSE_OF_POSITION)
    assert reason is not None
    assert reason.label == (
        "abuse of position in 3 allegations: met or contacted complainants "
        "on duty / through dating apps / using police systems"
    )
    assert reason.points == 3 * POLICY.abuse_points

    by_category = person_facts(allegations=[allegation_facts(category="abuse_of_position_sexual")])
    assert (
        reason_for(score(by_category), scoring.ABUSE_OF_POSITION).label == "abuse of position in 1 allegation"
    )  # type: ignore[union-attr]
    words_inside_other_words = person_facts(
        allegations=[allegation_facts(text="an unhinged rant about pncx")]
    )
    assert reason_for(score(words_inside_other_words), scoring.ABUSE_OF_POSITION) is None


def test_repeat_after_no_further_action() -> None:
    first = allegation_facts(
        received_on=dt.date(2018, 1, 1), outcome_class=NOT_PROVEN, outcome_on=dt.date(2018, 6, 1)
    )
    during = allegation_facts(received_on=dt.date(2018, 3, 1))  # before it was closed: not a repeat
    after = [
        allegation_facts(received_on=dt.date(2019, 1, 1)),
        allegation_facts(received_on=dt.date(2021, 1, 1)),
    ]
    reason = reason_for(score(person_facts(allegations=[first, during, *after])), scoring.REPEAT_AFTER_NFA)
    assert reason is not None
    assert reason.label == "2 allegations after an earlier one was closed without action"
    assert reason.points == 2 * POLICY.repeat_points

    proven_first = dataclasses.replace(first, outcome_class=PROVEN)
    assert (
        reason_for(score(person_facts(allegations=[proven_first, *after])), scoring.REPEAT_AFTER_NFA) is None
    )


def test_role_exposure_counts_the_highest_once() -> None:
    one = [allegation_facts()]
    firearms = score(
        person_facts(role="authorised firearms officer firearms command constable", allegations=one)
    )
    reason = reason_for(firearms, scoring.ROLE_EXPOSURE)
    assert reason is not None and (reason.label, reason.points) == ("role exposure: firearms", 6)

    both = score(person_facts(role="custody public protection detective", allegations=one))
    reason = reason_for(both, scoring.ROLE_EXPOSURE)
    assert reason is not None
    assert (reason.label, reason.points) == (
        "role exposure: public protection (access to vulnerable people)",
        8,
    )

    assert (
        reason_for(score(person_facts(role="call handling band c", allegations=one)), scoring.ROLE_EXPOSURE)
        is None
    )


def test_peers_compare_severity_per_year_of_service() -> None:
    # Two years' service, one rape and one sexual assault: 18 severity points, 9 a year.
    person = person_facts(
        joined_on=TODAY - dt.timedelta(days=round(2 * 365.25)),
        allegations=[allegation_facts(category="rape"), allegation_facts(category="sexual_assault")],
    )
    [top, middle, bottom] = POLICY.peer_bands

    def peers(top_rate: float, middle_rate: float, bottom_rate: float) -> PeerCutpoints:
        return PeerCutpoints(
            {top.percentile: top_rate, middle.percentile: middle_rate, bottom.percentile: bottom_rate},
            people=100,
        )

    result = score(person, peers=peers(8.0, 4.0, 1.0))
    assert math.isclose(result.exposure_rate, 9.0, rel_tol=1e-3)
    reason = reason_for(result, scoring.PEERS)
    assert reason is not None
    assert reason.label == (
        f"more severity-weighted allegations per year of service than {top.percentile:g}% of the workforce "
        "(9.0 a year)"
    )
    assert reason.points == top.points
    assert reason_for(score(person, peers=peers(20.0, 8.5, 1.0)), scoring.PEERS).points == middle.points  # type: ignore[union-attr]
    assert reason_for(score(person, peers=peers(20.0, 10.0, 9.5)), scoring.PEERS) is None
    # Short service counts as the policy's minimum; unknown service gives no comparison.
    new_joiner = dataclasses.replace(person, joined_on=TODAY - dt.timedelta(days=30))
    assert math.isclose(score(new_joiner).exposure_rate, 18 / POLICY.peer_min_years)
    unknown = dataclasses.replace(person, joined_on=None)
    assert reason_for(score(unknown, peers=peers(0.0, 0.0, 0.0)), scoring.PEERS) is None


def test_peer_cutpoints_are_read_from_the_workforce() -> None:
    rates = [0.0] * 990 + [float(n) for n in range(1, 11)]  # 1,000 people, ten with allegations
    cut = scoring.peer_cutpoints(rates, POLICY)
    assert cut.people == 1000
    assert cut.by_percentile == {99.5: 5.0, 99.0: 0.0, 95.0: 0.0}
    # Nobody to compare against: no cut-point, so no band is reached (and the run's JSON stays valid).
    empty = scoring.peer_cutpoints([], POLICY)
    assert empty.by_percentile == {}
    assert scoring._peer_reason(100.0, empty, POLICY) is None


def test_the_highest_band_and_its_threshold() -> None:
    assert (POLICY.band(POLICY.band_high), POLICY.band(POLICY.band_high - 1)) == ("high", "medium")
    assert (POLICY.band(POLICY.band_medium), POLICY.band(POLICY.band_medium - 1)) == ("medium", "low")
