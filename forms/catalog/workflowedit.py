"""Everyday edits of a workflow definition, as pure functions on its JSON: states and actions added, removed and
given their settings (labels per language, PIA code, SLA, roles, notifications…). The choices offered come from
the workflow meta-schema, so the editor never lists values the start-up checks would refuse.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from forms.catalog import fieldsettings, texts
from forms.catalog.fieldsettings import Setting
from forms.catalog.formedit import NAME
from forms.catalog.places import EditError
from forms.engine.text import N_, gettext


@cache
def schema_choices(path: str) -> dict[str, tuple[str, ...]]:
    """Enumerated values of states and actions, as the workflow meta-schema declares them."""
    defs = json.loads(Path(path).read_text(encoding="utf-8"))["$defs"]
    found = {}
    for kind in ("state", "action"):
        for name, spec in defs[kind]["properties"].items():
            values = spec.get("enum") or spec.get("items", {}).get("enum")
            if values:
                found[f"{kind}.{name}"] = tuple(values)
    return found


def state_settings(choices: Mapping[str, tuple], workflow: Mapping[str, Any]) -> dict[str, Setting]:
    """How each setting of a state is edited."""
    system = tuple(name for name, a in (workflow.get("actions") or {}).items() if "sistem" in a.get("roles", ()))
    return {"label": Setting("text", N_("Nama status")), "pia": Setting("string", N_("Kode PIA (2 angka)")),
            "turn": Setting("enum", N_("Giliran"), ("", *choices["state.turn"])),
            "sla_days": Setting("int", N_("Batas waktu (hari kerja)")),
            "pause_sla": Setting("bool", N_("Jam berhenti selama status ini")),
            "final": Setting("bool", N_("Status akhir")),
            "public_status": Setting("enum", N_("Keadaan di halaman verifikasi"),
                                     ("", *choices["state.public_status"])),
            "deemed_approval": Setting("enum", N_("Disetujui otomatis saat batas waktu lewat, lewat aksi"),
                                       ("", *system)),
            "reissue": Setting("bool", N_("Terbitkan ulang dokumen saat masuk status ini"))}


def action_settings(choices: Mapping[str, tuple], workflow: Mapping[str, Any]) -> dict[str, Setting]:
    """How each setting of an action is edited."""
    states = tuple(workflow.get("states") or ())
    return {"label": Setting("text", N_("Nama aksi")), "from": Setting("multi", N_("Dari status"), states),
            "to": Setting("enum", N_("Ke status"), states),
            "roles": Setting("multi", N_("Peran yang boleh"), choices["action.roles"]),
            "when": Setting("enum", N_("Hanya bila"), ("", *choices["action.when"])),
            "requires": Setting("enum", N_("Syarat persyaratan"), ("", *choices["action.requires"])),
            "note_required": Setting("bool", N_("Catatan wajib diisi")),
            "notify": Setting("string", N_("Pemberitahuan (kunci pesan)")),
            "pia": Setting("string", N_("Kode PIA aksi (2 angka)")),
            "style": Setting("enum", N_("Gaya tombol"), ("", *choices["action.style"]))}


def apply_settings(target: dict, settings: Mapping[str, Setting], posted: Any, where: str) -> None:
    """Write the posted settings (those the page listed as shown) into a state or action; EditError naming each
    unreadable one."""
    problems = {}
    shown = set(posted["settings"].split(",")) if "settings" in posted else set(settings)
    for name, setting in settings.items():
        if name not in shown:
            continue
        value = fieldsettings.posted_value(name, setting, posted)
        try:
            new = fieldsettings.definition_value(setting, value, target.get(name))
        except ValueError as error:
            problems[name] = f"{gettext(setting.label)}: {error}"
            continue
        if setting.kind == "multi" and value and any(v not in setting.choices for v in value):
            problems[name] = gettext("%(label)s: pilihan tidak tersedia.", label=gettext(setting.label))
        elif name == "label" and new is None:
            problems[name] = gettext("%(label)s wajib diisi.", label=gettext(setting.label))
        else:
            fieldsettings.set_or_drop(target, name, new)
    if problems:
        raise EditError("; ".join(problems.values()), where, problems)


def named(workflow: dict, kind: str, name: str) -> dict:
    """A state or action by name."""
    items = workflow.get(kind) or {}
    if name not in items:
        raise EditError(gettext("'%(name)s' tidak ada.", name=name), gettext("Alur kerja"))
    return items[name]


def new_name(workflow: dict, kind: str, posted: Any) -> str:
    """A new state or action name, refused when malformed or taken."""
    name = (posted.get("name") or "").strip()
    where = gettext("Status baru") if kind == "states" else gettext("Aksi baru")
    if not NAME.match(name):
        raise EditError(gettext("Nama '%(name)s' tidak sah: pakai huruf kecil, angka dan garis bawah, diawali huruf.",
                                name=name), where)
    if name in (workflow.get(kind) or {}):
        raise EditError(gettext("Nama '%(name)s' sudah dipakai.", name=name), where)
    return name


def edit_state(workflow: dict, posted: Any, choices: Mapping[str, tuple]) -> None:
    name = posted.get("state", "")
    apply_settings(named(workflow, "states", name), state_settings(choices, workflow), posted,
                   gettext("status '%(name)s'", name=name))


def edit_action(workflow: dict, posted: Any, choices: Mapping[str, tuple]) -> None:
    name = posted.get("action", "")
    apply_settings(named(workflow, "actions", name), action_settings(choices, workflow), posted,
                   gettext("aksi '%(name)s'", name=name))


def add_state(workflow: dict, posted: Any, choices: Mapping[str, tuple]) -> None:
    name = new_name(workflow, "states", posted)
    label = texts.merged(None, {lang: posted.get(f"s_label_{lang}", "") for lang in texts.LANGUAGES}) or name
    workflow["states"][name] = {"label": label, "pia": (posted.get("s_pia") or "").strip() or "00"}


def add_action(workflow: dict, posted: Any, choices: Mapping[str, tuple]) -> None:
    name = new_name(workflow, "actions", posted)
    workflow["actions"][name] = {"label": name, "from": [], "to": "", "roles": []}
    apply_settings(workflow["actions"][name], action_settings(choices, workflow), posted,
                   gettext("aksi '%(name)s'", name=name))


def remove(kind: str) -> Callable[[dict, Any, Mapping], None]:
    """An operation removing a state or an action (the checks then name whatever still points at it)."""
    def removed(workflow: dict, posted: Any, choices: Mapping[str, tuple]) -> None:
        named(workflow, kind, posted.get("name", ""))
        del workflow[kind][posted["name"]]
    return removed


OPERATIONS = {"ubah_status": edit_state, "ubah_aksi": edit_action, "tambah_status": add_state,
              "tambah_aksi": add_action, "hapus_status": remove("states"), "hapus_aksi": remove("actions")}


def apply_edit(workflow: Mapping[str, Any], operation: str, posted: Any, schema_path: str) -> dict:
    """The workflow after one editor operation (the input is not changed)."""
    edit = OPERATIONS.get(operation)
    if edit is None:
        raise EditError(gettext("Perubahan '%(op)s' tidak dikenal.", op=operation))
    result = copy.deepcopy(dict(workflow))
    if not isinstance(result.get("states"), dict) or not isinstance(result.get("actions"), dict):
        raise EditError(gettext("Definisi ini tidak punya daftar status dan aksi; pakai penyunting JSON."))
    edit(result, posted, schema_choices(schema_path))
    return result
