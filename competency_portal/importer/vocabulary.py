"""The words NHS job descriptions use: for facts about the post, section headings and categories.

Kept apart from the rules that use them so that a trust's own wording can be added in one place.
"""

from __future__ import annotations

import re

# Facts about the post, as "Key: value", "Key<tab>value", a two-column table row, or a key line
# followed by its value. The key is matched whole (after dropping a final colon).
FACT_KEYS = {
    "title": r"post|job title|post title|title of post|title|role|role title|position|job",
    "band": r"band|grade|salary|salary grade|pay band|banding|pay|salary/band|agenda for change band",
    "reports_to": r"reporting to|reports to|responsible to|accountable to|line manager|managed by|professionally "
    r"accountable to",
    "location": r"location|base|location/base|based at|work base|site",
    "hours": r"hours|hours of work|working hours",
    "service": r"service|directorate|department|division|care group|service line|team",
    "organisation": r"organisation|trust|employer|organisation name",
}
FACT_PATTERNS = {fact: re.compile(rf"^(?:{keys})$", re.I) for fact, keys in FACT_KEYS.items()}

# Section headings, matched anywhere in the heading's words.
PERSON_SPEC = re.compile(r"person\s+spec", re.I)
PURPOSE = re.compile(
    r"\b(job|role|post)\s+(summary|purpose|overview)|\bpurpose of (the )?(post|role|job)|\boutline of (the )?post"
    r"|\b(main|overall|core) purpose|\babout the (role|post)|\bjob overview|\bsummary of (the )?(post|role)",
    re.I,
)
DUTIES = re.compile(
    r"\bduties\b|\bresponsibilit|\bmain tasks\b|\bkey tasks\b|\bkey result areas?\b|\baccountabilit"
    r"|\bkey activities\b|\bprincipal tasks\b|\bdelivery framework\b",
    re.I,
)
GENERAL = re.compile(
    r"^(general duties|standards of business conduct|confidentiality|health (and|&) safety|equal(ity)?\b"
    r"|equal opportunit|no smoking|smoking|infection (prevention|control)|safeguarding|data protection"
    r"|general data protection|gdpr|risk management|duty of candour|nhs constitution|assurance statement"
    r"|changes to (this|the) job description|information governance|information asset|information technology"
    r"|our (trust )?(vision|values|strategic)|organisational expectations|professional and personal development"
    r"|freedom of information|records management|sustainability|flexibility|job description agreement"
    r"|statement|code of conduct|policies and procedures|mobility)",
    re.I,
)
DISCLAIMER = re.compile(
    r"not (intended to be |an )?exhaustive|indicative of the|does not purport|may be (varied|amended|reviewed)"
    r"|reasonably (be )?required|commensurate with the (post|grade|band)|subject to (review|change)",
    re.I,
)

# Person-specification categories the importer knows; another heading is kept but flagged.
CATEGORY = re.compile(
    r"qualif|educat|training|experience|knowledge|skill|abilit|personal|qualit|attribute|approach|value"
    r"|behaviour|circumstance|other|physical|requirement|special|competenc|aptitude|disposition|communicat"
    r"|attitude|motivation|registration|interests|work related|additional|health|safety|security|development"
    r"|improvement|quality|equality|diversity|information|knowledge",
    re.I,
)
GENERIC_COLUMN = re.compile(
    r"^(attributes?|criteria|criterion|requirements?|areas?|factors?|categor(y|ies)|headings?|(ksf )?dimensions?)$",
    re.I,
)

METHOD_WORDS = {
    "application": r"a|af|app|application|application form|applications|cv|supporting statement|shortlisting",
    "interview": r"i|int|interview|interviews|panel interview|panel",
    "references": r"r|ref|refs|reference|references",
    "test": r"t|test|tests|written test|assessment test|tested",
    "exercise": r"e|ex|exercise|in-tray|in-tray exercise|presentation|p|assessment centre|group exercise|task",
    "registration_check": r"c|cert|certificate|certificates|registration|registration check|hcpc|nmc|"
    r"hcpc registration|hcpc registration number|nmc registration|professional registration|qualification check",
}
METHOD_PATTERNS = {method: re.compile(rf"^(?:{words})$", re.I) for method, words in METHOD_WORDS.items()}
