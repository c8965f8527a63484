"""Places in a form definition as an admin names them ("langkah 'Data usaha' › isian 'Luas lahan'"), and the
start-up checks' problems retold in the admin's language at those places."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forms.engine.text import N_, active_language, gettext, tr

PLACE = re.compile(r"^(?:(?:form|workflow|table|document) '[^']*' versi \d+: )?((?:(?:step|field) '[^']*': )*)(.*)$",
                   re.DOTALL)
PART = re.compile(r"(step|field) '([^']*)'")

# Problem tails of the start-up checks → the admin's words (Indonesian source, translated where shown).
TAILS: list[tuple[re.Pattern, str]] = [(re.compile(pattern), message) for pattern, message in (
    (r"^duplicate field name '(?P<name>[^']*)'$", N_("nama isian '%(name)s' dipakai lebih dari sekali")),
    (r"^duplicate step name '(?P<name>[^']*)'$", N_("nama langkah '%(name)s' dipakai lebih dari sekali")),
    (r"^unknown type '(?P<name>[^']*)'.*$", N_("jenis isian '%(name)s' tidak dikenal")),
    (r"^needs exactly one of 'options', 'table' or 'options_from'$",
     N_("isian pilihan perlu daftar pilihan atau tabel referensi (salah satu saja)")),
    (r"^unknown table '(?P<name>[^']*)'$", N_("tabel referensi '%(name)s' tidak ada")),
    (r"^a lookup needs 'table'$", N_("isian cari-kode perlu tabel referensi")),
    (r"^a repeat group needs 'fields'$", N_("grup berulang perlu paling sedikit satu sub-isian")),
    (r"^a repeat group cannot contain another repeat group$", N_("grup berulang tidak boleh berisi grup berulang")),
    (r"^needs 'text'$", N_("teks yang dibaca pemohon belum diisi")),
    (r"^needs 'steps'$", N_("pilih paling sedikit satu langkah yang diringkas")),
    (r"^needs 'value'.*$", N_("isian ini perlu sumber nilai")),
    (r"^(?P<key>\w+): condition names unknown field '(?P<name>[^']*)'$",
     N_("kondisi (%(key)s) menyebut isian '%(name)s' yang tidak ada di formulir")),
    (r"^(?P<key>\w+): unknown operator '(?P<name>[^']*)'$",
     N_("kondisi (%(key)s) memakai operator '%(name)s' yang tidak dikenal")),
    (r"^check #(?P<n>\d+): condition names unknown field '(?P<name>[^']*)'$",
     N_("aturan #%(n)s menyebut isian '%(name)s' yang tidak ada di formulir")),
    (r"^action '(?P<name>[^']*)': transition to undeclared state '(?P<state>[^']*)'$",
     N_("aksi '%(name)s' menuju status '%(state)s' yang tidak ada")),
    (r"^action '(?P<name>[^']*)': from undeclared state '(?P<state>[^']*)'$",
     N_("aksi '%(name)s' berangkat dari status '%(state)s' yang tidak ada")),
    (r"^initial state '(?P<state>[^']*)' is not declared$", N_("status awal '%(state)s' tidak ada")),
    (r"^state '(?P<name>[^']*)': deemed_approval '(?P<action>[^']*)' (?P<detail>.*)$",
     N_("status '%(name)s': aksi persetujuan otomatis '%(action)s' tidak cocok (%(detail)s)")),
    (r"^'(?P<key>\w+)': (?P<detail>.*)$", N_("pengaturan '%(key)s' tidak sah (%(detail)s)")),
)]


class EditError(ValueError):
    """An edit that cannot even be applied (unknown step, unreadable setting); `where` names the place."""

    def __init__(self, message: str, where: str = "", problems: Mapping[str, str] | None = None):
        self.where = where
        self.problems = dict(problems or {})
        super().__init__(message)


def find_step(form: Mapping[str, Any], name: str) -> tuple[int, dict]:
    """A step by name."""
    for index, step in enumerate(form["steps"]):
        if step.get("name") == name:
            return index, step
    raise EditError(gettext("Langkah '%(name)s' tidak ada.", name=name), gettext("Formulir"))


def find_field(step: Mapping[str, Any], fields: list, name: str) -> tuple[int, dict]:
    """A field of a list (a step's fields or a group's sub-fields) by name."""
    for index, field in enumerate(fields):
        if field.get("name") == name:
            return index, field
    raise EditError(gettext("Isian '%(name)s' tidak ada.", name=name), place_of(step))


def shown(text: Any, fallback: str) -> str:
    """A definition's text in the admin's language, else its name."""
    return tr(text, active_language()) if text else fallback


def place_of(step: Mapping[str, Any], *fields: Mapping[str, Any]) -> str:
    """A place named by titles and names: langkah 'Judul' (nama) › isian 'Label' (nama)."""
    parts = [gettext("langkah '%(title)s' (%(name)s)", title=shown(step.get("title"), step.get("name", "")),
                     name=step.get("name", ""))]
    for field in fields:
        parts.append(gettext("isian '%(label)s' (%(name)s)", name=field.get("name", ""),
                             label=shown(field.get("label") or field.get("text"), field.get("name", ""))))
    return " › ".join(parts)


def explain(problem: str, form: Any) -> str:
    """A start-up check's problem at its place in the admin's words (unknown wording is kept as it is)."""
    match = PLACE.match(problem)
    names = PART.findall(match.group(1))
    tail = retold(match.group(2))
    if not names:
        where = duplicate_places(match.group(2), form)
        return f"{where}: {tail}" if where else tail
    return f"{named_place(names, form)}: {tail}"


def retold(tail: str) -> str:
    """One problem's words in the admin's language."""
    for pattern, message in TAILS:
        found = pattern.match(tail)
        if found:
            return gettext(message, **found.groupdict()) if found.groupdict() else gettext(message)
    return tail


def named_place(names: list[tuple[str, str]], form: Any) -> str:
    """The place of step/field names, with their titles when the definition has them."""
    steps = form.get("steps") if isinstance(form, Mapping) else None
    step = next((s for s in steps or () if isinstance(s, dict) and s.get("name") == names[0][1]), None)
    if step is None:
        return " › ".join(f"{kind} '{name}'" for kind, name in names)
    fields, chain = step.get("fields") or [], []
    for _kind, name in names[1:]:
        field = next((f for f in fields if isinstance(f, dict) and f.get("name") == name), {"name": name})
        chain.append(field)
        fields = field.get("fields") or []
    return place_of(step, *chain)


def duplicate_places(tail: str, form: Any) -> str:
    """For a name used twice in a form: every step that uses it."""
    found = re.match(r"^duplicate field name '([^']*)'$", tail)
    if not found or not isinstance(form, Mapping):
        return ""
    places = [place_of(step, field) for step in form.get("steps") or () if isinstance(step, dict)
              for field in step.get("fields") or () if isinstance(field, dict) and field.get("name") == found[1]]
    return gettext(" dan ").join(places)
