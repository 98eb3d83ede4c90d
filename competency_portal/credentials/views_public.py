"""What anyone may read or ask: the verification page and API, the issuer's profile, keys and revocation list."""

from __future__ import annotations

from flask import abort, current_app, json, render_template, request

from competency_portal import clock, policy
from competency_portal import credential_context as setup
from competency_portal.badges import document
from competency_portal.badges import vocabulary as v
from competency_portal.credentials import bp
from competency_portal.credentials.forms import MAX_CREDENTIAL_CHARS, VerifyForm
from competency_portal.extensions import csrf, db
from competency_portal.services import credential_checking, credential_keys, credentials


def _json(body: dict, cache: int = 300):
    response = current_app.response_class(json.dumps(body, indent=1), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={cache}"
    response.add_etag()
    return response.make_conditional(request)


def _verdict_body(verdict: credential_checking.Verdict, email: str | None = None) -> dict:
    found = verdict.summary
    body = {
        "result": verdict.outcome.value,
        "valid": verdict.valid,
        "summary": verdict.outcome.label,
        "reason": verdict.reason,
    }
    if found is not None and verdict.outcome not in (credential_checking.Outcome.FORGED,):
        body["credential"] = {
            "id": found.credential_id,
            "name": found.name,
            "issuer": {"id": found.issuer_id, "name": found.issuer_name},
            "achievement": found.achievement,
            "criteria": found.criteria,
            "recipientName": found.recipient_name,
            "validFrom": document.timestamp(found.valid_from),
            "validUntil": document.timestamp(found.valid_until) if found.valid_until else None,
            "evidence": found.evidence,
            "alignment": [{"name": n, "url": u, "code": c, "framework": f} for n, u, c, f in found.alignments],
        }
        if email:
            body["issuedToEmail"] = found.issued_to_email(email)
    return body


@bp.route("/credentials/verify", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def verify():
    """Paste or upload a credential and see, in plain words, whether it is genuine and current."""
    form = VerifyForm()
    verdict = None
    if form.validate_on_submit() and (token := form.token()) is not None:
        verdict = credential_checking.check(token, setup.trust(), clock.now())
    status = 400 if form.errors else 200
    return render_template("credentials/verify.html", form=form, verdict=verdict, email=form.email.data), status


@bp.post("/api/credentials/verify")
@policy.rule(policy.PUBLIC)
@csrf.exempt
def verify_api():
    """The same check as the page, for programs: the VC-JWT as the body (or JSON {"credential": ...})."""
    if (request.content_length or 0) > MAX_CREDENTIAL_CHARS:
        return _error(413, "The body is too large to be a credential.")
    email = None
    if request.is_json:
        given = request.get_json(silent=True)
        if not isinstance(given, dict) or not isinstance(given.get("credential"), str):
            return _error(400, 'Send the VC-JWT as the body, or JSON {"credential": "<VC-JWT>"}.')
        token, email = given["credential"], given.get("email") if isinstance(given.get("email"), str) else None
    else:
        token = request.get_data(as_text=True)
    if not token.strip():
        return _error(400, "Send the credential (a VC-JWT) as the body.")
    verdict = credential_checking.check(token, setup.trust(), clock.now())
    response = current_app.response_class(
        json.dumps(_verdict_body(verdict, email), indent=1), mimetype="application/json"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str):
    response = current_app.response_class(json.dumps({"error": message}), status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get(v.ISSUER_PATH)
@policy.rule(policy.PUBLIC)
def issuer_profile():
    """The issuer's Open Badges Profile: the `issuer.id` in every credential resolves here."""
    issuer = setup.issuer()
    return _json({"@context": [v.VC_CONTEXT, v.OB_CONTEXT], **document.issuer_profile(issuer.base, issuer.name)})


@bp.get(v.JWKS_PATH)
@policy.rule(policy.PUBLIC)
def jwks():
    """The trust's public signing keys as a JSON Web Key Set."""
    issuer = setup.issuer()
    return _json(issuer.keys.jwks(issuer.base))


@bp.get(f"{v.KEYS_PATH}/<thumbprint>")
@policy.rule(policy.PUBLIC)
def key(thumbprint: str):
    """One public key, where a credential's `kid` points."""
    issuer = setup.issuer()
    found = issuer.keys.by_thumbprint(thumbprint)
    if found is None:
        abort(404)
    return _json(credential_keys.public_jwk(found, issuer.base))


@bp.get(v.STATUS_PATH)
@policy.rule(policy.PUBLIC)
def status_list():
    """The revocation list: a signed BitstringStatusListCredential (VC-JWT); a set bit is a revoked credential."""
    response = current_app.response_class(
        credentials.status_list_token(db.session, setup.issuer()), mimetype="application/jwt"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"  # a revocation shows within a minute
    response.add_etag()
    return response.make_conditional(request)
