"""The registry of surfaces: every place Vigil can show or return something about a person, an
allegation or a hotline report - page, panel (an included template), API endpoint, context shown
on every page, management command - declared once, with the access rule it goes through.

Why a registry: need-to-know, sealing and disclosure control were first built into the pages of
their day, and surfaces added later (the repeat-call panel, the triage choices) forgot them. Now
tests/accounts/test_surfaces.py finds every surface by walking the URL patterns, the templates,
the context processors and the management commands, fails on any not declared here, and drives
every declared record surface for every role against records the user may and may not see (their
own by staff number, link, pick and candidate; a case they complained in; a declared conflict; a
restricted record; unassigned; assigned). docs/security.md's surface table is generated from it.

A rule names the gate in vigil.accounts.access that the surface's selector goes through; a new
surface picks one, and its test probe shows the gate holds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """What may be shown, and through which gate (functions of vigil.accounts.access)."""

    PERSON = "person"  # person records: access_person_by_id / people_visible_q
    ALLEGATION = "allegation"  # allegations: access_allegation_by_id / allegations_visible_q
    REPORT = "report"  # hotline reports: access_report_by_id / reports_visible_q
    PEOPLE_AND_ALLEGATIONS = "people_and_allegations"  # both gates (a review, a link decision)
    CHOICES = "choices"  # people offered as choices: people_visible_among
    FIGURES = "figures"  # counts by group, never names: oversight.disclosure's control first
    AUDIT_TRAIL = "audit_trail"  # the auditor's trail: record labels only, never case content
    OWN_FILING = "own_filing"  # what the user filed themselves: its reference only
    REGISTER_DIRECTORY = "register_directory"  # name, rank, command only; never the user's own record
    OPERATOR = "operator"  # a command run on the server by its operator; output audited as disclosure
    NO_RECORD = "no_record"  # shows no record (sign-in, forms' furniture, the user's own settings)
    API_CLIENT = "api_client"  # another system's token: its own reports' status only


GATES: dict[Rule, tuple[str, ...]] = {
    Rule.PERSON: ("access_person_by_id", "people_visible_q"),
    Rule.ALLEGATION: ("access_allegation_by_id", "allegations_visible_q"),
    Rule.REPORT: ("access_report_by_id", "reports_visible_q"),
    Rule.PEOPLE_AND_ALLEGATIONS: ("people_visible_q", "allegations_visible_q"),
    Rule.CHOICES: ("people_visible_among",),
}


class Kind(StrEnum):
    ROUTE = "route"
    TEMPLATE = "template"
    CONTEXT = "context"
    COMMAND = "command"


@dataclass(frozen=True)
class Surface:
    kind: Kind
    name: str  # route name, template path, context variable or `vigil` sub-command
    rule: Rule
    shows: str  # what it shows, in a few words (docs/security.md)


def _routes(rule: Rule, shows: str, *names: str) -> list[Surface]:
    return [Surface(Kind.ROUTE, name, rule, shows) for name in names]


def _templates(rule: Rule, shows: str, *names: str) -> list[Surface]:
    return [Surface(Kind.TEMPLATE, name, rule, shows) for name in names]


SURFACES: tuple[Surface, ...] = (
    # ---- pages and endpoints ----
    *_routes(Rule.NO_RECORD, "no record", "login", "logout", "home", "two_factor_verify", "two_factor_enrol"),
    *_routes(Rule.NO_RECORD, "no record (single sign-on round trip)", "oidc_authentication_init",
             "oidc_authentication_callback", "oidc_logout"),
    *_routes(Rule.NO_RECORD, "the user's own conflict declarations", "conflicts"),
    *_routes(Rule.PERSON, "people: search, one person's page, allocation, printing", "people:person_search",
             "people:person_detail", "people:person_allocation", "people:person_disclose", "api:person_read"),
    *_routes(Rule.ALLEGATION, "allegations: list, page, sealed contact, allocation, conflict, printing",
             "allegations:allegation_list", "allegations:allegation_detail", "allegations:allegation_contact",
             "allegations:allegation_allocation", "allegations:allegation_disclose",
             "allegations:allegation_conflict", "api:allegation_read"),
    *_routes(Rule.PEOPLE_AND_ALLEGATIONS, "link review: allegations and the people proposed",
             "linkage:review_queue", "linkage:review_item", "linkage:review_candidate",
             "linkage:review_another", "linkage:review_not_on_register"),
    *_routes(Rule.PERSON, "the review of people: queue, cohort, case, tasks, measures", "reviews:queue",
             "reviews:cohort", "reviews:cohort_edit", "reviews:tasks", "reviews:task_done",
             "reviews:measures", "reviews:measure_review", "reviews:measure_lift", "reviews:case",
             "reviews:assign",
             "reviews:open", "reviews:close", "reviews:review_form", "reviews:decide", "reviews:measure_new"),
    *_routes(Rule.REGISTER_DIRECTORY, "the call-handler form and its subject suggestions",
             "intake:report_new", "intake:suggestions"),
    *_routes(Rule.OWN_FILING, "the reference of a report the call handler filed", "intake:report_filed"),
    *_routes(Rule.REPORT, "hotline reports: triage queue, report, decisions, repeats, approvals",
             "intake:triage_queue", "intake:report_detail", "intake:report_decide", "intake:repeat_decide",
             "intake:approvals", "intake:approval_decide"),
    *_routes(Rule.API_CLIENT, "the hotline provider's API", "intake_api:report_file",
             "intake_api:report_status", "intake_api:openapi-json", "intake_api:api-root"),
    *_routes(Rule.FIGURES, "oversight figures, charts and the board pack", "oversight:dashboard",
             "oversight:export", "oversight:chart"),
    *_routes(Rule.AUDIT_TRAIL, "the audit trail", "audit:entry_list", "audit:entry_detail", "audit:export"),
    *_routes(Rule.NO_RECORD, "the Django admin: users, teams, reference data; no case records",
             "admin:*"),
    # ---- templates: pages and the panels included in them ----
    *_templates(Rule.NO_RECORD, "page furniture and errors", "base.html", "403.html", "404.html", "500.html",
                "_pager.html", "_numbered_pager.html", "forms/_error_summary.html", "forms/_field.html",
                "justify.html", "registration/login.html", "registration/locked_out.html",
                "accounts/home.html", "accounts/two_factor_enrol.html", "accounts/two_factor_verify.html",
                "accounts/conflicts.html"),
    *_templates(Rule.PERSON, "a person or their review", "people/person_detail.html",
                "people/person_search.html", "reviews/_case_review.html", "reviews/_measure_table.html",
                "reviews/_score.html", "reviews/_status.html", "reviews/_task_done_form.html",
                "reviews/_task_mark.html", "reviews/_timeline.html", "reviews/case.html",
                "reviews/cohort.html", "reviews/cohort_edit.html", "reviews/decide.html",
                "reviews/measure_form.html", "reviews/measures.html", "reviews/queue.html",
                "reviews/review_form.html", "reviews/tasks.html"),
    *_templates(Rule.ALLEGATION, "an allegation", "allegations/allegation_conflict.html",
                "allegations/allegation_contact.html", "allegations/allegation_detail.html",
                "allegations/allegation_list.html"),
    *_templates(Rule.PERSON, "a record being assigned or printed (allocation, disclosure)",
                "accounts/allocation.html", "disclose.html"),
    *_templates(Rule.PEOPLE_AND_ALLEGATIONS, "link review", "linkage/review_item.html",
                "linkage/review_queue.html"),
    *_templates(Rule.REPORT, "hotline reports and their panels (repeats, grouped reports, subjects)",
                "intake/approvals.html", "intake/report_detail.html", "intake/triage_queue.html"),
    *_templates(Rule.REGISTER_DIRECTORY, "the call-handler form and its candidates panel",
                "intake/report_new.html", "intake/_candidates.html"),
    *_templates(Rule.OWN_FILING, "a filed report's reference", "intake/report_filed.html"),
    *_templates(Rule.FIGURES, "oversight figures", "oversight/_group_table.html", "oversight/dashboard.html",
                "oversight/export.html"),
    *_templates(Rule.AUDIT_TRAIL, "the audit trail", "audit/entry_detail.html", "audit/entry_list.html",
                "audit/export.html"),
    # ---- shown on every page ----
    Surface(Kind.CONTEXT, "urgent_reports_waiting", Rule.REPORT, "count of urgent reports waiting"),
    # ---- the `vigil` command: its operator holds the server; what leaves it is audited ----
    *[
        Surface(Kind.COMMAND, name, Rule.OPERATOR, shows)
        for name, shows in (
            ("export", "links and the review queue as files (audited disclosure, guarded cells)"),
            ("evaluate", "figures against a ground-truth file"),
            ("report", "the oversight board pack (disclosure control, audited)"),
            ("cohort", "the review cohort and its people"),
            ("audit", "the audit trail's verification and head hash"),
            ("access", "need-to-know set-up (audited)"),
            ("import", "import reports: line, column, reason"),
            ("link", "a linking run's figures"),
            ("score", "a scoring run's figures"),
            ("demo", "the demo's logins"),
            ("init", "schema set-up"),
            ("serve", "the web server"),
            ("keys", "sealing and digest keys"),
            ("intake-client", "API clients and their tokens"),
        )
    ],
)  # fmt: skip


def surfaces(kind: Kind) -> dict[str, Surface]:
    return {surface.name: surface for surface in SURFACES if surface.kind == kind}


def surfaces_markdown() -> str:
    """The registry as a Markdown table: docs/security.md holds this text, and a test fails when
    the two differ."""
    lines = ["| surface | kind | rule | gate (vigil.accounts.access) | shows |", "|---|---|---|---|---|"]
    grouped: dict[tuple[Kind, Rule, str], list[str]] = {}
    for surface in SURFACES:
        grouped.setdefault((surface.kind, surface.rule, surface.shows), []).append(surface.name)
    for (kind, rule, shows), names in grouped.items():
        gate = ", ".join(f"`{name}`" for name in GATES.get(rule, ())) or "—"
        listed = ", ".join(f"`{name}`" for name in names)
        lines.append(f"| {listed} | {kind} | {rule} | {gate} | {shows} |")
    return "\n".join(lines) + "\n"
