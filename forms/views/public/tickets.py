"""Complaints around the generic wizard: the public page, following a ticket, and the officers' queue.

Filing is the wizard itself (the ticket form in schemas/tickets.json); these pages add what the
wizard does not: other channels from schemas/office.json, following by number + access code
(rate-limited, revealing no contact data), and answering with a status move and a message to the
reporter's channel.
"""
from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from forms import store
from forms.catalog.runtime import office_clock, schemas
from forms.engine.render import review_sections
from forms.engine.text import gettext
from forms.engine.wizard import Services
from forms.errors import ConflictError
from forms.identity.accounts import require_role
from forms.office.publicinfo import public_info
from forms.office.tickets import (
    TicketError,
    answer,
    answers_of,
    contact_of,
    counts,
    find_ticket,
    next_statuses,
    notify_reporter,
    queue,
    replies,
    settings,
    ticket_by_id,
)
from forms.outreach.notify import DeliveryError
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter
from forms.web.templating import current_language

bp = Blueprint("tickets", __name__)

OFFICERS = ("verifikator", "kepala", "admin")
NUMBER = re.compile(r"[A-Za-z0-9-]{4,40}")
CODE = re.compile(r"[A-Za-z0-9 -]{4,40}")


@bp.get("/pengaduan")
def index():
    """What a complaint is for, the button to file one, following, and the other channels."""
    return render_template("tickets/index.html", form=schemas().get(settings().form),
                           office=public_info().office)


@bp.route("/pengaduan/ikuti", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("TRACK_RATE_LIMIT"), methods=["POST"])
def follow():
    """Ask for the ticket number and access code; show status and answers only."""
    if request.method == "GET":
        return render_template("tickets/follow.html")
    number, code = request.form.get("nomor", "").strip(), request.form.get("kode", "").strip()
    if not NUMBER.fullmatch(number) or not CODE.fullmatch(code):
        return render_template("tickets/follow.html", number=number,
                               problem=gettext("Isi nomor pengaduan dan kode akses.")), 422
    ticket = find_ticket(number, code)
    if ticket is None:
        return render_template("tickets/follow.html", number=number,
                               problem=gettext("Tidak ada pengaduan dengan nomor dan kode akses tersebut.")), 404
    return render_template("tickets/follow.html", number=number, ticket=ticket, summary=summary_of(ticket),
                           history=replies(ticket), settings=settings())


def summary_of(ticket: store.Submission) -> dict:
    """Category, reference and text of a ticket as readers see them (never the contact data)."""
    config, answers = settings(), answers_of(ticket)
    form = schemas().get(ticket.form_id, ticket.form_version)
    fields = form.fields
    category = fields[config.category_field]
    return {"category": category.kind.display(category, answers.get(config.category_field), schemas().tables,
                                              current_language()),
            "reference": answers.get(config.reference_field) if config.reference_field else None,
            "text": answers.get(config.text_field, "")}


@bp.get("/petugas/pengaduan")
@require_role(*OFFICERS)
def officer_queue():
    """Tickets of one status, with a tab per status and its count."""
    statuses = settings().statuses
    chosen = request.args.get("status") or statuses[0].name
    if chosen not in {status.name for status in statuses}:
        abort(404)
    rows = [(ticket, summary_of(ticket), contact_of(ticket)) for ticket in queue(chosen)]
    return render_template("tickets/queue.html", statuses=statuses, counts=counts(), chosen=chosen, rows=rows,
                           today=office_clock().today())


@bp.get("/petugas/pengaduan/<ticket_id>")
@require_role(*OFFICERS)
def officer_ticket(ticket_id: str):
    """One ticket: its answers, attachment, history, and the reply form."""
    ticket = ticket_by_id(ticket_id) or abort(404)
    form = schemas().get(ticket.form_id, ticket.form_version)
    sections = review_sections(form, ticket.answers, ticket.derived, Services(tables=schemas().tables),
                               current_language())
    return render_template("tickets/ticket.html", ticket=ticket, form=form, sections=sections,
                           contact=contact_of(ticket), history=replies(ticket), settings=settings(),
                           choices=next_statuses(ticket.status), actors=actor_names(ticket))


def actor_names(ticket: store.Submission) -> dict[str, str]:
    """Names of the officers in a ticket's history, by actor key ('account:…')."""
    ids = [entry["actor"].split(":", 1)[1] for entry in ticket.history
           if str(entry.get("actor", "")).startswith("account:")]
    return {f"account:{account_id}": name for account_id, name in store.account_names(ids).items()}


@bp.post("/petugas/pengaduan/<ticket_id>")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def officer_reply(ticket_id: str):
    """Record the officer's reply and/or status move, then send the reply to the reporter."""
    ticket = ticket_by_id(ticket_id) or abort(404)
    if request.form.get("_version") != str(ticket.version):
        raise ConflictError(gettext("Pengaduan ini baru saja diubah petugas lain. Muat ulang halaman untuk "
                                    "melihat keadaan terbaru; jawaban Anda belum disimpan."))
    reply_text = request.form.get("jawaban", "")
    try:
        ticket = answer(ticket, f"account:{g.account.id}", reply_text, request.form.get("status", ticket.status))
    except TicketError as error:
        flash(str(error), "warning")
        return redirect(url_for("tickets.officer_ticket", ticket_id=ticket_id))
    flash(gettext("Tersimpan."), "success")
    if reply_text.strip():
        send_reply(ticket, reply_text.strip())
    return redirect(url_for("tickets.officer_ticket", ticket_id=ticket_id))


def send_reply(ticket: store.Submission, text: str) -> None:
    """Deliver a reply and say where it went; a failed channel is reported, the reply stays saved."""
    try:
        channel = notify_reporter(ticket, text, url_for("tickets.follow", _external=True))
    except DeliveryError:
        flash(gettext("Jawaban tersimpan tetapi belum terkirim ke pelapor; pelapor tetap dapat membacanya "
                      "dengan nomor dan kode akses."), "warning")
        return
    if channel is None:
        flash(gettext("Pelapor anonim: jawaban dibaca pelapor di halaman Ikuti Pengaduan."), "info")
    else:
        flash(gettext("Jawaban dikirim ke pelapor melalui %(channel)s.",
                      channel="e-mail" if channel == "email" else channel.capitalize()), "info")


@bp.get("/petugas/pengaduan/<ticket_id>/berkas/<file_id>")
@require_role(*OFFICERS)
def officer_attachment(ticket_id: str, file_id: str):
    """A ticket's attachment, for officers, only if the ticket refers to it."""
    ticket = ticket_by_id(ticket_id) or abort(404)
    if file_id not in store.referenced_files(ticket.answers):
        abort(404)
    stored = store.open_file(file_id) or abort(404)
    return send_file(stored, mimetype=stored.metadata["content_type"], download_name=stored.filename,
                     as_attachment=False, max_age=0)
