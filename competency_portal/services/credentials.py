"""Issuing Open Badges 3.0 credentials, revoking them with the sign-offs they rest on, and the revocation list.

A credential is issued only for something the person may ask for today (`credential_offers`),
signed as a VC-JWT with the trust's key, and kept as issued. Revoking a sign-off revokes every
credential resting on it, in the same transaction, so the published list never says otherwise.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from joserfc import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.badges import bitstring, document
from competency_portal.badges import vocabulary as v
from competency_portal.case.parts import uri as case_uri
from competency_portal.case.vocabulary import PATH as CASE_PATH
from competency_portal.clock import as_utc
from competency_portal.models import (
    CredentialBasis,
    CredentialKind,
    CredentialState,
    IssuedCredential,
    SignOff,
    User,
)
from competency_portal.services import audit, credential_offers
from competency_portal.services.credential_keys import Keys


class CredentialError(ValueError):
    """A credential request the rules refuse; the message says why."""


@dataclass(frozen=True)
class Issuer:
    """Who signs: the portal's public address, the trust's name and its keys."""

    base: str
    name: str
    keys: Keys

    @property
    def id(self) -> str:
        """The issuer's identifier, as written into every credential."""
        return v.issuer_id(self.base)


def sign(issuer: Issuer, vc: dict) -> str:
    """The credential as a compact JWS (VC-JWT), with the signing key's dereferenceable `kid`."""
    header = {"alg": v.ALGORITHM, "kid": issuer.keys.kid(issuer.base), "typ": "JWT"}
    return jwt.encode(header, document.jwt_claims(vc), issuer.keys.signing, algorithms=[v.ALGORITHM])


def _free_index(session: Session) -> int:
    # Random, not sequential: the position in the public list says nothing about who or when.
    taken = set(session.scalars(select(IssuedCredential.status_index)))
    if len(taken) >= v.STATUS_LIST_BITS:
        raise CredentialError("The revocation list is full; a new list is needed before more credentials are issued.")
    while True:
        index = secrets.randbelow(v.STATUS_LIST_BITS)
        if index not in taken:
            return index


def _end_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def holding(session: Session, holder_id: int) -> list[IssuedCredential]:
    """A person's credentials, newest first."""
    return list(
        session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.holder_id == holder_id)
            .order_by(IssuedCredential.valid_from.desc(), IssuedCredential.id.desc())
        )
    )


def standing(credentials: list[IssuedCredential], now: datetime) -> dict[tuple[str, str], IssuedCredential]:
    """The active, unexpired credential for each (kind, ref), where there is one."""
    found = {}
    for c in credentials:
        if c.state == CredentialState.ACTIVE and (c.valid_until is None or as_utc(c.valid_until) > now):
            found.setdefault((c.kind.value, c.subject_ref), c)
    return found


def issue(
    session: Session, person: User, kind: CredentialKind, ref: str, issuer: Issuer, now: datetime
) -> IssuedCredential:
    """Sign and keep a credential for one of the person's offers; the same one twice gives back the first."""
    offer = next(
        (o for o in credential_offers.offers(session, person, now.date()) if (o.kind, o.ref) == (kind, ref)), None
    )
    if offer is None:
        raise CredentialError(
            "That is not verified for you today (it may have been revoked or be due for review), "
            "so no credential can be issued for it."
        )
    held = standing(holding(session, person.id), now).get((kind.value, ref))
    if held is not None:
        return held
    issued_at = now.astimezone(timezone.utc).replace(microsecond=0)
    claim = document.Claim(
        base=issuer.base,
        issuer_name=issuer.name,
        credential_uuid=str(uuid.uuid4()),
        subject_uuid=str(uuid.uuid4()),
        kind=kind.value,
        ref=ref,
        name=offer.title,
        description=offer.description,
        criteria=offer.criteria,
        holder_name=person.name,
        holder_email=person.email,
        salt=secrets.token_hex(8),
        valid_from=issued_at,
        valid_until=_end_of(offer.expires_on),
        status_index=_free_index(session),
        human_code=offer.human_code,
        alignments=[
            document.Alignment(
                f"{item.code} {item.statement}"[:300],
                case_uri(issuer.base + CASE_PATH, "CFItems", item.case_identifier),
                item.code,
                item.version.title,
            )
            for item in offer.items
        ],
        signed=[
            document.Signed(
                c.signer,
                c.decided_at,
                f"{c.item.code} at level {c.level}" + (f" ({c.level_label})" if c.level_label else ""),
            )
            for c in offer.basis
        ],
    )
    vc = document.credential(claim)
    credential = IssuedCredential(
        public_id=claim.credential_uuid,
        holder_id=person.id,
        kind=kind,
        subject_ref=ref,
        title=offer.title[:300],
        status_index=claim.status_index,
        valid_from=issued_at,
        valid_until=claim.valid_until,
        token=sign(issuer, vc),
        basis=[CredentialBasis(sign_off_id=c.sign_off_id) for c in {c.sign_off_id: c for c in offer.basis}.values()],
    )
    session.add(credential)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="credential_issued",
        object_type="issued_credential",
        object_id=credential.id,
        subject_id=person.id,
        detail={"kind": kind.value, "ref": ref, "credential": credential.public_id, "sign_offs": len(credential.basis)},
    )
    return credential


def revoke_resting_on(session: Session, sign_off: SignOff, actor_id: int, now: datetime) -> int:
    """Revoke every active credential that rests on this sign-off; how many were revoked."""
    resting = session.scalars(
        select(IssuedCredential)
        .join(CredentialBasis, CredentialBasis.credential_id == IssuedCredential.id)
        .where(CredentialBasis.sign_off_id == sign_off.id, IssuedCredential.state == CredentialState.ACTIVE)
    ).all()
    for credential in resting:
        credential.revoke(now, "A sign-off it rests on was revoked.")
        audit.record(
            session,
            actor_id=actor_id,
            action="credential_revoked",
            object_type="issued_credential",
            object_id=credential.id,
            subject_id=credential.holder_id,
            detail={"credential": credential.public_id, "sign_off": sign_off.id},
        )
    return len(resting)


def revoked(session: Session) -> tuple[set[int], datetime | None]:
    """The revoked credentials' list indexes, and when the list last changed."""
    indexes = set(
        session.scalars(select(IssuedCredential.status_index).where(IssuedCredential.state == CredentialState.REVOKED))
    )
    changed = session.scalar(select(func.max(IssuedCredential.revoked_at)))
    return indexes, changed


def status_list_token(session: Session, issuer: Issuer) -> str:
    """The revocation list as a signed BitstringStatusListCredential (VC-JWT)."""
    indexes, changed = revoked(session)
    vc = document.status_list_credential(
        issuer.base, bitstring.encode(indexes, v.STATUS_LIST_BITS), as_utc(changed) if changed else _EPOCH
    )
    header = {"alg": v.ALGORITHM, "kid": issuer.keys.kid(issuer.base), "typ": "JWT"}
    claims = {"iss": vc["issuer"], "jti": vc["id"], "sub": vc["credentialSubject"]["id"], "vc": vc}
    claims["nbf"] = int(datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00")).timestamp())
    return jwt.encode(header, claims, issuer.keys.signing, algorithms=[v.ALGORITHM])


_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the list's date before anything was ever revoked
