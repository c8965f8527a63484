"""The workflow table on a tiny workflow (tests/fixtures/workflows/surat-uji.json), without Flask or a database:
who may fire what from where, the second approval level, status codes, versions, and start-up problems."""
from __future__ import annotations

import copy
import json

import pytest

from forms.engine.workflow import Workflow, build_workflows, latest_workflows
from forms.errors import SchemaError
from tests.helpers import FIXTURES, ROOT

WHERE = "fixtures/workflows/surat-uji.json"
RAW = json.loads((FIXTURES / "workflows" / "surat-uji.json").read_text(encoding="utf-8"))


def built(*changes, where: str = WHERE) -> Workflow:
    """The fixture workflow, after applying each change (a function of its raw definition)."""
    raw = copy.deepcopy(RAW)
    for change in changes:
        change(raw)
    return build_workflows(ROOT / "schemas", [(where, raw)])["surat_uji"][raw["version"]]


def problems_of(*items) -> list[str]:
    """What start-up says about these (where, definition) items."""
    with pytest.raises(SchemaError) as raised:
        build_workflows(ROOT / "schemas", items)
    return raised.value.problems


def names(actions) -> list[str]:
    return [action.name for action in actions]


def fire(workflow: Workflow, status: str, action: str, roles: tuple[str, ...]) -> str:
    """The status after someone with these roles fires an action; it must be one they may fire."""
    assert action in names(workflow.available(status, roles)), (status, action, roles)
    return workflow.actions[action].target


def second_level(raw: dict) -> None:
    raw["second_level"] = True


@pytest.mark.parametrize("status, roles, expected", [
    ("diajukan", ("verifikator",), ["minta_perbaikan", "setujui", "tolak"]),
    ("diajukan", ("kepala",), ["tolak"]),
    ("diajukan", ("pemohon",), []),
    ("diajukan", ("sistem",), ["setujui_otomatis"]),
    ("perlu_perbaikan", ("pemohon",), ["ajukan_lagi"]),
    ("perlu_perbaikan", ("verifikator", "kepala"), []),
    ("terbit", ("verifikator", "kepala", "admin", "sistem"), []),
])
def test_each_role_sees_only_the_actions_it_may_fire(status, roles, expected):
    assert names(built().available(status, roles)) == expected


def test_the_second_level_switch_puts_the_head_between_verifier_and_issuance():
    workflow = built(second_level)
    assert names(workflow.available("diajukan", ("verifikator",))) == ["minta_perbaikan", "rekomendasikan", "tolak"]
    assert names(workflow.available("menunggu_kepala", ("kepala",))) == ["setujui_kepala", "tolak"]
    assert names(workflow.available("menunggu_kepala", ("verifikator",))) == ["tolak"]  # refuse, never approve


def test_a_correction_round_then_approval_walks_the_table_to_a_final_state():
    workflow = built()
    status = workflow.initial
    status = fire(workflow, status, "minta_perbaikan", ("verifikator",))
    assert workflow.states[status].pause_sla and workflow.states[status].turn == "pemohon"
    status = fire(workflow, status, "ajukan_lagi", ("pemohon",))
    status = fire(workflow, status, "setujui", ("verifikator",))
    assert status == "terbit" and workflow.states[status].final and workflow.states[status].public_status == "berlaku"


def test_with_two_levels_the_head_approves_or_refuses():
    workflow = built(second_level)
    waiting = fire(workflow, workflow.initial, "rekomendasikan", ("verifikator",))
    assert fire(workflow, waiting, "setujui_kepala", ("kepala",)) == "terbit"
    assert fire(workflow, waiting, "tolak", ("kepala",)) == "ditolak"


def test_a_deemed_approval_is_fired_by_the_system_with_its_own_status_code():
    workflow = built()
    state = workflow.states[workflow.initial]
    action = workflow.actions[state.deemed_approval]
    assert state.sla_days == 3 and action.roles == ("sistem",)
    assert workflow.pia_of(fire(workflow, "diajukan", action.name, ("sistem",)), action) == "57"
    assert workflow.pia_of("diajukan") == "09" and workflow.pia_of("terbit", workflow.actions["setujui"]) == "45"


def test_every_version_is_kept_and_the_newest_is_the_latest():
    newer = copy.deepcopy(RAW)
    newer["version"] = 2
    newer["states"]["diajukan"]["sla_days"] = 5
    versions = build_workflows(ROOT / "schemas", [(WHERE, RAW), ("fixtures/workflows/surat-uji@2.json", newer)])
    assert sorted(versions["surat_uji"]) == [1, 2]
    assert latest_workflows(versions)["surat_uji"].states["diajukan"].sla_days == 5
    assert versions["surat_uji"][1].states["diajukan"].sla_days == 3


def test_a_broken_workflow_is_refused_with_every_problem_named():
    raw = copy.deepcopy(RAW)
    raw["initial"] = "baru"
    raw["actions"]["setujui"]["to"] = "selesai"
    raw["actions"]["ajukan_lagi"]["from"] = ["perlu_perbaikan", "dibatalkan"]
    raw["actions"]["setujui_otomatis"]["roles"] = ["kepala"]
    assert problems_of((WHERE, raw)) == [
        f"{WHERE}: initial state 'baru' is not declared",
        f"{WHERE}: action 'ajukan_lagi': from undeclared state 'dibatalkan'",
        f"{WHERE}: action 'setujui': transition to undeclared state 'selesai'",
        f"{WHERE}: state 'diajukan': deemed_approval 'setujui_otomatis' is not a system action",
    ]


def test_a_workflow_that_breaks_the_meta_schema_names_the_place():
    raw = copy.deepcopy(RAW)
    del raw["actions"]["tolak"]["roles"]
    [problem] = problems_of((WHERE, raw))
    assert problem.startswith(f"{WHERE}: actions/tolak") and "'roles' is a required property" in problem


def test_one_kind_has_one_workflow_and_each_version_once():
    other = copy.deepcopy(RAW)
    other["id"] = "surat-lain"
    assert problems_of((WHERE, RAW), ("lain.json", other)) == ["lain.json: a second workflow for 'surat_uji'"]
    assert problems_of((WHERE, RAW), ("lagi.json", RAW)) == [
        "lagi.json: a second definition of workflow 'surat-uji' version 1"]
