"""A posted step page as the wizard reads it, and the same post with one repeat-group row taken out."""
from __future__ import annotations


class RequestInput:
    """The wizard's view of a request: form values and uploaded files."""

    def __init__(self, form, files):
        self.form, self.files = form, files

    def get(self, name):
        return self.form.get(name)

    def getlist(self, name):
        return self.form.getlist(name)

    def file(self, name):
        return self.files.get(name)


class WithoutRow(RequestInput):
    """A request input with one row of a repeat group taken out (the rows after it move up)."""

    def __init__(self, inner: RequestInput, group: str, index: int):
        super().__init__(inner.form, inner.files)
        self.group, self.index = group, index

    def shifted(self, name: str) -> str:
        parts = name.split("-", 2)
        if name == f"{self.group}-count" or len(parts) != 3 or parts[0] != self.group or not parts[1].isdigit():
            return name
        row = int(parts[1])
        return f"{self.group}-{row + 1}-{parts[2]}" if row >= self.index else name

    def get(self, name):
        if name == f"{self.group}-count":
            return str(max(0, int(self.form.get(name) or 0) - 1))
        return self.form.get(self.shifted(name))

    def getlist(self, name):
        return self.form.getlist(self.shifted(name))

    def file(self, name):
        return self.files.get(self.shifted(name))
