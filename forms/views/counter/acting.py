"""Working as the applicant at the counter: the same wizard and requirement pages, the officer kept on record.

A front-office officer picks an applicant (forms.views.counter.desk); from then on, and only on the
applicant's own filing pages (the wizard and the requirement uploads), the request runs as that
applicant: the same forms, the same server-side validation, the same object-level checks (only the
applicant's own submissions and documents open). The officer stays in g.counter_officer, so every
answer and upload names them (forms.casework.provenance). Anywhere else the officer is just themselves.
"""
from __future__ import annotations

from flask import Blueprint, g, request, session

from forms.casework.provenance import COUNTER_ROLE
from forms.store import Account, find_active_account

ACTING = "loket_atas_nama"
APPLICANT_PAGES = {"wizard", "fulfil"}


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
    if request.blueprint in APPLICANT_PAGES:
        g.counter_officer = account
        g.account = applicant


def start_serving(applicant: Account) -> None:
    """Remember in the officer's session whom they now serve."""
    session[ACTING] = str(applicant.id)


def stop_serving() -> None:
    """The officer is themselves again everywhere."""
    session.pop(ACTING, None)


def install(bp: Blueprint) -> None:
    """Run act_for_applicant before every request of the app (after the sign-in is loaded)."""
    bp.before_app_request(act_for_applicant)
