"""The demo's candidates for its two vacancies, and its two panel members' ways of giving the same
reasons: the data `demo_recruitment` seeds its vacancies with."""

# Two panel members' ways of giving the same reasons.
LEE = {
    0: "No evidence of this in the application.",
    1: "Touched on, but no example given.",
    2: "A clear example that meets the criterion.",
    3: "Strong, specific examples that go beyond the criterion.",
}
CHRIS = {
    0: "Nothing in the statement shows this.",
    1: "Some mention; not enough to meet it.",
    2: "Meets it: one good example.",
    3: "Exceeds it: several detailed examples.",
}

# name, email, internal, guaranteed interview scheme, strength (0-3), supporting statement,
# answer on the first criterion
CARE_COORDINATOR = [
    (
        "Amara Okonkwo",
        "amara.okonkwo@example.org",
        False,
        False,
        2.6,
        "I have been a care coordinator in a community mental health team for five years, holding a caseload of people "
        "with complex needs under CPA. I lead on risk reviews in my team and supervise two Band 5 nurses.",
        "I co-designed our team's interpreter and accessible-information checklist and audit it every quarter.",
    ),
    (
        "Ben Hartley",
        "ben.hartley@example.org",
        False,
        True,
        2.0,
        "I am a registered mental health nurse with three years in an early intervention service, where I coordinate "
        "the care of young people after a first episode of psychosis and work closely with their families.",
        "I adapt how I work to each family's culture and language, and have completed the trust's equality training.",
    ),
    (
        "Grace Lee",
        "grace.lee@example.nhs.uk",
        True,
        False,
        1.8,
        "I am a Band 5 staff nurse in the North Community Mental Health Team. Over the last year I have co-worked a "
        "caseload under supervision and completed my risk assessment and carers' training.",
        "I make sure the people I work with can take part in their care in the way that suits them.",
    ),
    (
        "Daniel Price",
        "daniel.price@example.org",
        False,
        False,
        1.5,
        "I have worked as a support worker in supported housing for people with mental health needs for four years and "
        "am keen to move into care coordination. I do not yet hold a professional qualification.",
        "I treat everyone I support with respect, whatever their background.",
    ),
    (
        "Sofia Marsh",
        "sofia.marsh@example.org",
        False,
        False,
        2.2,
        "I am an occupational therapist in a recovery service, coordinating care for people with long-term mental "
        "health needs, and I chair our service user involvement group.",
        "Our involvement group recruits members from every community we serve, and I track who we are not yet "
        "reaching.",
    ),
]
SOCIAL_WORKER = [
    (
        "Hannah Cole",
        "hannah.cole@example.org",
        False,
        False,
        2.6,
        "I am an HCPC-registered social worker and AMHP with six years in a community mental health team.",
        "BA (Hons) Social Work; HCPC registered; AMHP approval current.",
    ),
    (
        "Marcus Reid",
        "marcus.reid@example.nhs.uk",
        True,
        False,
        2.2,
        "I am a social worker in the trust's crisis team and want to return to longer-term care coordination.",
        "MA Social Work; HCPC registered.",
    ),
    (
        "Olivia Grant",
        "olivia.grant@example.org",
        False,
        False,
        1.9,
        "I qualified as a social worker two years ago and have worked in an adult social care team since.",
        "BA (Hons) Social Work; HCPC registered since 2024.",
    ),
    (
        "Kwame Mensah",
        "kwame.mensah@example.org",
        False,
        False,
        1.6,
        "I am completing my social work degree and have worked as a community support worker for three years.",
        "Final year of a BA in Social Work; not yet registered.",
    ),
]
