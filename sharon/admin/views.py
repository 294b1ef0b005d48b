"""Staff pages: people, their networks and roles, and the networks themselves."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import mail, writes
from sharon.admin import services
from sharon.admin.forms import (
    IssueResetForm,
    NetworkForm,
    NetworksForm,
    RoleForm,
    StaffAccountForm,
)
from sharon.auth import resets
from sharon.extensions import db
from sharon.forms import add_error, options, text_arg
from sharon.models import Role, User
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/people")
@require(Action.VIEW_PRIVATE_DETAILS)
def people() -> str:
    """Staff search for a person by username."""
    query = text_arg("q", 30).strip()
    return render_template("admin/people.html", people=services.list_users(query), query=query)


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _person_page(user: User, **shown: object) -> str:
    networks_form = NetworksForm(networks=[n.id for n in user.networks])
    networks_form.networks.choices = options((n.id, n.name) for n in services.all_networks())
    return render_template(
        "admin/person.html", person=user, networks_form=networks_form,
        role_form=RoleForm(role=user.role), reset_form=IssueResetForm(),
        may_reset=resets.may_issue_for(current_user, user),
        open_reset=resets.open_code_for(user), mail_on=mail.configured(current_app.config),
        **shown,
    )


@bp.get("/people/<int:user_id>")
@require(Action.VIEW_PRIVATE_DETAILS)
def person(user_id: int) -> str:
    """One person's details, networks, status and role, for staff."""
    return _person_page(_person(user_id))


@bp.post("/people/<int:user_id>/reset-code")
@require(Action.ISSUE_PASSWORD_RESETS)
def person_reset_code(user_id: int) -> str | Response:
    """Issue a password reset code; it is shown once, on this response only."""
    user = _person(user_id)
    form = IssueResetForm()
    if not form.validate_on_submit():
        flash(" ".join(sum(form.errors.values(), [])) or "Please try again.", "error")
        return redirect(url_for("admin.person", user_id=user.id))
    try:
        # Sent twice, it makes one code; the second answer goes back to the person's page
        # (the code was shown once, to the first, and is stored nowhere).
        reset, code = writes.save_once(
            form.submission.data, current_user, lambda: resets.issue(current_user, user),
            lambda _: url_for("admin.person", user_id=user.id))
    except writes.AlreadySent as sent:
        return sent.response()
    except Refused as refused:
        db.session.rollback()
        if refused.code == "forbidden":
            abort(403)
        flash(refused.message, "error")
        return redirect(url_for("admin.person", user_id=user.id))
    return _person_page(user, reset_code=code, issued=reset)


@bp.post("/people/<int:user_id>/networks")
@require(Action.MANAGE_MEMBER_NETWORKS)
def person_networks(user_id: int) -> Response:
    """Change which networks' spaces a person sees."""
    user = _person(user_id)
    form = NetworksForm()
    form.networks.choices = options((n.id, n.name) for n in services.all_networks())
    if not form.validate_on_submit():
        flash(" ".join(sum(form.errors.values(), [])) or "Please try again.", "error")
        return redirect(url_for("admin.person", user_id=user.id))
    services.set_networks(current_user, user, form.networks.data)
    db.session.commit()
    flash(f"{user.username}'s networks have been updated.", "success")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.post("/people/<int:user_id>/role")
@require(Action.MANAGE_STAFF)
def person_role(user_id: int) -> Response:
    """Change a team member's role."""
    user = _person(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.set_role(current_user, user, Role(form.role.data))
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(f"{user.username}'s role is now {Role(user.role).title}.", "success")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.route("/people/new", methods=["GET", "POST"])
@require(Action.MANAGE_STAFF)
def new_person() -> str | Response:
    """Create a team account directly (members join by invitation)."""
    form = StaffAccountForm()
    form.networks.choices = options((n.id, n.name) for n in services.all_networks())
    if form.validate_on_submit():
        account = services.NewAccount(
            username=form.username.data.strip(), role=Role(form.role.data),
            password=form.password.data, email=(form.email.data or "").strip() or None,
            real_name=(form.real_name.data or "").strip() or None,
            network_ids=form.networks.data or [])
        try:
            user = writes.save_once(
                form.submission.data, current_user,
                lambda: services.create_account(current_user, account),
                lambda made: url_for("admin.person", user_id=made.id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            target = form.password if refused.code == "weak_password" else form.username
            add_error(target, refused.message)
        else:
            flash(f"Account {user.username} created. Give them their temporary password "
                  "in person and ask them to change it.", "success")
            return redirect(url_for("admin.person", user_id=user.id))
    return render_template("admin/new_person.html", form=form), 400 if form.errors else 200


@bp.route("/networks", methods=["GET", "POST"])
@require(Action.MANAGE_NETWORKS)
def networks() -> str | Response:
    """List networks and add one."""
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = writes.save_once(
                form.submission.data, current_user,
                lambda: services.create_network(current_user, form.name.data,
                                                form.description.data or ""),
                lambda _: url_for("admin.networks"))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.name, refused.message)
        else:
            flash(f"Network {network.name} created.", "success")
            return redirect(url_for("admin.networks"))
    return render_template("admin/networks.html", form=form, networks=services.all_networks(),
                           can_manage=can(current_user, Action.MANAGE_NETWORKS)), \
        400 if form.errors else 200
