"""Why a record was consulted or disclosed: a reason from a fixed list plus the user's own words
(Data Protection Act 2018, s.62(3)(a)). A justification given for a record is remembered for the
rest of the session, so a reviewer reading one case is asked once, not on every page."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.core.vocabulary import Term, Vocabulary

JUSTIFICATION_REASONS = Vocabulary(
    "justification reason",
    (
        Term("assigned_case", "Working an assigned case or review"),
        Term("assessment", "Assessing a new allegation or report"),
        Term("supervision", "Supervising or allocating the work"),
        Term("vetting", "Vetting review"),
        Term("investigation", "Criminal or misconduct investigation"),
        Term("disclosure_request", "Lawful disclosure request (court, IOPC, another force)"),
        Term("audit", "Audit, integrity or security check"),
        Term("data_quality", "Correcting or linking records"),
        Term("oversight", "Oversight and board reporting (figures only)"),
    ),
)

MIN_TEXT_LENGTH = 10  # enough to force a sentence, not a tick-box


@dataclass(frozen=True)
class Justification:
    reason: str  # a JUSTIFICATION_REASONS code
    text: str  # the user's own words: which case, what for

    def __post_init__(self) -> None:
        if self.reason not in JUSTIFICATION_REASONS.codes():
            raise ValueError(f"unknown justification reason {self.reason!r}")
        if len(self.text.strip()) < MIN_TEXT_LENGTH:
            raise ValueError(f"a justification needs at least {MIN_TEXT_LENGTH} characters of explanation")

    @property
    def reason_label(self) -> str:
        return JUSTIFICATION_REASONS[self.reason].label
