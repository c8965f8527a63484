"""Password hashing: production keeps the strong Argon2id parameters; only apps made for tests hash cheaply."""
from __future__ import annotations

from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import Flask

from forms.identity.passwords import (
    HASHER,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_production_parameters_are_the_strong_ones():
    assert HASHER.time_cost >= 3 and HASHER.memory_cost >= 64 * 1024 and HASHER.parallelism >= 4
    assert (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost, RFC_9106_LOW_MEMORY.memory_cost, RFC_9106_LOW_MEMORY.parallelism)


def test_an_app_not_testing_hashes_with_the_production_parameters():
    app = Flask(__name__)
    app.config["TESTING"] = False
    with app.app_context():
        stored = hash_password("Rahasia#2026")
        assert not needs_rehash(stored)
    parameters = extract_parameters(stored)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)


def test_outside_any_app_the_production_parameters_apply():
    assert extract_parameters(hash_password("Rahasia#2026")).memory_cost == HASHER.memory_cost


def test_a_testing_app_hashes_cheaply_and_verifies_either_kind(app):
    strong = HASHER.hash("Rahasia#2026")
    with app.app_context():
        cheap = hash_password("Rahasia#2026")
        assert extract_parameters(cheap).memory_cost < HASHER.memory_cost
        assert verify_password(cheap, "Rahasia#2026") and verify_password(strong, "Rahasia#2026")
        assert not verify_password(cheap, "Salah#2026")
