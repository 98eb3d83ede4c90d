"""After the run: is every acknowledged write in the database? Each one missing or different is a lost write."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from loadtest.journeys import Ledger


def lost_writes(app, ledger: Ledger) -> list[str]:
    """What the server acknowledged and the database does not hold (with the attachment files, by SHA-256)."""
    from competency_portal import storage
    from competency_portal.extensions import db
    from competency_portal.models import Application, Evidence, EvidenceState, Score, SignOff, User
    from competency_portal.services import audit

    lost: list[str] = []
    with app.app_context():
        session = db.session
        store = storage.from_config(app.config)
        emails = dict(session.execute(select(User.email, User.id)).all())
        for evidence_id, (owner, title, sha) in ledger.created.items():
            evidence = session.get(Evidence, evidence_id)
            if evidence is None or evidence.owner_id != emails.get(owner) or evidence.revisions[0].title != title:
                lost.append(f"evidence {evidence_id} ({title}) is missing or not {owner}'s")
                continue
            files = [a for r in evidence.revisions for a in r.attachments]
            if (
                not files
                or files[0].sha256 != sha
                or hashlib.sha256(store.read(files[0].stored_name)).hexdigest() != sha
            ):
                lost.append(f"evidence {evidence_id}: its attachment is missing or differs")
            if {link.item_id for link in evidence.current.links} != ledger.links.get(evidence_id, set()):
                lost.append(f"evidence {evidence_id}: links differ from the last acknowledged change")
            if evidence_id in ledger.submitted and (
                evidence.state == EvidenceState.DRAFT or evidence.submitted_at is None
            ):
                lost.append(f"evidence {evidence_id}: acknowledged as submitted, but it is {evidence.state.value}")
        decided = {(s.evidence_id, s.signer_id, s.decision.value) for s in session.scalars(select(SignOff))}
        for evidence_id, signer, decision in ledger.decisions:
            if (evidence_id, emails.get(signer), decision) not in decided:
                lost.append(f"decision {decision} by {signer} on evidence {evidence_id} is missing")
        scores = {(s.scorer_id, s.application_id, s.item_id): s.value for s in session.scalars(select(Score))}
        for (scorer, application_id, item_id), value in ledger.scores.items():
            if scores.get((emails.get(scorer), application_id, item_id)) != value:
                lost.append(
                    f"score {value} by {scorer} on application {application_id}, item {item_id} is missing or differs"
                )
        applied = set(session.execute(select(Application.vacancy_id, Application.email)).all())
        for vacancy_id, email in ledger.applications:
            if (vacancy_id, email) not in applied:
                lost.append(f"application from {email} to vacancy {vacancy_id} is missing")
        verdict = audit.verify(session)
        if not verdict.ok:
            lost.append(f"the audit chain is broken: {verdict.message}")
        db.session.remove()
    return lost
