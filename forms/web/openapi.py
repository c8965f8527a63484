"""The OpenAPI 3 description of /api/v1, served at /api/openapi.json.

Written by hand next to the code it describes, and held to it by a test that runs schemathesis
against the app (every operation, generated input: no server error, every answer matches its
declared status code, content type and schema).
"""
from __future__ import annotations

from typing import Any

JSON = "application/json"
ERROR_TEXT = {400: "Badan permintaan bukan objek JSON", 401: "Tanpa token, atau token tidak dikenal",
              403: "Token tidak berhak", 404: "Tidak ditemukan (atau bukan milik pemilik token)",
              409: "Bertabrakan dengan keadaan sekarang (versi lama, sudah dikirim, urutan langkah)",
              413: "Kiriman terlalu besar", 422: "Isian tidak valid; `fields` memuat pesan per isian",
              429: "Terlalu banyak permintaan"}


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: tuple[str, ...] = (), **extra: Any) -> dict:
    """An object schema."""
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def text(nullable: bool = False, **extra: Any) -> dict:
    return {"type": "string", **({"nullable": True} if nullable else {}), **extra}


def integer(**extra: Any) -> dict:
    return {"type": "integer", **extra}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def free(nullable: bool = False) -> dict:
    """An object whose members are data (answers, derived values, reference rows)."""
    return {"type": "object", "additionalProperties": True, **({"nullable": True} if nullable else {})}


def items_of(schema: dict) -> dict:
    return obj({"items": array(schema)}, ("items",))


LABEL = {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}],
         "nullable": True, "description": "A text, or texts by language code ({\"id\": …, \"en\": …})"}

