"""Indonesian identity numbers the field types check: NIK, NPWP and mobile phone numbers.

NIK: 16 digits = province(2) regency(2) district(2) + DDMMYY (day + 40 for women) + serial(4).
NPWP for individuals is the NIK since July 2024; the legacy 15-digit NPWP is still accepted.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from forms.engine.text import gettext

SEPARATORS = re.compile(r"[\s().-]")


class NikBirth(NamedTuple):
    """The birth date part encoded in a NIK."""

    day: int
    month: int
    year2: int
    female: bool


def read_nik_birth(nik: str) -> NikBirth | None:
    """Decode DDMMYY of a 16-digit NIK (women have day + 40); None if it is not a real date."""
    if not re.fullmatch(r"\d{16}", nik or ""):
        return None
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    day -= 40 if female else 0
    if not any(is_real_date(century + year2, month, day) for century in (1900, 2000)):
        return None
    return NikBirth(day, month, year2, female)


def is_real_date(year: int, month: int, day: int) -> bool:
    """Whether the numbers make a calendar date."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def check_nik(nik: str, region_known: Callable[[str], bool] | None) -> str | None:
    """The first problem of a NIK as a message in the request's language, or None when it is well formed."""
    if not re.fullmatch(r"\d{16}", nik):
        return gettext("NIK harus 16 digit angka (terisi %(length)s karakter).", length=len(nik))
    if region_known is not None and not region_known(nik[:6]):
        return gettext("Kode wilayah NIK %(region)s (6 digit pertama) tidak dikenal.", region=nik[:6])
    if read_nik_birth(nik) is None:
        return gettext("Bagian tanggal lahir NIK (digit ke-7 sampai ke-12) bukan tanggal yang valid.")
    if nik[12:] == "0000":
        return gettext("Nomor urut NIK (4 digit terakhir) tidak boleh 0000.")
    return None


def normalise_phone(raw: str) -> str | None:
    """An Indonesian mobile number as +628…, or None if it is not one."""
    digits = SEPARATORS.sub("", raw or "")
    for prefix in ("+62", "62", "0"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    if not re.fullmatch(r"8\d{8,11}", digits):
        return None
    return "+62" + digits


def format_phone(value: str) -> str:
    """+6281234567890 → +62 812-3456-7890."""
    national = value.removeprefix("+62")
    groups = [national[:3], national[3:7], national[7:]]
    return "+62 " + "-".join(group for group in groups if group)


def normalise_npwp(raw: str) -> str | None:
    """NPWP digits: 16 (the NIK) or legacy 15; None otherwise."""
    digits = SEPARATORS.sub("", raw or "")
    return digits if re.fullmatch(r"\d{15}|\d{16}", digits) else None


def format_npwp(value: str) -> str:
    """Legacy 15-digit NPWP as AA.BBB.BBB.C-DDD.EEE; a 16-digit one stays as it is."""
    if len(value) != 15:
        return value
    return f"{value[:2]}.{value[2:5]}.{value[5:8]}.{value[8]}-{value[9:12]}.{value[12:]}"
