"""What the store raises instead of the database's own exceptions, so callers never import a driver.

Every operation is wrapped in `translate_errors`; callers turn these errors into domain errors in
their own words (e.g. "this NIK is already registered").
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from mongoengine.errors import (
    DoesNotExist,
    NotUniqueError,
    OperationError,
    ValidationError,
)
from pymongo.errors import DuplicateKeyError, PyMongoError

P = ParamSpec("P")
R = TypeVar("R")


class StoreError(Exception):
    """The database failed or refused an operation (unreachable, a record gone, a value rejected)."""


class Duplicate(StoreError):
    """A value that must be unique (a username, a NIK, a phone number) is already stored."""


def translate_errors(operation: Callable[P, R]) -> Callable[P, R]:
    """Decorate a store operation so the database's exceptions surface as Duplicate or StoreError."""

    @wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except (NotUniqueError, DuplicateKeyError) as error:
            raise Duplicate(str(error)) from error
        except (PyMongoError, OperationError, DoesNotExist, ValidationError) as error:
            raise StoreError(str(error)) from error

    return run
