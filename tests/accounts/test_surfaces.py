"""The surface registry (vigil.accounts.surfaces): every surface is declared, and every declared
surface that shows records keeps need-to-know for every role and every relationship a user can
have with a record.

Two halves:
- discovery: walking the URL patterns, the templates, the context processors and the management
  commands finds nothing that is not in the registry, and each record surface's view goes
  through the gate its rule names;
- behaviour: for each role, a world built around one user of that role (their own record and
  reports about them by staff number, link, the call handler's pick and a model candidate; a
  report they complained in; a colleague they declared a conflict on; a restricted person; an
  unassigned person; one assigned to them by name), every probe of a record surface shows exactly
  the markers of the records that user may see: never one they may not, and (where the surface
  lists them) each one they may."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import get_commands
from django.test import Client, RequestFactory
from django.urls import get_resolver, resolve, reverse

import vigil
from tests.access import API_HEADERS, grant_caseload, open_record
from tests.accounts.test_permission_matrix import vigil_routes, walk
from tests.factories import person_create
from tests.intake.data import call
from tests.risk.data import link_to
from vigil.accounts import surfaces
from vigil.accounts.context_processors import roles as roles_context
from vigil.accounts.permissions import is_allowed, rule_for
from vigil.accounts.roles import Role
from vigil.accounts.services import access_grant, account_person_link, conflict_declare, record_restrict
from vigil.accounts.surfaces import GATES, SURFACES, Kind, Rule
from vigil.allegations.models import Allegation
from vigil.intake.models import HotlineReport, TriageDecision
from vigil.linkage.models import LinkCandidate
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

TEMPLATES = Path(vigil.__file__).parent / "templates"


# ---- discovery ------------------------------------------------------------------------------------


def test_every_route_is_a_declared_surface() -> None:
    declared = surfaces.surfaces(Kind.ROUTE)
    found = {name for name, _ in walk(get_resolver())}
    missing = sorted(
        name
        for name in found
        if name not in declared and not (name.startswith("admin:") and "admin:*" in declared)
    )
    assert missing == [], f"routes not in vigil.accounts.surfaces: {missing}"
    # ... and nothing declared that no longer exists (a stale entry would hide a renamed route).
    stale = sorted(
        name for name in declared if name != "admin:*" and not name.startswith("oidc_") and name not in found
    )
    assert stale == []


def test_every_template_is_a_declared_surface() -> None:
    declared = surfaces.surfaces(Kind.TEMPLATE)
    found = {str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")}
    assert sorted(found - set(declared)) == [], "templates (pages or panels) not in vigil.accounts.surfaces"
    assert sorted(set(declared) - found) == []


def test_everything_shown_on_every_page_is_declared(make_user: Callable[..., User]) -> None:
    request = RequestFactory().get("/")
    request.user = make_user(*Role)
    request.session = {}  # type: ignore[assignment]
    shown = roles_context(request)
    declared = surfaces.surfaces(Kind.CONTEXT)
    # Flags and the user's own role names are about the user, not a record.
    records = {key for key, value in shown.items() if not isinstance(value, bool) and key != "user_roles"}
    assert sorted(records - set(declared)) == []


def test_every_vigil_command_is_a_declared_surface() -> None:
    declared = surfaces.surfaces(Kind.COMMAND)
    ours = sorted(name for name, app in get_commands().items() if app.startswith("vigil"))
    assert [name for name in ours if name not in declared] == []


@pytest.mark.parametrize(
    "surface",
    [s for s in SURFACES if s.kind == Kind.ROUTE and s.rule in GATES],
    ids=lambda s: s.name,
)
def test_a_record_route_goes_through_its_gate(surface: surfaces.Surface) -> None:
    """The view's module calls a gate of vigil.accounts.access that its rule names (directly or
    through the app's selectors, which take the gate's filter as an argument)."""
    url = next(url for name, url in vigil_routes() if name == surface.name)
    view = resolve(url).func
    module = inspect.getmodule(getattr(view, "view_class", view))
    assert module is not None
    source = inspect.getsource(module)
    assert any(gate in source for gate in (*GATES[surface.rule], *_RELATED_GATES[surface.rule])), surface


# Gates that serve a rule as well as its own (a report IS an allegation: the page opens it by id).
_RELATED_GATES: dict[Rule, tuple[str, ...]] = {
    Rule.PERSON: ("people_visible_among",),
    Rule.ALLEGATION: (),
    Rule.REPORT: ("allegations_visible_q",),
    Rule.PEOPLE_AND_ALLEGATIONS: ("access_person_by_id", "access_allegation_by_id"),
    Rule.CHOICES: (),
}


def test_the_registry_is_in_the_security_doc() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    assert surfaces.surfaces_markdown() in doc, "regenerate: vigil.accounts.surfaces.surfaces_markdown()"


# ---- behaviour ------------------------------------------------------------------------------------

WORDS = "He followed me from Harrow custody in a blue BMW and messaged me on Hinge every night"

PEOPLE = ("own", "declared", "restricted", "unassigned", "assigned")
REPORTS = (
    "own_staff_number",
    "own_link",
    "own_pick",
    "own_candidate",
    "complainant",
    "declared",
    "restricted",
    "unassigned",
    "assigned",
)
CASELOAD = frozenset({Role.ASSESSOR, Role.SUPERVISOR})
ASSIGNED_BY_NAME = frozenset({Role.REVIEWER, Role.INVESTIGATOR})


def may_see(role: Role, relationship: str) -> bool:
    """The expected answer, written out (not computed by vigil.accounts.access)."""
    if relationship == "unassigned":
        return role in CASELOAD
    if relationship == "assigned":
        return role in CASELOAD | ASSIGNED_BY_NAME
    return False  # own, complainant, declared, restricted: nobody


@dataclass
class World:
    user: User
    people: dict[str, Person] = field(default_factory=dict)
    reports: dict[str, HotlineReport] = field(default_factory=dict)

    def person_marker(self, relationship: str) -> str:
        return self.people[relationship].surname

    def report_markers(self, relationship: str) -> tuple[str, str]:
        allegation = self.reports[relationship].allegation
        return allegation.allegation_ref, f"Mark{relationship.replace('_', '')}Zq"


def build_world(role: Role, make_user: Callable[..., User]) -> World:
    user = make_user(role)
    if role in CASELOAD:
        grant_caseload(user)
    world = World(user)
    for index, relationship in enumerate(PEOPLE):
        world.people[relationship] = person_create(
            surname=f"Surf{relationship.capitalize()}qz", forenames="Dana", staff_id=f"77{index:04d}"
        )
    account_person_link(user=user, person=world.people["own"], linked_by=None)
    conflict_declare(user=user, reason="My brother.", staff_id=world.people["declared"].staff_id)
    record_restrict(restricted_by=None, reason="senior officer", person=world.people["restricted"])
    handler = make_user(Role.CALL_HANDLER)
    own = world.people["own"]
    for relationship in REPORTS:
        narrative = f"{WORDS} ({'Mark' + relationship.replace('_', '') + 'Zq'})."
        fields: dict[str, object] = {"narrative": narrative, "category": "sexual_harassment"}
        if relationship == "own_staff_number":
            fields["subject_staff_id"] = own.staff_id
        if relationship == "own_pick":
            fields["handler_candidate_id"] = own.pk
        if relationship == "declared":
            fields["subject_staff_id"] = world.people["declared"].staff_id
        report = call(handler, **fields)
        allegation = report.allegation
        if relationship == "own_link":
            link_to(allegation, own)
        if relationship == "own_candidate":
            LinkCandidate.objects.create(
                allegation=allegation, person=own, rank=1, match_probability=0.4, match_weight=1
            )
        if relationship == "complainant":
            Allegation.objects.filter(pk=allegation.pk).update(complainant_ref=f"{own.force}/{own.staff_id}")
        if relationship in ("restricted", "unassigned", "assigned"):
            link_to(allegation, world.people[relationship])
        # A no-further-action decision waiting for a supervisor on each: the approvals list.
        TriageDecision.objects.create(
            report=report,
            route="no_further_action",
            reasons="Nothing to go on.",
            decided_by=handler,
            decided_at=report.received_at,
            category="sexual_harassment",
            approval=TriageDecision.Approval.PENDING,
        )
        world.reports[relationship] = report
    if role in ASSIGNED_BY_NAME | CASELOAD:
        supervisor = make_user(Role.SUPERVISOR)
        access_grant(granted_by=supervisor, reason="assigned", user=user, person=world.people["assigned"])
        access_grant(
            granted_by=supervisor,
            reason="assigned",
            user=user,
            allegation=world.reports["assigned"].allegation,
        )
    user._vigil_access = None  # type: ignore[attr-defined]
    return world


@dataclass(frozen=True)
class Probe:
    """How to look at one surface: the text it shows this user, and whether it must list every
    record the user may see (False: it shows a record only in some state, or shows one at a time)."""

    look: Callable[[Client, World], str]
    lists_all: bool = False
    about: str = "reports"  # which records it lists (lists_all): "people" or "reports"
    labels_only: bool = False  # shows record labels by design (the audit trail): refs are not content
    may_show: Callable[[Role, str], bool] | None = None  # the rule, where it is not may_see's


def _text(response: object) -> str:
    status = getattr(response, "status_code", 0)
    return response.content.decode() if status == 200 else ""  # type: ignore[attr-defined]


def _each_person(route: str, *, justify: bool = True) -> Callable[[Client, World], str]:
    def look(client: Client, world: World) -> str:
        pages = []
        for person in world.people.values():
            url = reverse(route, args=[person.pk])
            pages.append(_text(open_record(client, url) if justify else client.get(url)))
        return "\n".join(pages)

    return look


def _each_allegation(route: str) -> Callable[[Client, World], str]:
    def look(client: Client, world: World) -> str:
        return "\n".join(
            _text(open_record(client, reverse(route, args=[report.allegation_id])))
            for report in world.reports.values()
        )

    return look


def _each_report(route: str) -> Callable[[Client, World], str]:
    def look(client: Client, world: World) -> str:
        return "\n".join(
            _text(open_record(client, reverse(route, args=[report.pk]))) for report in world.reports.values()
        )

    return look


def _page(route: str, **params: str) -> Callable[[Client, World], str]:
    def look(client: Client, world: World) -> str:
        return _text(client.get(reverse(route), params))

    return look


def _api(route: str, kind: str) -> Callable[[Client, World], str]:
    def look(client: Client, world: World) -> str:
        ids = (
            [person.pk for person in world.people.values()]
            if kind == "people"
            else [report.allegation_id for report in world.reports.values()]
        )
        return "\n".join(_text(client.get(reverse(route, args=[pk]), headers=API_HEADERS)) for pk in ids)

    return look


def _people_search(client: Client, world: World) -> str:
    return _text(client.get(reverse("people:person_search"), {"q": "Dana"}))


def _suggestions(client: Client, world: World) -> str:
    return "\n".join(
        _text(client.get(reverse("intake:suggestions"), {"subject_name": person.surname}))
        for person in world.people.values()
    )


PROBES: dict[str, Probe] = {
    "people:person_search": Probe(_people_search, lists_all=True, about="people"),
    "people:person_detail": Probe(_each_person("people:person_detail"), lists_all=True, about="people"),
    "people:person_allocation": Probe(_each_person("people:person_allocation"), about="people"),
    "people:person_disclose": Probe(_each_person("people:person_disclose", justify=False), about="people"),
    "api:person_read": Probe(_api("api:person_read", "people"), lists_all=True, about="people"),
    "allegations:allegation_list": Probe(_page("allegations:allegation_list"), lists_all=True),
    "allegations:allegation_detail": Probe(_each_allegation("allegations:allegation_detail"), lists_all=True),
    "allegations:allegation_contact": Probe(_each_allegation("allegations:allegation_contact")),
    "allegations:allegation_allocation": Probe(_each_allegation("allegations:allegation_allocation")),
    "allegations:allegation_disclose": Probe(_each_allegation("allegations:allegation_disclose")),
    "allegations:allegation_conflict": Probe(_each_allegation("allegations:allegation_conflict")),
    "api:allegation_read": Probe(_api("api:allegation_read", "reports"), lists_all=True),
    "linkage:review_queue": Probe(_page("linkage:review_queue")),
    "linkage:review_item": Probe(_each_allegation("linkage:review_item")),
    "reviews:queue": Probe(_page("reviews:queue"), about="people"),
    "reviews:cohort": Probe(_page("reviews:cohort"), about="people"),
    "reviews:tasks": Probe(_page("reviews:tasks"), about="people"),
    "reviews:measures": Probe(_page("reviews:measures"), about="people"),
    "reviews:case": Probe(_each_person("reviews:case"), about="people"),
    "reviews:review_form": Probe(_each_person("reviews:review_form"), about="people"),
    "reviews:decide": Probe(_each_person("reviews:decide"), about="people"),
    "reviews:measure_new": Probe(_each_person("reviews:measure_new"), about="people"),
    "intake:triage_queue": Probe(_page("intake:triage_queue"), lists_all=True),
    "intake:report_detail": Probe(_each_report("intake:report_detail"), lists_all=True),
    "intake:approvals": Probe(_page("intake:approvals"), lists_all=True),
    "intake:suggestions": Probe(_suggestions, about="people", may_show=lambda role, rel: rel != "own"),
    "oversight:dashboard": Probe(_page("oversight:dashboard")),
    "audit:entry_list": Probe(_page("audit:entry_list"), labels_only=True),
    "home": Probe(_page("home")),
}

# Routes that only take a POST (a decision or a change): each refuses, before anything else, a
# record the user may not see; proven per route in their own suites (named here), and the gate
# each view goes through is checked above.
WRITE_ONLY = {
    "reviews:assign": "tests/reviews/test_views.py",
    "reviews:open": "tests/reviews/test_views.py",
    "reviews:close": "tests/reviews/test_views.py",
    "reviews:cohort_edit": "tests/reviews/test_views.py (cohort definition: no record)",
    "reviews:task_done": "tests/reviews/test_tasks.py",
    "reviews:measure_review": "tests/reviews/test_measures.py",
    "reviews:measure_lift": "tests/reviews/test_measures.py",
    "intake:report_decide": "tests/intake/test_need_to_know.py",
    "intake:repeat_decide": "tests/intake/test_services.py",
    "intake:approval_decide": "tests/intake/test_services.py",
    "linkage:review_candidate": "tests/linkage/test_review_views.py",
    "linkage:review_another": "tests/linkage/test_review_views.py",
    "linkage:review_not_on_register": "tests/linkage/test_review_views.py",
}


def test_every_record_route_has_a_probe() -> None:
    needing = {
        s.name
        for s in SURFACES
        if s.kind == Kind.ROUTE and s.rule not in (Rule.NO_RECORD, Rule.OPERATOR, Rule.API_CLIENT)
    }
    unprobed = sorted(
        needing
        - set(PROBES)
        - set(WRITE_ONLY)
        - {
            "oversight:export",
            "oversight:chart",
            "audit:entry_detail",
            "audit:export",
            "intake:report_new",
            "intake:report_filed",
        }
    )
    assert unprobed == [], f"record surfaces without a probe in {__name__}: {unprobed}"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_surface_shows_a_user_only_what_they_may_see(
    role: Role, make_user: Callable[..., User], client: Client
) -> None:
    world = build_world(role, make_user)
    client.force_login(world.user)
    held = frozenset({role})
    failures = []
    for route, probe in PROBES.items():
        rule = rule_for(route)
        allowed = rule is not None and is_allowed(rule, held, authenticated=True)
        shown = probe.look(client, world)
        may_show = probe.may_show or may_see
        markers: list[tuple[str, str, str]] = [
            ("people", relationship, world.person_marker(relationship)) for relationship in PEOPLE
        ]
        for relationship in REPORTS:
            ref, narrative = world.report_markers(relationship)
            markers.append(("reports", relationship, narrative))
            if not probe.labels_only:
                markers.append(("reports", relationship, ref))
        listed: set[tuple[str, str]] = set()
        for about, relationship, marker in markers:
            expected = allowed and may_show(role, relationship)
            if marker in shown:
                listed.add((about, relationship))
                if not expected:
                    failures.append(f"{route} shows {about}:{relationship} ({marker}) to the {role.value}")
        if probe.lists_all:
            relationships = PEOPLE if probe.about == "people" else REPORTS
            for relationship in relationships:
                if allowed and may_show(role, relationship) and (probe.about, relationship) not in listed:
                    failures.append(f"{route} leaves out {relationship} for the {role.value} (probe broken?)")
    assert failures == [], "\n".join(failures)
