"""Accounts: register, confirm, sign in and out, passwords."""

import json

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as BaseResponse

from psp import policy
from psp.auth import bp, devices, passkeys, privacy, services, sessions, twofactor
from psp.auth.forms import (
    AddPasskeyForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    NewPasswordForm,
    RegenerateCodesForm,
    RegisterForm,
    RemovePasskeyForm,
    ResetRequestForm,
    SetUpCodeForm,
    SignInCodeForm,
    SignInForm,
    SignInPasskeyForm,
    TurnOffForm,
)
from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import limiter
from psp.forms import ActionForm, refuse_on
from psp.loaders import me, or_404

WRONG_DETAILS = "Enter a correct email address and password"


def _account_key():
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response):
    return response.status_code == 400


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], scope="register")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form), 400 if form.is_submitted() else 200
    services.register(form.name.data, form.email.data, form.password.data)
    return redirect(url_for(".check_email", email=form.email.data))


@bp.get("/register/check-your-email")
def check_email():
    return render_template("auth/check_email.html", email=request.args.get("email", "")[:254])


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """GET shows a button; only the POST confirms (link scanners must not confirm)."""
    user = services.user_for_confirm_token(token)
    if user is None:
        return render_template("auth/link_expired.html", what="confirmation"), 404
    form = ActionForm()
    if form.validate_on_submit():
        services.confirm_email(user)
        flash("Your email address is confirmed. You can now sign in.", "success")
        if current_user.is_authenticated:
            return redirect(url_for("core.home"))
        return redirect(url_for(".sign_in"))
    return render_template("auth/confirm_email.html", user=user, form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=_account_key, methods=["POST"],
               deduct_when=_failed, scope="sign-in-account", exempt_when=devices.known_for_this_account)
@limiter.limit("30 per 5 minutes", methods=["POST"], deduct_when=_failed,
               scope="sign-in-address")
def sign_in():
    next_path = sessions.safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("core.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/sign_in.html", form=form, next=next_path), status
    user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        # One message, on the first field: on both, the error summary would say it twice.
        form.email.errors = [WRONG_DETAILS]
        return render_template("auth/sign_in.html", form=form, next=next_path), 400
    if not user.is_confirmed:
        services.resend_confirmation(user)
        return render_template("auth/confirm_first.html", email=user.email)
    if twofactor.any_on(user):
        twofactor.begin_pending(user, next_path)  # not signed in until the code is right
        return redirect(url_for(".sign_in_code"))
    services.sign_in(user)
    return devices.remember(redirect(next_path or url_for("core.home")), user.email)


def _half_signed_in() -> tuple[User, str | None] | BaseResponse:
    """The person half-way through signing in, and where they were going; or where to send them."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    pending = twofactor.pending_user()
    if pending is None:
        flash("Sign in again: the time to enter your code ran out.")
        return redirect(url_for(".sign_in"))
    return pending


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit("5 per 5 minutes", key_func=twofactor.pending_key, methods=["POST"],
               deduct_when=_failed, scope="sign-in-code")
def sign_in_code():
    """The second step: a code from the person's app, or a recovery code, within 5 minutes."""
    pending = _half_signed_in()
    if not isinstance(pending, tuple):
        return pending
    user, next_path = pending
    form = SignInCodeForm()
    if not form.validate_on_submit():
        return _code_page(user, form), 400 if form.is_submitted() else 200
    method = twofactor.verify(user, form.code.data)
    if method is None:
        form.code.errors = [twofactor.WRONG_CODE]
        _forget_code(form)
        return _code_page(user, form), 400
    services.sign_in(user, method)
    return devices.remember(redirect(next_path or url_for("core.home")), user.email)


def _code_page(user, form, passkey_form=None, passkey_error=None):
    """The second step: the code form, and "Use your passkey" for a person who has one."""
    return render_template("auth/sign_in_code.html", form=form, app_on=twofactor.is_on(user),
                           has_passkey=passkeys.has_any(user), passkey_error=passkey_error,
                           passkey_form=passkey_form or SignInPasskeyForm(formdata=None))


