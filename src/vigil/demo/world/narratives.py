"""What reports say: an allegation's summary, from a lead, a clause for its category and details."""

from __future__ import annotations

from datetime import date
from random import Random

from vigil.demo.world.draws import _chance
from vigil.demo.world.force import STAFF, VOLUNTEER, _Posting
from vigil.demo.world.people import _Person
from vigil.demo.world.recording import _AREAS, _pronouns

# Clauses follow a lead such as "Complainant alleges that"; {subj} is "the officer" and the like,
# {cp_*} are the complainant's pronouns. Kept factual and non-graphic, as a case summary would be.
# A clause may be tagged with the setting it fits: W (a colleague, at work), P (someone met on duty
# or online) or D (partner or family); untagged clauses fit any complainant.
_CLAUSES: dict[str, tuple[str, ...]] = {
    "rape": (
        "{subj} raped {cp_obj} at {his} home address after a night out in {area}; {cp_subj} reported it "
        "{delay} later.",
        "{subj} had sex with {cp_obj} when {cp_subj} was too intoxicated to consent.",
        "D:{subj} raped {cp_obj} during their relationship; {cp_subj} disclosed this after it ended.",
    ),
    "sexual_assault": (
        "W:{subj} touched {cp_obj} sexually without consent at a leaving do in {area}.",
        "W:{subj} grabbed and kissed {cp_obj} against {cp_pos} will in a police vehicle.",
        "P:{subj} sexually assaulted {cp_obj} after offering {cp_obj} a lift home.",
        "{subj} touched {cp_obj} sexually without consent at a party in {area}.",
    ),
    "abuse_of_position_sexual": (
        "P:{subj} met {cp_obj} while on duty at a {call} and then pursued a sexual relationship.",
        "P:after {cp_subj} reported {crime}, {subj} contacted {cp_obj} on {cp_pos} personal number and asked "
        "{cp_obj} out.",
        "P:{subj} used details from a police report to find {cp_obj} on a dating app and message {cp_obj}.",
        "P:{subj}, who was dealing with {cp_pos} report of {crime}, began a sexual relationship with "
        "{cp_obj} while the case was open.",
    ),
    "stalking": (
        "D:{subj} repeatedly turned up at {cp_pos} home and workplace after the relationship ended.",
        "{subj} followed {cp_obj} and monitored {cp_pos} social media after {cp_subj} ended contact.",
        "{subj} sent dozens of messages a day and waited outside {cp_pos} address.",
    ),
    "coercive_control": (
        "D:{subj} controlled {cp_pos} finances, checked {cp_pos} phone and stopped {cp_obj} seeing friends.",
        "D:{subj} tracked {cp_pos} location and threatened to use {his} police role against {cp_obj} if "
        "{cp_subj} left.",
        "D:{subj} isolated {cp_obj} from {cp_pos} family and monitored who {cp_subj} spoke to.",
    ),
    "domestic_violence": (
        "{subj} pushed {cp_obj} into a wall during an argument; attending officers noted minor injuries.",
        "D:{subj} grabbed {cp_obj} by the arms during an argument at their home.",
        "{subj} assaulted {cp_obj} during a row at {his} address; {cp_subj} did not support a prosecution.",
    ),
    "sexual_harassment": (
        "W:{subj} made repeated sexual comments about {cp_pos} appearance on night shifts.",
        "{subj} sent {cp_obj} unwanted sexual messages and did not stop when asked.",
        "W:{subj} commented on {cp_pos} body and asked about {cp_pos} sex life in front of colleagues.",
        "P:{subj} made sexual comments to {cp_obj} while taking {cp_pos} statement.",
    ),
    "online_sexual_misconduct": (
        "P:{subj} sent {cp_obj} unsolicited sexual images after they matched on a dating app.",
        "{subj} sent sexual messages over social media and asked {cp_obj} for intimate photos.",
        "{subj} shared an intimate image of {cp_obj} in a group chat without consent.",
    ),
    "domestic_abuse_other": (
        "{subj} verbally abused and threatened {cp_obj} during an argument.",
        "D:{subj} damaged property at the family home during a row.",
        "D:{subj} made threats towards {cp_obj} during a dispute over childcare.",
    ),
    "inappropriate_behaviour": (
        "P:{subj} made inappropriate personal comments during a stop and asked for {cp_pos} phone number.",
        "P:{subj} was overfamiliar and stood too close to {cp_obj} while taking a statement.",
        "W:{subj} made offensive remarks to {cp_obj} in the canteen.",
        "P:{subj} followed {cp_obj} on social media after attending a call at {cp_pos} home.",
        "W:{subj} repeatedly made belittling comments to {cp_obj} in front of the team.",
        "{subj} was abusive towards {cp_obj} in the street.",
    ),
    "domestic_argument": (
        "D:police were called to a loud argument at {his} home address; no offences were disclosed.",
        "{subj} was heard arguing with {cp_obj} in the street; words only.",
        "D:there was a verbal argument with {cp_obj} at a child handover; no injuries.",
    ),
    "other": (
        "P:{subj} was rude and dismissive when {cp_subj} reported a theft.",
        "{subj} drove a police vehicle too fast through a residential street.",
        "{subj} may have looked {cp_obj} up on police systems without a policing purpose.",
        "P:{subj} failed to return property seized in a search.",
        "W:{subj} took credit for {cp_pos} work and shouted at {cp_obj} in a briefing.",
        "D:{subj} refused to return {cp_pos} belongings after they separated.",
    ),
}
_SETTING_OF_RELATIONSHIP = {
    "colleague": "W",
    "member_of_public": "P",
    "online_contact": "P",
    "partner": "D",
    "ex_partner": "D",
    "family_member": "D",
}


