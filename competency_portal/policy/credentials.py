"""Who may see a credential issued here: only the person it was issued to (anyone may verify one they are given)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import IssuedCredential, User


def credential_for(session: Session, viewer: User, public_id: str) -> IssuedCredential:
    """The viewer's own credential with this identifier, else 404 (whether it exists is not revealed)."""
    found = session.scalar(
        select(IssuedCredential).where(IssuedCredential.public_id == public_id, IssuedCredential.holder_id == viewer.id)
    )
    if found is None:
        abort(404)
    return found