SCHEMAS: dict[str, dict] = {
    "Error": obj({"error": text(), "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                  "next_step": text(nullable=True), "current_version": integer(), "survey_form": text()},
                 ("error", "fields")),
    "Me": obj({"id": text(), "username": text(), "name": text(), "roles": array(text())},
              ("id", "username", "name", "roles")),
    "FormSummary": obj({"id": text(), "version": integer(), "title": LABEL, "description": LABEL,
                        "access": text(enum=["public", "account"])}, ("id", "version", "title", "access")),
    "FormDefinition": {"allOf": [ref("FormSummary"), obj(
        {"roles": array(text()), "steps": array(free()), "derived": array(text())}, ("roles", "steps", "derived"))]},
    "ReferenceTable": obj({"id": text()}, ("id",)),
    "ReferenceItem": obj({"key": text(), "label": text()}, ("key", "label")),
    "ReferenceRow": obj({"key": text(), "label": text(), "row": free()}, ("key", "label", "row")),
    "SubmissionSummary": obj({"id": text(), "form_id": text(), "status": text(), "status_label": text(),
                              "number": text(nullable=True), "version": integer(),
                              "updated_at": text(nullable=True, format="date-time")},
                             ("id", "form_id", "status", "version")),
    "Submission": obj({
        "id": text(), "form_id": text(), "form_version": integer(), "status": text(), "status_label": text(),
        "number": text(nullable=True), "version": integer(),
        "created_at": text(nullable=True, format="date-time"), "updated_at": text(nullable=True, format="date-time"),
        "submitted_at": text(nullable=True, format="date-time"),
        "answers": {"type": "object", "additionalProperties": free(), "description": "Answers by step, then field"},
        "derived": free(),
        "steps": array(obj({"name": text(), "title": text(), "state": text(enum=["selesai", "terbuka", "terkunci"])},
                           ("name", "title", "state"))),
        "next_step": text(nullable=True), "ready_to_submit": {"type": "boolean"},
        "owner_number": obj({"label": text(), "number": text()}, ("label", "number"), nullable=True),
        "documents": array(obj({"id": text(), "number": text(), "kind": text(), "key": text(nullable=True),
                                "status": text(), "status_label": text()}, ("id", "number", "kind", "status"))),
        "history": array(obj({"at": text(nullable=True), "action": text(nullable=True), "from": text(nullable=True),
                              "to": text(nullable=True), "note": text()})),
        "cleared": array(text()), "warnings": array(text()),
    }, ("id", "form_id", "form_version", "status", "version", "answers", "derived", "steps", "next_step",
        "documents", "history")),
    "NewSubmission": obj({"form_id": text(minLength=1)}, ("form_id",)),
    "StepInput": obj({
        "values": {"type": "object", "additionalProperties": True,
                   "description": "By field name: text and numbers as scalars, checkboxes as a list, a declaration "
                                  "as true, a repeat group as a list of row objects, a file as "
                                  "{\"filename\": …, \"content_base64\": …}"},
        "version": integer(description="The version read; a newer one on the server gives 409"),
        "draft": {"type": "boolean", "default": False, "description": "Save without the required checks"},
    }),
    "SubmitInput": obj({"version": integer()}),
    "DocumentSummary": obj({
        "id": text(), "number": text(), "kind": text(), "kind_title": text(), "key": text(nullable=True),
        "title": text(), "status": text(), "status_label": text(), "code": text(nullable=True),
        "turn": text(nullable=True), "version": integer(), "issued_at": text(nullable=True, format="date-time"),
        "updated_at": text(nullable=True, format="date-time")}, ("id", "number", "kind", "status", "version")),
    "Document": {"allOf": [ref("DocumentSummary"), obj({
        "submission_id": text(), "data": free(), "assigned_name": text(nullable=True), "sla": free(nullable=True),
        "requirements": array(obj({
            "code": text(), "name": text(nullable=True), "required": {"type": "boolean"}, "accepts": array(text()),
            "upload": obj({"name": text(), "size": integer(), "content_type": text(), "sha256": text(),
                           "uploaded_at": text(nullable=True), "url": text()}, nullable=True),
            "verdict": text(nullable=True), "reason": text()}, ("code", "required", "upload", "verdict"))),
        "actions": array(obj({"name": text(), "label": text(), "note_required": {"type": "boolean"}},
                             ("name", "label", "note_required"))),
        "history": array(obj({"at": text(nullable=True), "action": text(nullable=True), "from": text(nullable=True),
                              "to": text(nullable=True), "note": text(), "actor": text(nullable=True)})),
        "printout": obj({"version": integer(), "url": text()}, ("version", "url"), nullable=True),
    }, ("submission_id", "data", "requirements", "actions", "history"))]},
    "TransitionInput": obj({"action": text(minLength=1), "note": text(maxLength=1000), "version": integer()},
                           ("action",)),
    "VerdictInput": obj({"verdict": text(enum=["diterima", "ditolak"]), "reason": text(maxLength=500)},
                        ("verdict",)),
    "ClaimInput": obj({"assignee": text(nullable=True, description="An officer's account id; empty: yourself")}),
    "Upload": obj({"file": text(format="binary")}, ("file",)),
    "Verification": obj({
        "number": text(), "version": integer(), "facts": free(), "sha256": text(),
        "state": obj({"name": text(nullable=True), "label": text(), "verified": {"type": "boolean"}},
                     ("name", "label", "verified")),
        "check": obj({"identical": {"type": "boolean"}, "signature_valid": {"type": "boolean"}, "problem": text(),
                      "signed_at": text(nullable=True)}, ("identical", "signature_valid", "problem")),
    }, ("number", "version", "facts", "state", "sha256")),
}


def json_body(schema: str, required: bool = True) -> dict:
    return {"required": required, "content": {JSON: {"schema": ref(schema)}}}


def ok(schema: dict | str, description: str = "OK") -> dict:
    return {"description": description, "content": {JSON: {"schema": ref(schema) if isinstance(schema, str) else schema}}}


def errors(*codes: int) -> dict:
    """Error answers with the shared Error body."""
    return {str(code): {"description": ERROR_TEXT[code], "content": {JSON: {"schema": ref("Error")}}}
            for code in codes}


def path_param(name: str, description: str = "") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def query_param(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def op(summary: str, responses: dict, *, tag: str, params: tuple = (), body: dict | None = None,
       public: bool = False, operation_id: str) -> dict:
    """One operation; `public` ones may be called without a token."""
    operation = {"summary": summary, "operationId": operation_id, "tags": [tag], "responses": responses}
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = body
    if public:
        operation["security"] = [{}, {"bearer": []}]
    return operation


BINARY = {"schema": {"type": "string", "format": "binary"}}
SUBMISSION_ID = path_param("submission_id")
DOCUMENT_ID = path_param("document_id")
CODE = path_param("code", "A requirement's code")
WRITE_ERRORS = (400, 401, 404, 409, 422, 429)


def paths() -> dict:
    """Every operation of /api/v1 (and the document itself)."""
    return {**reading_paths(), **submission_paths(), **document_paths(), **requirement_paths(), **printout_paths()}


def reading_paths() -> dict:
    """The caller, the published forms and the reference tables."""
    return {
        "/api/v1/me": {"get": op("The account the token acts for", {"200": ok("Me"), **errors(401, 429)},
                                 tag="akun", operation_id="me")},
        "/api/v1/forms": {"get": op("Published forms the caller may fill", {"200": ok(items_of(ref("FormSummary"))),
                                                                             **errors(401, 429)},
                                    tag="formulir", public=True, operation_id="listForms")},
        "/api/v1/forms/{form_id}": {"get": op(
            "A form's published definition (steps and fields as in its schema file)",
            {"200": ok("FormDefinition"), **errors(401, 404, 429)}, tag="formulir", public=True,
            params=(path_param("form_id"),), operation_id="getForm")},
        "/api/v1/reference": {"get": op("Reference tables", {"200": ok(items_of(ref("ReferenceTable"))),
                                                             **errors(401, 429)},
                                        tag="referensi", public=True, operation_id="listTables")},
        "/api/v1/reference/{table_id}": {"get": op(
            "Search a reference table by words or key prefix; `column` + `parent` for cascading choices",
            {"200": ok(items_of(ref("ReferenceItem"))), **errors(401, 404, 422, 429)}, tag="referensi", public=True,
            params=(path_param("table_id"), query_param("q", {"type": "string"}),
                    query_param("column", {"type": "string"}), query_param("parent", {"type": "string"}),
                    query_param("limit", {"type": "integer", "minimum": 1, "maximum": 50})),
            operation_id="searchTable")},
        "/api/v1/reference/{table_id}/{key}": {"get": op(
            "One row of a reference table", {"200": ok("ReferenceRow"), **errors(401, 404, 429)}, tag="referensi",
            public=True, params=(path_param("table_id"), path_param("key")), operation_id="getTableRow")},
    }


def submission_paths() -> dict:
    """Drafts and submissions: started, filled step by step, submitted."""
    return {
        "/api/v1/submissions": {
            "get": op("The caller's submissions", {"200": ok(items_of(ref("SubmissionSummary"))), **errors(401, 429)},
                      tag="isian", params=(query_param("form_id", {"type": "string"}),
                                           query_param("status", {"type": "string"})), operation_id="listSubmissions"),
            "post": op("Start a draft on a form's published version",
                       {"201": ok("Submission", "Created"), **errors(400, 401, 422, 429)}, tag="isian",
                       body=json_body("NewSubmission"), operation_id="createSubmission")},
        "/api/v1/submissions/{submission_id}": {"get": op(
            "One submission (officers may read submitted ones)", {"200": ok("Submission"), **errors(401, 404, 429)},
            tag="isian", params=(SUBMISSION_ID,), operation_id="getSubmission")},
        "/api/v1/submissions/{submission_id}/steps/{step_name}": {"put": op(
            "Validate and save one step, as the wizard page does", {"200": ok("Submission"), **errors(*WRITE_ERRORS)},
            tag="isian", params=(SUBMISSION_ID, path_param("step_name")), body=json_body("StepInput"),
            operation_id="fillStep")},
        "/api/v1/submissions/{submission_id}/submit": {"post": op(
            "Submit a complete draft: it is numbered and moves to its submitted status",
            {"200": ok("Submission"), **errors(*WRITE_ERRORS)}, tag="isian", params=(SUBMISSION_ID,),
            body=json_body("SubmitInput", required=False), operation_id="submitSubmission")},
    }


def document_paths() -> dict:
    """Issued documents: listed, read, moved through their workflow, claimed by officers."""
    return {
        "/api/v1/documents": {"get": op(
            "Issued documents: an applicant's own; officers all, by status, words, or assigned to them",
            {"200": ok(items_of(ref("DocumentSummary"))), **errors(401, 429)}, tag="dokumen",
            params=(query_param("status", {"type": "string"}), query_param("q", {"type": "string"}),
                    query_param("mine", {"type": "string", "enum": ["1", "true"]})), operation_id="listDocuments")},
        "/api/v1/documents/{document_id}": {"get": op(
            "One document with its checklist, the caller's possible actions, service time and history",
            {"200": ok("Document"), **errors(401, 404, 429)}, tag="dokumen", params=(DOCUMENT_ID,),
            operation_id="getDocument")},
        "/api/v1/documents/{document_id}/transitions": {"post": op(
            "Fire a workflow action (names in the document's `actions`)",
            {"200": ok("Document"), **errors(400, 401, 403, 404, 409, 422, 429)}, tag="dokumen",
            params=(DOCUMENT_ID,), body=json_body("TransitionInput"), operation_id="transitionDocument")},
        "/api/v1/documents/{document_id}/claim": {"post": op(
            "Officers: take a case, or assign it to another officer",
            {"200": ok("Document"), **errors(400, 401, 403, 404, 409, 422, 429)}, tag="dokumen",
            params=(DOCUMENT_ID,), body=json_body("ClaimInput"), operation_id="claimDocument")},
    }


def requirement_paths() -> dict:
    """A document's requirement files: uploaded, read, judged."""
    return {
        "/api/v1/documents/{document_id}/requirements/{code}": {
            "put": op("Upload or replace a requirement file (multipart field `file`)",
                      {"200": ok("Document"), **errors(401, 403, 404, 409, 413, 422, 429)}, tag="dokumen",
                      params=(DOCUMENT_ID, CODE),
                      body={"required": True, "content": {"multipart/form-data": {"schema": ref("Upload")}}},
                      operation_id="uploadRequirement"),
            "get": op("A requirement file", {"200": {"description": "The file", "content": {
                "application/pdf": BINARY, "image/jpeg": BINARY, "image/png": BINARY}}, **errors(401, 404, 429)},
                tag="dokumen", params=(DOCUMENT_ID, CODE), operation_id="getRequirementFile")},
        "/api/v1/documents/{document_id}/requirements/{code}/verdict": {"post": op(
            "Officers: accept or reject an uploaded requirement", {"200": ok("Document"),
                                                                   **errors(400, 401, 403, 404, 409, 422, 429)},
            tag="dokumen", params=(DOCUMENT_ID, CODE), body=json_body("VerdictInput"), operation_id="judgeRequirement")},
    }


def printout_paths() -> dict:
    """Signed printouts and their public verification."""
    return {
        "/api/v1/printouts/{number}": {"get": op(
            "The signed PDF of a document or owner number (newest, or `version`)",
            {"200": {"description": "The PDF", "content": {"application/pdf": BINARY}}, **errors(401, 403, 404, 422, 429)},
            tag="dokumen", params=(path_param("number"), query_param("version", {"type": "integer", "minimum": 1})),
            operation_id="getPrintout")},
        "/api/v1/verify/{token}": {
            "get": op("Public: what a QR code's token proves", {"200": ok("Verification"), **errors(401, 404, 429)},
                      tag="verifikasi", public=True, params=(path_param("token"),), operation_id="verify"),
            "post": op("Public: check a PDF (multipart field `file`) against the issued version",
                       {"200": ok("Verification"), **errors(401, 404, 413, 422, 429)}, tag="verifikasi", public=True,
                       params=(path_param("token"),),
                       body={"required": True, "content": {"multipart/form-data": {"schema": ref("Upload")}}},
                       operation_id="verifyUpload")},
    }


def openapi_document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Loket API", "version": "1",
                 "description": "Forms, submissions, issued documents and reference tables of Loket. Sign in with a "
                                "personal token (profile page \u2192 Token API) sent as `Authorization: Bearer <token>`. "
                                "Errors are `{\"error\": \u2026, \"fields\": {name: message}}`."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "A personal API token (lkt_\u2026)"}}},
    }
