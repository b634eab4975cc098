"""`vigil cohort`: the review cohort in force, its figures (cases, people) and the people it holds.
Part of the public command contract. Reads only: `vigil score` brings review statuses up to date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.allegations.vocabularies import DOMAINS, OUTCOME_CLASSES
from vigil.reviews.models import ReviewStatus
from vigil.reviews.selectors import cohort_links, cohort_people, cohort_summary


class Command(BaseCommand):
    help = "Print the review cohort: its definition, how many cases and people it holds, and who they are."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--summary", action="store_true", help="the figures only, not the people")
        parser.add_argument("--cases", action="store_true", help="also list each person's cases")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = cohort_summary()
        definition = summary.definition
        domains = dict(DOMAINS)
        outcomes = dict(OUTCOME_CLASSES)
        self.stdout.write(f"Cohort v{definition.version}: {definition.name}")
        kinds = ", ".join(domains[d].lower() for d in definition.domains)
        closed_as = ", ".join(outcomes[o].lower() for o in definition.outcome_classes)
        self.stdout.write(
            f"  {kinds} allegations received in the last {definition.window_years} years, "
            f"closed as {closed_as}"
            + (" or with no outcome" if definition.include_no_outcome else "")
            + f"; subjects: {', '.join(definition.employment_types)}"
            + (", serving now" if definition.serving_only else "")
        )
        self.stdout.write(f"{summary.cases:,} cases, {summary.people:,} people")
        for code, label in DOMAINS:
            if summary.by_domain.get(code):
                self.stdout.write(f"  {label.lower():<9} {summary.by_domain[code]:,} cases")
        for kind, count in sorted(summary.by_employment_type.items()):
            self.stdout.write(f"  {kind:<9} {count:,} people")
        for status in ReviewStatus:
            if summary.by_status.get(status):
                self.stdout.write(f"  {status.label.lower():<18} {summary.by_status[status]:,} people")
        if options["summary"]:
            return
        cases_of: dict[int, list[str]] = {}
        if options["cases"]:
            for person_id, ref, category, received_on in (
                cohort_links(definition)
                .values_list(
                    "person_id",
                    "allegation__allegation_ref",
                    "allegation__category__label",
                    "allegation__received_on",
                )
                .order_by("person_id", "allegation__received_on")
            ):
                cases_of.setdefault(person_id, []).append(f"{received_on:%Y-%m-%d} {ref} {category}")
        self.stdout.write("\nstaff_id  force  name  cases  risk_score  risk_band  review_status")
        for row in cohort_people():
            person = row.person
            score = getattr(person, "risk_score", None)
            review = getattr(person, "review", None)
            self.stdout.write(
                f"{person.staff_id}  {person.force}  {person.display_name}  {row.cases}  "
                f"{score.score if score else 0}  {score.band if score else 'low'}  "
                f"{review.status if review else ReviewStatus.NOT_IN_COHORT}"
            )
            for case in cases_of.get(person.pk, []):
                self.stdout.write(f"    {case}")
