"""Working as the applicant at the counter: the same wizard and requirement pages, the officer kept on record.

A front-office officer picks an applicant (forms.views.counter.desk); from then on, and only on the
applicant's own filing pages (the wizard of a form that needs an account, the requirement uploads, the
printouts), the request runs as that applicant: the same forms, the same server-side validation, the
same object-level checks (only the applicant's own submissions and documents open). The officer stays
in g.counter_officer, so every answer and upload names them (forms.casework.provenance). Anywhere else
the officer is just themselves: public forms (the satisfaction survey, complaints) are never filled in
someone else's name.
"""
from __future__ import annotations

from flask import Blueprint, g, request, session

from forms.casework.provenance import COUNTER_ROLE
from forms.catalog.runtime import schemas
from forms.store import Account, find_active_account, read_submission

ACTING = "loket_atas_nama"
APPLICANT_PAGES = {"fulfil", "printouts"}  # and the wizard of forms that need an account: on_applicant_page


def servable(account: Account | None) -> bool:
    """Only an active applicant's account (never an officer's, an admin's or another front-office one) is served."""
    return account is not None and set(account.roles) == {"pemohon"}


def act_for_applicant() -> None:
    """before_app_request: on the applicant's pages, a front-office officer serving someone works as them."""
    account = g.get("account")
    wanted = session.get(ACTING)
    if wanted is None or account is None:  # static files load no account: nothing to do
        return
    if COUNTER_ROLE not in account.roles:
        session.pop(ACTING, None)  # an applicant (or anybody) cannot work as the front office
        return
    applicant = find_active_account(wanted)
    if not servable(applicant):
        session.pop(ACTING, None)
        return
    g.counter_applicant = applicant
    if on_applicant_page():
        g.counter_officer = account
        g.account = applicant


def on_applicant_page() -> bool:
    """Whether this request is one of the applicant's filing pages (see the module docstring)."""
    if request.blueprint in APPLICANT_PAGES:
        return True
    if request.blueprint != "wizard":
        return False
    args = request.view_args or {}
    form_id = args.get("form_id")
    if form_id is None and args.get("submission_id"):
        submission = read_submission(args["submission_id"])
        form_id = submission.form_id if submission is not None else None
    form = schemas().get(form_id) if form_id else None
    return form is not None and form.access == "account"


def start_serving(applicant: Account) -> None:
    """Remember in the officer's session whom they now serve."""
    session[ACTING] = str(applicant.id)


def stop_serving() -> None:
    """The officer is themselves again everywhere."""
    session.pop(ACTING, None)


def install(bp: Blueprint) -> None:
    """Run act_for_applicant before every request of the app (after the sign-in is loaded)."""
    bp.before_app_request(act_for_applicant)
