"""The roles of Vigil's users. Each is a Django group of the same name, created by `vigil init`."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CALL_HANDLER = "call_handler"
    ASSESSOR = "assessor"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"  # aggregate figures only, never names
    AUDITOR = "auditor"  # reads the audit trail, nothing else
    ADMINISTRATOR = "administrator"  # users and configuration; no case content

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CALL_HANDLER: "Hotline call handler",
    Role.ASSESSOR: "Assessor",
    Role.REVIEWER: "Review officer",
    Role.SUPERVISOR: "Supervisor",
    Role.INVESTIGATOR: "Investigator",
    Role.ANALYST: "Analyst",
    Role.AUDITOR: "Auditor",
    Role.ADMINISTRATOR: "Administrator",
}

# Roles whose work needs case content: names, allegations, person records.
CASE_ROLES: frozenset[Role] = frozenset({Role.ASSESSOR, Role.REVIEWER, Role.SUPERVISOR, Role.INVESTIGATOR})

# Roles that must pass a TOTP code after their password (vigil.accounts.two_factor): they allocate,
# restrict and grant records, administer accounts, or read the whole audit trail.
TWO_FACTOR_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR})
