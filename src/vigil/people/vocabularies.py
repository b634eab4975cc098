"""Personnel and vetting vocabularies. Ethnicity and sex are recorded only to measure
disproportionality; they are never an input to a risk score."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.core.vocabulary import Term, Vocabulary

EMPLOYMENT_TYPES: Vocabulary[Term] = Vocabulary(
    "employment_type",
    (
        Term("officer", "Police officer", ("police constable", "warranted officer")),
        Term("staff", "Police staff", ("civilian staff", "pcso")),
        Term("special", "Special constable", ("specials",)),
        Term("volunteer", "Police support volunteer", ("volunteer",)),
    ),
)

SEXES: Vocabulary[Term] = Vocabulary(
    "sex", (Term("F", "Female"), Term("M", "Male"), Term("X", "Other / not specified", ("other",)))
)


@dataclass(frozen=True)
class EthnicityTerm(Term):
    group: str = ""


# 2021 census for England and Wales: five high-level groups and 19 detailed codes.
ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("Asian", "Asian, Asian British or Asian Welsh"),
    ("Black", "Black, Black British, Black Welsh, Caribbean or African"),
    ("Mixed", "Mixed or Multiple ethnic groups"),
    ("White", "White"),
    ("Other", "Other ethnic group"),
)
ETHNICITIES: Vocabulary[EthnicityTerm] = Vocabulary(
    "ethnicity",
    (
        *(EthnicityTerm(code, label, (), code) for code, label in ETHNIC_GROUPS),
        EthnicityTerm("A1", "Indian", (), "Asian"),
        EthnicityTerm("A2", "Pakistani", (), "Asian"),
        EthnicityTerm("A3", "Bangladeshi", (), "Asian"),
        EthnicityTerm("A4", "Chinese", (), "Asian"),
        EthnicityTerm("A5", "Any other Asian background", (), "Asian"),
        EthnicityTerm("B1", "Caribbean", (), "Black"),
        EthnicityTerm("B2", "African", (), "Black"),
        EthnicityTerm("B3", "Any other Black, Black British or Caribbean background", (), "Black"),
        EthnicityTerm("M1", "White and Black Caribbean", (), "Mixed"),
        EthnicityTerm("M2", "White and Black African", (), "Mixed"),
        EthnicityTerm("M3", "White and Asian", (), "Mixed"),
        EthnicityTerm("M4", "Any other Mixed or Multiple ethnic background", (), "Mixed"),
        EthnicityTerm("W1", "English, Welsh, Scottish, Northern Irish or British", (), "White"),
        EthnicityTerm("W2", "Irish", (), "White"),
        EthnicityTerm("W3", "Gypsy or Irish Traveller", (), "White"),
        EthnicityTerm("W4", "Roma", (), "White"),
        EthnicityTerm("W5", "Any other White background", (), "White"),
        EthnicityTerm("O1", "Arab", (), "Other"),
        EthnicityTerm("O2", "Any other ethnic group", (), "Other"),
    ),
)
# Cells that mean "not stated": stored as empty, like an empty cell.
ETHNICITY_NOT_STATED = frozenset({"not_stated", "prefer_not_to_say", "unknown", "ns"})

VETTING_LEVELS: Vocabulary[Term] = Vocabulary(
    "level",
    (
        Term("RV", "Recruitment Vetting"),
        Term("MV", "Management Vetting"),
        Term("SC", "Security Check"),
        Term("DV", "Developed Vetting"),
        Term("NPPV1", "Non-Police Personnel Vetting 1", ("NPPV 1", "NPPV-1")),
        Term("NPPV2", "Non-Police Personnel Vetting 2", ("NPPV 2", "NPPV-2")),
        Term("NPPV3", "Non-Police Personnel Vetting 3", ("NPPV 3", "NPPV-3")),
    ),
)
VETTING_OUTCOMES: Vocabulary[Term] = Vocabulary(
    "outcome",
    (
        Term("granted", "Granted", ("pass", "passed")),
        Term("refused", "Refused", ("fail", "failed")),
        Term("withdrawn", "Withdrawn", ()),
        Term("under_review", "Under review", ("review",)),
    ),
)
