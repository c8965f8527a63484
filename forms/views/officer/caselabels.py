"""Words for what the case page lists: the trail's actions and actors as people read them, never as stored codes."""
from __future__ import annotations

from forms.engine.text import gettext, in_language, tr
from forms.engine.workflow import Workflow
from forms.web.templating import current_language

PREFIXED = {"unggah ": "upload", "putusan ": "verdict", "ditugaskan kepada ": "assigned"}


def actor_labels(owner: str, holder) -> dict[str, str]:
    """How stored actor keys read: the owner's key as the applicant's name."""
    name = getattr(holder, "name", None)
    return {owner: gettext("%(name)s (pemohon)", name=name)} if name else {owner: gettext("pemohon")}


def action_label(action: str, workflow: Workflow, names: dict[str, str]) -> str:
    """A trail action in words: a workflow action's label, an upload or verdict with the requirement's name."""
    if action in workflow.actions:
        return tr(workflow.actions[action].label, current_language())
    fixed = {"terbit": gettext("Terbit"), "catatan internal": gettext("Catatan internal")}
    if action in fixed:
        return fixed[action]
    for prefix, kind in PREFIXED.items():
        if action.startswith(prefix):
            return prefixed_label(kind, action[len(prefix):], names)
    return action


def prefixed_label(kind: str, rest: str, names: dict[str, str]) -> str:
    """An upload, a verdict or an assignment in words."""
    if kind == "upload":
        return gettext("Unggah %(name)s", name=names.get(rest, rest))
    if kind == "verdict":
        code, _sep, verdict = rest.partition(": ")
        verdicts = {"diterima": gettext("diterima"), "ditolak": gettext("ditolak")}
        return gettext("%(name)s %(verdict)s", name=names.get(code, code), verdict=verdicts.get(verdict, verdict))
    return gettext("Ditugaskan kepada %(name)s", name=rest)


def trail_lines(trail: list, workflow: Workflow, items: list[dict], actors: dict[str, str]) -> list[dict]:
    """The audit trail of a case as lines to show: when, who, what, the state reached, the note, the hash."""
    names = {item["kode"]: in_language(item, "nama", current_language()) for item in items}
    states = {name: tr(state.label, current_language()) for name, state in workflow.states.items()}
    return [{"seq": entry.seq, "at": entry.at, "actor": actors.get(entry.actor, entry.actor),
             "action": action_label(entry.action, workflow, names),
             "state": states.get(entry.to_status, entry.to_status) if entry.to_status != entry.from_status else None,
             "note": entry.note, "hash": entry.hash[:12]} for entry in trail]
