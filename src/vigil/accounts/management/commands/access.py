"""`vigil access ...`: need-to-know set-up from the command line (roles, teams, assignments,
restrictions, tying accounts to their holders' records, deactivating an account). Every change is
written to the audit trail as done by "vigil access (OS user)", in one transaction with the change."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vigil.accounts.actor import acting_as
from vigil.accounts.models import Team
from vigil.accounts.roles import Role
from vigil.accounts.services import (
    access_grant,
    access_grant_unassigned_allegations,
    account_person_link,
    record_restrict,
    team_ensure,
    user_roles_change,
)
from vigil.allegations.models import Allegation
from vigil.people.models import Person


def _person(reference: str) -> Person:
    force, _, staff_id = reference.rpartition("/")
    people = Person.objects.filter(staff_id=staff_id, **({"force": force} if force else {}))
    found = list(people[:2])
    if len(found) != 1:
        how_many = "More than one" if found else "No"
        raise CommandError(f"{how_many} person with staff ID {reference!r}: give it as FORCE/STAFF_ID.")
    return found[0]


def _allegation(reference: str) -> Allegation:
    source, _, ref = reference.partition("/")
    allegation = Allegation.objects.filter(source_system_id=source, allegation_ref=ref).first()
    if allegation is None:
        raise CommandError(f"No allegation {reference!r}: give it as SOURCE_SYSTEM/ALLEGATION_REF.")
    return allegation


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}.")
    return user


def _record_arguments(parser: ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--person", metavar="FORCE/STAFF_ID", help="a person record (and allegations naming them)"
    )
    which.add_argument("--allegation", metavar="SOURCE/REF", help="one allegation")


class Command(BaseCommand):
    help = "Need-to-know set-up: teams, assignments, restricted records, accounts tied to their holders."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)

        team = commands.add_parser("team", help="create a team and add members")
        team.add_argument("name")
        team.add_argument("--add", nargs="*", default=[], metavar="USERNAME")

        roles = [role.value for role in Role]
        role = commands.add_parser("role", help="give or take away a user's roles")
        role.add_argument("username")
        role.add_argument("--add", nargs="*", default=[], choices=roles, metavar="ROLE")
        role.add_argument("--remove", nargs="*", default=[], choices=roles, metavar="ROLE")

        active = commands.add_parser("active", help="deactivate (--off) or reactivate (--on) an account")
        active.add_argument("username")
        switch = active.add_mutually_exclusive_group(required=True)
        switch.add_argument("--on", action="store_true")
        switch.add_argument("--off", action="store_true")

        grant = commands.add_parser("grant", help="assign a record (or the caseload) to a user or a team")
        grantee = grant.add_mutually_exclusive_group(required=True)
        grantee.add_argument("--user", metavar="USERNAME")
        grantee.add_argument("--team", metavar="NAME")
        which = grant.add_mutually_exclusive_group(required=True)
        which.add_argument("--person", metavar="FORCE/STAFF_ID")
        which.add_argument("--allegation", metavar="SOURCE/REF")
        which.add_argument("--caseload", action="store_true", help="every unrestricted record (teams only)")
        which.add_argument(
            "--unassigned-allegations",
            action="store_true",
            help="every allegation no one is assigned yet (after an import: route it to the assessment team)",
        )
        grant.add_argument("--reason", required=True)

        restrict = commands.add_parser(
            "restrict", help="restrict a record: only users granted it by name see it"
        )
        _record_arguments(restrict)
        restrict.add_argument("--reason", required=True)

        link = commands.add_parser("link-account", help="tie an account to its holder's own person record")
        link.add_argument("username")
        link.add_argument("person", metavar="FORCE/STAFF_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        who = f"vigil access ({getpass.getuser()})"
        # One transaction: a change and its audit entries are written together, or neither.
        with transaction.atomic(), acting_as(label=who):
            self._handle(options, who)

    def _handle(self, options: dict[str, Any], who: str) -> None:
        command = options["command"]
        if command == "role":
            user = _user(options["username"])
            held = user_roles_change(
                user=user,
                changed_by=None,
                add=[Role(name) for name in options["add"]],
                remove=[Role(name) for name in options["remove"]],
            )
            self.stdout.write(f"{user.username}: {', '.join(sorted(held)) or 'no roles'}")
        elif command == "active":
            user = _user(options["username"])
            user.is_active = bool(options["on"])
            user.save(update_fields=["is_active"])
            self.stdout.write(f"{user.username} is {'active' if user.is_active else 'deactivated'}.")
        elif command == "team":
            team = team_ensure(name=options["name"], members=[_user(name) for name in options["add"]])
            self.stdout.write(
                f"Team {team.name}: {', '.join(team.members.values_list('username', flat=True))}"
            )
        elif command == "grant":
            self._grant(options, who)
        elif command == "restrict":
            person = _person(options["person"]) if options["person"] else None
            allegation = _allegation(options["allegation"]) if options["allegation"] else None
            record_restrict(
                restricted_by=None, reason=options["reason"], person=person, allegation=allegation
            )
            self.stdout.write(f"Restricted {options['person'] or options['allegation']} ({who}).")
        elif command == "link-account":
            user, person = _user(options["username"]), _person(options["person"])
            account_person_link(user=user, person=person, linked_by=None)
            self.stdout.write(f"{user.username} is now tied to {person.force} {person.staff_id}.")

    def _grant(self, options: dict[str, Any], who: str) -> None:
        user = _user(options["user"]) if options["user"] else None
        team = Team.objects.filter(name=options["team"]).first() if options["team"] else None
        if options["team"] and team is None:
            raise CommandError(f"No team {options['team']!r}: create it with `vigil access team`.")
        reason = f"{options['reason']} ({who})"
        if options["unassigned_allegations"]:
            count = access_grant_unassigned_allegations(granted_by=None, reason=reason, user=user, team=team)
            self.stdout.write(f"Assigned {count:,} allegations.")
            return
        if options["caseload"] and team is None:
            raise CommandError("The caseload is given to a team (--team), never to one person.")
        access_grant(
            granted_by=None,
            reason=reason,
            user=user,
            team=team,
            person=_person(options["person"]) if options["person"] else None,
            allegation=_allegation(options["allegation"]) if options["allegation"] else None,
            caseload=options["caseload"],
        )
        self.stdout.write("Granted.")
