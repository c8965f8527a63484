"""Loket: a schema-driven form server for a licensing office."""
from forms.app import create_app

__all__ = ["create_app"]
