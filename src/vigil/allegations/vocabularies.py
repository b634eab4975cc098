"""The allegation vocabularies, kept in one place: categories (with severity and domain), sources,
complainant relationships and outcomes (with their class). The reference tables the admin shows
are synced from here by `vigil init`; change a term here, not in the database."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.core.vocabulary import Term, Vocabulary

SEXUAL = "sexual"
DOMESTIC = "domestic"
OTHER = "other"
DOMAINS = ((SEXUAL, "Sexual"), (DOMESTIC, "Domestic"), (OTHER, "Other"))


@dataclass(frozen=True)
class CategoryTerm(Term):
    # 1 (least serious) .. 10 (rape). Used to order categories and, later, to weigh risk.
    severity: int = 1
    domain: str = OTHER


CATEGORIES: Vocabulary[CategoryTerm] = Vocabulary(
    "category",
    (
        CategoryTerm("rape", "Rape", ("attempted rape",), severity=10, domain=SEXUAL),
        CategoryTerm(
            "sexual_assault", "Sexual assault", ("assault by penetration", "indecent assault"), 8, SEXUAL
        ),
        CategoryTerm(
            "abuse_of_position_sexual",
            "Abuse of position for a sexual purpose",
            ("APSP", "abuse of position sexual", "abuse of authority for sexual gain"),
            8,
            SEXUAL,
        ),
        CategoryTerm("stalking", "Stalking", ("harassment stalking",), 7, DOMESTIC),
        CategoryTerm(
            "coercive_control",
            "Coercive control",
            ("coercive and controlling behaviour", "controlling or coercive behaviour"),
            7,
            DOMESTIC,
        ),
        CategoryTerm("domestic_violence", "Domestic violence", ("domestic assault",), 7, DOMESTIC),
        CategoryTerm("sexual_harassment", "Sexual harassment", (), 5, SEXUAL),
        CategoryTerm(
            "online_sexual_misconduct",
            "Online sexual misconduct",
            ("indecent images", "sexual messages", "non-contact sexual offence", "indecent exposure"),
            5,
            SEXUAL,
        ),
        CategoryTerm("domestic_abuse_other", "Domestic abuse (other)", ("domestic abuse",), 4, DOMESTIC),
        CategoryTerm("inappropriate_behaviour", "Inappropriate behaviour", (), 3, OTHER),
        CategoryTerm("domestic_argument", "Domestic argument", ("domestic incident",), 2, DOMESTIC),
        CategoryTerm("other", "Other", (), 1, OTHER),
    ),
)

SOURCES: Vocabulary[Term] = Vocabulary(
    "source",
    (
        Term("public_complaint", "Public complaint", ("complaint",)),
        Term("colleague_report", "Colleague report", ("colleague", "internal report")),
        Term("hotline", "Hotline", ("abuse hotline",)),
        Term("other_force", "Other force", ("another force",)),
        Term("criminal_investigation", "Criminal investigation", ("crime report",)),
        Term("intelligence", "Intelligence", ("intel",)),
        Term("self_report", "Self report", ("self referral",)),
        Term("vetting_disclosure", "Vetting disclosure", ("vetting",)),
    ),
)

RELATIONSHIPS: Vocabulary[Term] = Vocabulary(
    "complainant_relationship",
    (
        Term("partner", "Partner", ("wife", "husband", "girlfriend", "boyfriend", "spouse")),
        Term("ex_partner", "Ex-partner", ("former partner", "ex wife", "ex husband")),
        Term("family_member", "Family member", ("family", "relative")),
        Term("colleague", "Colleague", ("co-worker",)),
        Term("member_of_public", "Member of the public", ("public", "member of public")),
        Term("online_contact", "Online contact", ("dating app", "online")),
        Term("other", "Other", ()),
    ),
)

OPEN = "open"
NOT_PROVEN = "not_proven"
PROVEN = "proven"
PROCEEDINGS = "proceedings"
OUTCOME_CLASSES = (
    (OPEN, "Open"),
    (NOT_PROVEN, "Not proven"),
    (PROVEN, "Proven"),
    (PROCEEDINGS, "Proceedings"),
)


@dataclass(frozen=True)
class OutcomeTerm(Term):
    outcome_class: str = OPEN


OUTCOMES: Vocabulary[OutcomeTerm] = Vocabulary(
    "outcome",
    (
        OutcomeTerm("open", "Open", ("ongoing", "under investigation"), OPEN),
        OutcomeTerm("no_further_action", "No further action", ("NFA",), NOT_PROVEN),
        OutcomeTerm("complainant_withdrew", "Complainant withdrew", ("withdrawn",), NOT_PROVEN),
        OutcomeTerm("no_case_to_answer", "No case to answer", (), NOT_PROVEN),
        OutcomeTerm("management_action", "Management action", (), NOT_PROVEN),
        OutcomeTerm("reflective_practice", "Reflective practice", ("RPRP",), NOT_PROVEN),
        OutcomeTerm("case_to_answer_misconduct", "Case to answer: misconduct", (), PROCEEDINGS),
        OutcomeTerm("case_to_answer_gross_misconduct", "Case to answer: gross misconduct", (), PROCEEDINGS),
        OutcomeTerm("misconduct_proven", "Misconduct proven", (), PROVEN),
        OutcomeTerm("dismissed", "Dismissed", ("dismissed without notice",), PROVEN),
        OutcomeTerm("charged", "Charged", (), PROCEEDINGS),
        OutcomeTerm("convicted", "Convicted", ("guilty",), PROVEN),
        OutcomeTerm("acquitted", "Acquitted", ("not guilty",), NOT_PROVEN),
    ),
)
