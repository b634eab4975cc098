"""Every action the audit trail records, registered here: writing an unknown action is an error.

The categories are those of the Data Protection Act 2018, s.62 (collection, alteration, consultation,
disclosure, combination, erasure), plus access control and security events."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    ACCESS = "access"  # grants, restrictions, conflicts, refusals
    SECURITY = "security"  # sign-in, two-factor, keys, the audit trail itself
    ACCOUNT = "account"  # who holds an account: created, roles, teams, status, two-factor devices


class Action(StrEnum):
    # Consultation: a person read a record (the justification is required).
    PERSON_CONSULTED = "person.consulted"
    ALLEGATION_CONSULTED = "allegation.consulted"
    SEALED_FIELD_OPENED = "sealed_field.opened"
    # Disclosure: a record left Vigil (export, print, API read); the recipient is required.
    API_READ = "api.read"
    RECORDS_EXPORTED = "records.exported"
    RECORD_DISCLOSED = "record.disclosed"  # printed or sent from its page
    AUDIT_EXPORTED = "audit.exported"
    OVERSIGHT_EXPORTED = "oversight.exported"  # the board pack: figures, no names
    # Collection, alteration, combination, erasure.
    RECORDS_IMPORTED = "records.imported"
    RECORD_CHANGED = "record.changed"
    RECORD_ERASED = "record.erased"
    RECORDS_LINKED = "records.linked"
    # A reviewer's decision on which person an allegation is about (vigil.linkage.services).
    LINK_CONFIRMED = "link.confirmed"
    LINK_REJECTED = "link.rejected"
    LINK_NOT_ON_REGISTER = "link.not_on_register"
    # Risk and review (vigil.risk.services, vigil.reviews.services).
    RISK_SCORED = "risk.scored"
    COHORT_CHANGED = "cohort.changed"
    REVIEW_STATUS_CHANGED = "review.status_changed"
    REVIEW_ASSIGNED = "review.assigned"
    REVIEW_SUBMITTED = "review.submitted"
    REVIEW_APPROVED = "review.approved"
    REVIEW_RETURNED = "review.returned"
    MEASURE_IMPOSED = "measure.imposed"
    MEASURE_REVIEWED = "measure.reviewed"
    MEASURE_LIFTED = "measure.lifted"
    TASK_RAISED = "task.raised"
    TASK_DONE = "task.done"
    # Hotline intake (vigil.intake.services).
    HOTLINE_REPORT_FILED = "hotline.report_filed"
    TRIAGE_DECIDED = "triage.decided"
    TRIAGE_APPROVED = "triage.approved"
    TRIAGE_RETURNED = "triage.returned"
    REPEAT_DECIDED = "triage.repeat_decided"
    INTAKE_CLIENT_CREATED = "intake.client_created"
    INTAKE_CLIENT_REVOKED = "intake.client_revoked"
    # Access control.
    ACCESS_REFUSED = "access.refused"  # not assigned, restricted, or missing: the user saw a 404
    CONFLICT_BLOCKED = "access.conflict_blocked"  # a record about the user or one they declared a conflict on
    ACCESS_GRANTED = "access.granted"
    ACCESS_REVOKED = "access.revoked"
    RECORD_RESTRICTED = "access.restricted"
    RECORD_UNRESTRICTED = "access.unrestricted"
    CONFLICT_DECLARED = "access.conflict_declared"
    ACCOUNT_PERSON_LINKED = "access.account_person_linked"
    # Accounts (vigil.accounts.signals): whoever makes the change, through the admin, a command or a
    # page, each entry with the value before and after.
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_DELETED = "account.deleted"
    ACCOUNT_ROLES_CHANGED = "account.roles_changed"
    ACCOUNT_PERMISSIONS_CHANGED = "account.permissions_changed"  # Django permissions (the admin's only)
    ACCOUNT_TEAMS_CHANGED = "account.teams_changed"
    ACCOUNT_STATUS_CHANGED = "account.status_changed"  # active, staff (admin site), superuser
    ACCOUNT_GRANT_CHANGED = "account.grant_changed"  # an assignment written or deleted outside the services
    NEED_TO_KNOW_DELETED = "access.need_to_know_deleted"  # an account tie, conflict or restriction removed
    TWO_FACTOR_DEVICE_ADDED = "account.two_factor_device_added"
    TWO_FACTOR_DEVICE_REMOVED = "account.two_factor_device_removed"
    # Security.
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    LOCKED_OUT = "auth.locked_out"
    TWO_FACTOR_ENROLLED = "auth.two_factor_enrolled"
    TWO_FACTOR_FAILED = "auth.two_factor_failed"
    KEYS_ROTATED = "keys.rotated"

    @property
    def category(self) -> Category:
        return ACTION_CATEGORIES[self]

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_CATEGORIES: dict[Action, Category] = {
    Action.PERSON_CONSULTED: Category.CONSULTATION,
    Action.ALLEGATION_CONSULTED: Category.CONSULTATION,
    Action.SEALED_FIELD_OPENED: Category.CONSULTATION,
    Action.API_READ: Category.DISCLOSURE,
    Action.RECORDS_EXPORTED: Category.DISCLOSURE,
    Action.RECORD_DISCLOSED: Category.DISCLOSURE,
    Action.AUDIT_EXPORTED: Category.DISCLOSURE,
    Action.OVERSIGHT_EXPORTED: Category.DISCLOSURE,
    Action.RECORDS_IMPORTED: Category.COLLECTION,
    Action.RECORD_CHANGED: Category.ALTERATION,
    Action.RECORD_ERASED: Category.ERASURE,
    Action.RECORDS_LINKED: Category.COMBINATION,
    # A human decision changes the allegation's link record: an alteration.
    Action.LINK_CONFIRMED: Category.ALTERATION,
    Action.LINK_REJECTED: Category.ALTERATION,
    Action.LINK_NOT_ON_REGISTER: Category.ALTERATION,
    # A score combines every record linked to a person; review decisions alter the person's case.
    Action.RISK_SCORED: Category.COMBINATION,
    Action.COHORT_CHANGED: Category.ALTERATION,
    Action.REVIEW_STATUS_CHANGED: Category.ALTERATION,
    Action.REVIEW_ASSIGNED: Category.ALTERATION,
    Action.REVIEW_SUBMITTED: Category.ALTERATION,
    Action.REVIEW_APPROVED: Category.ALTERATION,
    Action.REVIEW_RETURNED: Category.ALTERATION,
    Action.MEASURE_IMPOSED: Category.ALTERATION,
    Action.MEASURE_REVIEWED: Category.ALTERATION,
    Action.MEASURE_LIFTED: Category.ALTERATION,
    Action.TASK_RAISED: Category.ALTERATION,
    Action.TASK_DONE: Category.ALTERATION,
    Action.HOTLINE_REPORT_FILED: Category.COLLECTION,
    Action.TRIAGE_DECIDED: Category.ALTERATION,
    Action.TRIAGE_APPROVED: Category.ALTERATION,
    Action.TRIAGE_RETURNED: Category.ALTERATION,
    # Judging two reports to be one incident joins records: a combination.
    Action.REPEAT_DECIDED: Category.COMBINATION,
    Action.INTAKE_CLIENT_CREATED: Category.SECURITY,
    Action.INTAKE_CLIENT_REVOKED: Category.SECURITY,
    Action.ACCESS_REFUSED: Category.ACCESS,
    Action.CONFLICT_BLOCKED: Category.ACCESS,
    Action.ACCESS_GRANTED: Category.ACCESS,
    Action.ACCESS_REVOKED: Category.ACCESS,
    Action.RECORD_RESTRICTED: Category.ACCESS,
    Action.RECORD_UNRESTRICTED: Category.ACCESS,
    Action.CONFLICT_DECLARED: Category.ACCESS,
    Action.ACCOUNT_PERSON_LINKED: Category.ACCESS,
    Action.ACCOUNT_CREATED: Category.ACCOUNT,
    Action.ACCOUNT_DELETED: Category.ACCOUNT,
    Action.ACCOUNT_ROLES_CHANGED: Category.ACCOUNT,
    Action.ACCOUNT_PERMISSIONS_CHANGED: Category.ACCOUNT,
    Action.ACCOUNT_TEAMS_CHANGED: Category.ACCOUNT,
    Action.ACCOUNT_STATUS_CHANGED: Category.ACCOUNT,
    Action.ACCOUNT_GRANT_CHANGED: Category.ACCESS,
    Action.NEED_TO_KNOW_DELETED: Category.ACCESS,
    Action.TWO_FACTOR_DEVICE_ADDED: Category.ACCOUNT,
    Action.TWO_FACTOR_DEVICE_REMOVED: Category.ACCOUNT,
    Action.LOGIN: Category.SECURITY,
    Action.LOGIN_FAILED: Category.SECURITY,
    Action.LOGOUT: Category.SECURITY,
    Action.LOCKED_OUT: Category.SECURITY,
    Action.TWO_FACTOR_ENROLLED: Category.SECURITY,
    Action.TWO_FACTOR_FAILED: Category.SECURITY,
    Action.KEYS_ROTATED: Category.SECURITY,
}

ACTION_LABELS: dict[Action, str] = {
    Action.PERSON_CONSULTED: "Person record consulted",
    Action.ALLEGATION_CONSULTED: "Allegation consulted",
    Action.SEALED_FIELD_OPENED: "Sealed field opened",
    Action.API_READ: "Record read through the API",
    Action.RECORDS_EXPORTED: "Records exported",
    Action.RECORD_DISCLOSED: "Record printed or sent",
    Action.AUDIT_EXPORTED: "Audit trail exported",
    Action.OVERSIGHT_EXPORTED: "Oversight report exported",
    Action.RECORDS_IMPORTED: "Records imported",
    Action.RECORD_CHANGED: "Record changed",
    Action.RECORD_ERASED: "Record erased",
    Action.RECORDS_LINKED: "Records linked",
    Action.LINK_CONFIRMED: "Link confirmed by a reviewer",
    Action.LINK_REJECTED: "Link rejected by a reviewer",
    Action.LINK_NOT_ON_REGISTER: "Subject not on the register (reviewer)",
    Action.RISK_SCORED: "Risk scores computed",
    Action.COHORT_CHANGED: "Review cohort definition changed",
    Action.REVIEW_STATUS_CHANGED: "Review status changed",
    Action.REVIEW_ASSIGNED: "Reviewer assigned",
    Action.REVIEW_SUBMITTED: "Case review submitted for approval",
    Action.REVIEW_APPROVED: "Case review approved",
    Action.REVIEW_RETURNED: "Case review returned to the reviewer",
    Action.MEASURE_IMPOSED: "Restriction or suspension imposed",
    Action.MEASURE_REVIEWED: "Restriction or suspension reviewed",
    Action.MEASURE_LIFTED: "Restriction or suspension lifted",
    Action.TASK_RAISED: "Task raised",
    Action.TASK_DONE: "Task done",
    Action.HOTLINE_REPORT_FILED: "Hotline report filed",
    Action.TRIAGE_DECIDED: "Hotline report triaged",
    Action.TRIAGE_APPROVED: "Triage decision approved",
    Action.TRIAGE_RETURNED: "Triage decision returned",
    Action.REPEAT_DECIDED: "Repeat call judged",
    Action.INTAKE_CLIENT_CREATED: "Intake API client created",
    Action.INTAKE_CLIENT_REVOKED: "Intake API client revoked",
    Action.ACCESS_REFUSED: "Access refused",
    Action.CONFLICT_BLOCKED: "Blocked: conflict of interest",
    Action.ACCESS_GRANTED: "Access granted",
    Action.ACCESS_REVOKED: "Access revoked",
    Action.RECORD_RESTRICTED: "Record restricted",
    Action.RECORD_UNRESTRICTED: "Restriction lifted",
    Action.CONFLICT_DECLARED: "Conflict of interest declared",
    Action.ACCOUNT_PERSON_LINKED: "Account tied to a person record",
    Action.ACCOUNT_CREATED: "Account created",
    Action.ACCOUNT_DELETED: "Account deleted",
    Action.ACCOUNT_ROLES_CHANGED: "Account's roles changed",
    Action.ACCOUNT_PERMISSIONS_CHANGED: "Account's admin permissions changed",
    Action.ACCOUNT_TEAMS_CHANGED: "Account's teams changed",
    Action.ACCOUNT_STATUS_CHANGED: "Account activated, deactivated or given admin status",
    Action.ACCOUNT_GRANT_CHANGED: "Assignment changed outside Vigil's services",
    Action.NEED_TO_KNOW_DELETED: "Account tie, conflict declaration or restriction deleted",
    Action.TWO_FACTOR_DEVICE_ADDED: "Two-factor device added",
    Action.TWO_FACTOR_DEVICE_REMOVED: "Two-factor device removed",
    Action.LOGIN: "Signed in",
    Action.LOGIN_FAILED: "Sign-in failed",
    Action.LOGOUT: "Signed out",
    Action.LOCKED_OUT: "Locked out after repeated failures",
    Action.TWO_FACTOR_ENROLLED: "Two-factor device enrolled",
    Action.TWO_FACTOR_FAILED: "Two-factor code refused",
    Action.KEYS_ROTATED: "Sealing keys rotated",
}

# Consultation and disclosure must say why (s.62(3)); disclosure must also say to whom.
NEEDS_JUSTIFICATION: frozenset[Category] = frozenset({Category.CONSULTATION, Category.DISCLOSURE})
NEEDS_RECIPIENT: frozenset[Category] = frozenset({Category.DISCLOSURE})
