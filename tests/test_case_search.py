"""Officers find a case by the start of any of its words — number, NIK, name, business — through an index.

A case's words are kept as a list (each word and the letter/digit runs inside it), so a search is a
prefix match on an indexed array: the same query on MongoDB and on the embedded store, no scan.
"""
from __future__ import annotations

import pytest

from forms.store import IssuedDocument, embedded, search_tokens
from forms.store.counters import next_sequence
from forms.store.documents import SEARCH_WORDS_FILLED, fill_search_words, words_query
from tests.helpers import ANSWER, NIK, issued, sent_for_verification


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def inbox(people, words: str) -> str:
    return people["vera"].get("/petugas/", query_string={"q": words}).get_data(as_text=True)


def test_words_and_their_parts_are_kept_in_lower_case():
    assert search_tokens("SS-2026-000123 Siti  Aminah") == ["ss-2026-000123", "ss", "2026", "000123", "siti", "aminah"]
    assert search_tokens("") == []


@pytest.mark.parametrize(("words", "found"), [
    (NIK, True), (NIK[:8], True), ("SITI", True), ("amin", True), ("air minum", True), ("minum air", True),
    ("minah", False), ("bengkel", False), ("siti bengkel", False),
])
def test_a_case_is_found_by_the_start_of_its_words(people, words, found):
    document = sent_for_verification(people["siti"], issued(people["siti"]))
    assert (document.number in inbox(people, words)) is found
    if found:
        assert document.number in inbox(people, document.number[: len(document.number) - 2])


@pytest.mark.parametrize("status", [None, "menunggu_verifikasi"])
def test_a_search_is_answered_by_the_words_index(app, status):
    """Among the case indexes (status and time for the queue's order), the planner picks the words for a search."""
    if app.config["STORE"] == "mongodb":
        pytest.skip("the planner is the embedded store's (the wire server has no explain)")
    query = {**({"status": status} if status else {}), **words_query("air minum")}
    table = embedded(app).server[app.config["MONGODB_DB"]]["issued_documents"]
    assert "search_words" in table.plan_for(query, [("entered_at", 1)]).index


def test_cases_stored_before_search_words_get_them_once(app, people):
    document = sent_for_verification(people["siti"], issued(people["siti"]))
    IssuedDocument.objects(id=document.id).update_one(unset__search_words=True)
    assert document.number not in inbox(people, "siti")
    with app.app_context():
        IssuedDocument._get_db()["counters"].delete_many({"_id": SEARCH_WORDS_FILLED})
        assert fill_search_words() == 1
        assert fill_search_words() == 0  # once per store
        next_sequence("unrelated")
    assert document.number in inbox(people, "siti")