def _passkey_problem(form):
    """Why the form carries no answer from an authenticator: the script said why, or there is no
    script."""
    return passkeys.NOT_USED if form.problem.data else passkeys.NEEDS_SCRIPT


@bp.post("/sign-in/passkey/options")
@limiter.limit("20 per 5 minutes", key_func=twofactor.pending_key, scope="sign-in-passkey-options")
def sign_in_passkey_options():
    """Options for navigator.credentials.get(), for the person half-way through signing in."""
    pending = twofactor.pending_user()
    if pending is None or current_user.is_authenticated:
        return {"error": "Sign in again"}, 400
    return Response(passkeys.authentication_options(pending[0]), mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


@bp.post("/sign-in/passkey")
@limiter.limit("5 per 5 minutes", key_func=twofactor.pending_key, deduct_when=_failed,
               scope="sign-in-code")
def sign_in_passkey():
    """The second step with a passkey: the answer from navigator.credentials.get()."""
    pending = _half_signed_in()
    if not isinstance(pending, tuple):
        return pending
    user, next_path = pending
    form = SignInPasskeyForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.credential.data:
        return _code_page(user, SignInCodeForm(formdata=None), form, _passkey_problem(form)), 400
    if not passkeys.verify(user, form.credential.data):
        return _code_page(user, SignInCodeForm(formdata=None), form, passkeys.NOT_ACCEPTED), 400
    services.sign_in(user, "passkey")
    return devices.remember(redirect(next_path or url_for("core.home")), user.email)


@bp.post("/sign-out")
def sign_out():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = me() if current_user.is_authenticated else None
    services.sign_out(user)
    flash("You have signed out.", "success")
    return redirect(url_for(".sign_in"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", form=ActionForm())


@bp.get("/account/data.json")
@login_required
def download_data():
    """Everything the service holds about the signed-in person (their right of access)."""
    body = json.dumps(privacy.export(me()), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="psp-codesign-my-data.json"',
        "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], scope="delete-account")
def delete_account():
    form = DeleteAccountForm()
    user = me()
    blocked = privacy.blockers(user)
    if form.validate_on_submit():
        try:
            services.delete_account(user, form.password.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            logout_user()
            session.clear()
            flash("Your account is deleted and your personal details are erased.", "success")
            return redirect(url_for("core.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/delete_account.html", form=form, blocked=blocked), status


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.sign_out_everywhere(me())
    flash("You have been signed out on every device.", "success")
    return redirect(url_for(".sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/change_password.html", form=form), status
    try:
        services.change_password(me(), form.current_password.data, form.new_password.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return render_template("auth/change_password.html", form=form), 400
    flash("Your password has been changed. You have been signed out on other devices.",
          "success")
    return redirect(url_for(".account"))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], scope="email-change")
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return render_template("auth/change_email.html", form=form), 400 if form.is_submitted() else 200
    try:
        services.request_email_change(me(), form.email.data, form.password.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return render_template("auth/change_email.html", form=form), 400
    return render_template("auth/change_email_sent.html", email=form.email.data)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def change_email_confirm(token):
    """GET shows a button; only the POST changes the address (link scanners must not)."""
    found = services.email_change_for_token(token)
    if found is None:
        return render_template("auth/link_expired.html", what="email change"), 404
    user, new_email = found
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.change_email(user, new_email)
        except Refused as refusal:
            return render_template("auth/confirm_new_email.html", new_email=new_email, form=form,
                                   refusal=str(refusal)), 409
        flash(f"Your email address is now {new_email}. Sign in with it.", "success")
        return redirect(url_for(".sign_in"))
    return render_template("auth/confirm_new_email.html", new_email=new_email, form=form)


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="reset-request")
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/reset_request.html", form=form), status
    services.request_password_reset(form.email.data)
    return render_template("auth/reset_sent.html", email=form.email.data)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/link_expired.html", what="reset"), 404
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/reset_password.html", form=form), status
    services.reset_password(user, form.password.data)
    flash("Your password has been reset. Sign in with your new password.", "success")
    return redirect(url_for(".sign_in"))



@bp.get("/account/two-factor")
@login_required
def two_factor():
    user = me()
    return render_template("auth/two_factor.html", on=twofactor.is_on(user),
                           left=twofactor.unused_codes(user), form=ActionForm(),
                           passkeys=passkeys.of(user))


@bp.post("/account/two-factor/start")
@login_required
def two_factor_start():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        twofactor.start_totp(me())
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".two_factor"))
    return redirect(url_for(".two_factor_set_up"))


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_failed, scope="two-factor-set-up")
def two_factor_set_up():
    """Shows the secret and its QR code; a current code from the app turns it on."""
    user = me()
    row = twofactor.factor(user)
    if row is None or row.confirmed_at is not None:
        return redirect(url_for(".two_factor"))
    form = SetUpCodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_totp(user, form.code.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            return render_template("auth/recovery_codes.html", codes=codes, new=True)
    uri = twofactor.provisioning_uri(user, row.secret)
    _forget_code(form)  # a code is never shown back
    return render_template("auth/two_factor_set_up.html", form=form, secret=row.secret,
                           qr=twofactor.qr_svg(uri)), 400 if form.is_submitted() else 200


def _forget_code(form):
    form.code.raw_data = []
    form.code.data = ""


def _password_and_code_page(form, template, action):
    if not form.validate_on_submit():
        _forget_code(form)
        return render_template(template, form=form), 400 if form.is_submitted() else 200
    try:
        return action(form)
    except Refused as refusal:
        refuse_on(form, refusal)
        _forget_code(form)
        return render_template(template, form=form), 400


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_failed, scope="two-factor-codes")
def two_factor_codes():
    if not twofactor.is_on(me()):
        return redirect(url_for(".two_factor"))

    def regenerate(form):
        codes = twofactor.regenerate_codes(me(), form.password.data, form.code.data)
        return render_template("auth/recovery_codes.html", codes=codes, new=False)

    return _password_and_code_page(RegenerateCodesForm(), "auth/regenerate_codes.html", regenerate)


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_failed, scope="two-factor-off")
def two_factor_turn_off():
    if not twofactor.is_on(me()):
        return redirect(url_for(".two_factor"))
    policy.require(policy.can_turn_off_second_factor(current_user))

    def turn_off(form):
        twofactor.turn_off(me(), form.password.data, form.code.data)
        flash("Two-factor sign-in is off.", "success")
        return redirect(url_for(".two_factor"))

    return _password_and_code_page(TurnOffForm(), "auth/two_factor_turn_off.html", turn_off)


@bp.post("/account/two-factor/passkeys/options")
@login_required
@limiter.limit("20 per 5 minutes", scope="passkey-options")
def passkey_options():
    """Options for navigator.credentials.create() (the challenge kept in the session)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    return Response(passkeys.registration_options(me()), mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


@bp.route("/account/two-factor/passkeys/new", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_failed, scope="passkey-add")
def passkey_add():
    """A name, then the browser asks the authenticator (static/js/passkeys.mjs) and posts its answer."""
    form = AddPasskeyForm()
    if form.validate_on_submit():
        try:
            if not form.credential.data:
                raise Refused(_passkey_problem(form), field="submit")
            codes = passkeys.add(me(), form.name.data, form.credential.data)
        except Refused as refusal:
            form.submit.errors = [str(refusal)]
        else:
            if codes:
                return render_template("auth/recovery_codes.html", codes=codes, new=True, passkey=True)
            flash(f"Your passkey “{form.name.data}” is added. You can use it to sign in.", "success")
            return redirect(url_for(".two_factor"))
    return render_template("auth/passkey_add.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/account/two-factor/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_failed, scope="passkey-remove")
def passkey_remove(passkey_id):
    user = me()
    passkey = or_404(passkeys.mine_or_none(user, passkey_id))
    form = RemovePasskeyForm()
    if form.validate_on_submit():
        name = passkey.name
        try:
            passkeys.remove(user, passkey, form.password.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash(f"Your passkey “{name}” is removed.", "success")
            return redirect(url_for(".two_factor"))
    return render_template("auth/passkey_remove.html", form=form, passkey=passkey), \
        400 if form.is_submitted() else 200
