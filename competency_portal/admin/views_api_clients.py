"""Admin → API clients: register a reporting tool (its secret shown once), see them, revoke one."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.admin import bp
from competency_portal.admin.forms import ActionForm, ApiClientForm
from competency_portal.extensions import db
from competency_portal.models import InvalidTransition
from competency_portal.services import api_clients


def _page(form: ApiClientForm, registered=None, status: int = 200):
    return render_template(
        "admin/api_clients.html",
        form=form,
        registered=registered,
        clients=api_clients.clients(db.session),
        action_form=ActionForm(),
    ), status


@bp.route("/api-clients", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def api_clients_page():
    """The reporting tools that may use the API, and the form to register one."""
    form = ApiClientForm()
    if form.validate_on_submit():
        outcome = web.attempt(
            api_clients.register,
            db.session,
            current_user,
            form.name.data,
            form.scopes.data,
            clock.now(),
            refusals=api_clients.ClientError,
        )
        if outcome:
            return _page(ApiClientForm(formdata=None), registered=outcome.value)
        form.name.errors.append(outcome.error)
    return _page(form, status=400 if form.errors else 200)


@bp.post("/api-clients/<int:client_id>/revoke")
@policy.rule(policy.ADMIN)
def revoke_api_client(client_id: int):
    """Revoke a reporting tool: it gets no more tokens, and those it holds stop working."""
    if not ActionForm().validate_on_submit():
        return web.done("The form had expired; try again.", "admin.api_clients_page")
    outcome = web.attempt(
        api_clients.revoke,
        db.session,
        current_user,
        client_id,
        clock.now(),
        refusals=(api_clients.ClientError, InvalidTransition),
    )
    if not outcome:
        return web.refused(outcome, "admin.api_clients_page")
    return web.done(f"“{outcome.value.name}” is revoked: its tokens no longer work.", "admin.api_clients_page")