def _clause(rng: Random, category: str, relationship: str) -> str:
    """A clause of the category that fits where the complainant knows the subject from."""
    setting = _SETTING_OF_RELATIONSHIP.get(relationship, "")
    fitting = [
        clause[2:] if clause[1:2] == ":" else clause
        for clause in _CLAUSES[category]
        if clause[1:2] != ":" or clause[0] == setting
    ]
    return rng.choice(fitting or [clause.partition(":")[2] or clause for clause in _CLAUSES[category]])


_LEADS_BY_RELATIONSHIP: dict[str, tuple[str, ...]] = {
    "member_of_public": (
        "Complainant alleges that",
        "Member of the public alleges that",
        "Complainant states that",
    ),
    "colleague": ("Colleague reports that", "A colleague alleges that", "Fellow officer reports that"),
    "partner": ("Partner reports that", "{His} partner alleges that"),
    "ex_partner": ("Ex-partner alleges that", "Former partner reports that"),
    "family_member": ("Family member reports that", "A relative reports that"),
    "online_contact": ("Someone who met {him} online alleges that", "Online contact alleges that"),
    "other": ("Report received that", "Information received that"),
    "": ("Report received that", "Information received that"),
}
_LEADS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "hotline": ("Caller reports that", "Anonymous caller reports that", "Caller, the {rel}, reports that"),
    "intelligence": ("Intelligence suggests that", "Intelligence report indicates that"),
    "self_report": ("{Subj} self-reported that", "{Subj} notified the force that"),
    "vetting_disclosure": ("Vetting renewal disclosed that", "At vetting interview it was disclosed that"),
    "criminal_investigation": (
        "Crime report: complainant alleges that",
        "Crime recorded: it is alleged that",
    ),
}
_REPEAT_LEADS = (
    "Caller rang again and reports that",
    "Second call from the same caller, who says that",
    "Further call received; caller repeats that",
    "Caller phoned back to add that",
)
_REPEAT_ADDITIONS = (
    " Caller was distressed.",
    " Caller says she has screenshots.",
    " Caller asked for a call back.",
    " Caller did not want to give an address.",
    "",
)
_RELATIONSHIP_WORDS = {
    "partner": "partner",
    "ex_partner": "ex-partner",
    "family_member": "relative",
    "colleague": "colleague",
    "member_of_public": "complainant",
    "online_contact": "online contact",
    "other": "complainant",
    "": "complainant",
}
_CALLS = ("burglary", "domestic incident", "road traffic collision", "theft from her car", "noise complaint")
_CRIMES = ("a burglary", "domestic abuse", "harassment", "a theft", "a sexual assault", "criminal damage")
_DELAYS = ("two days", "a week", "several weeks", "a few months", "a year")


_STAFF_NOUNS = {
    "PCSO": "the PCSO",
    "Detention officer": "the detention officer",
    "Call handling": "the call handler",
    "Dispatch": "the dispatcher",
}


def _subject_noun(person: _Person | None, posting: _Posting | None) -> str:
    if person is None or posting is None:
        return "the man"
    if person.employment_type == STAFF:
        return _STAFF_NOUNS.get(posting.role, "the staff member")
    if person.employment_type == VOLUNTEER:
        return "the volunteer"
    return "the officer"


def _summary(
    rng: Random,
    category: str,
    relationship: str,
    source: str,
    person: _Person,
    day: date,
    *,
    lead: str = "",
    note: str = "",
) -> tuple[str, str]:
    """(lead, narrative): "Caller reports that", "the officer sent her ... ." """
    _, his, him = _pronouns(person.sex)
    complainant_sex = "F" if (person.sex != "F") == _chance(rng, 0.9) else "M"
    cp_subj, cp_pos, cp_obj = _pronouns(complainant_sex)
    subject = _subject_noun(person, person.posting_on(day))
    values = {
        "subj": subject,
        "Subj": subject[0].upper() + subject[1:],
        "his": his,
        "His": his.capitalize(),
        "him": him,
        "cp_subj": cp_subj,
        "cp_pos": cp_pos,
        "cp_obj": cp_obj,
        "area": rng.choice(_AREAS),
        "call": rng.choice(_CALLS),
        "crime": rng.choice(_CRIMES),
        "delay": rng.choice(_DELAYS),
        "rel": _RELATIONSHIP_WORDS[relationship],
    }
    if not lead:
        leads = _LEADS_BY_SOURCE.get(source) or _LEADS_BY_RELATIONSHIP[relationship]
        if source == "hotline" and not relationship:
            leads = leads[:2]
        lead = rng.choice(leads)
    lead = lead.format(**values)
    if source == "self_report":  # "The officer self-reported that he was heard arguing ..."
        values["subj"] = _pronouns(person.sex)[0]
    narrative = _clause(rng, category, relationship).format(**values)
    return lead, f"{narrative} {note}" if note else narrative
