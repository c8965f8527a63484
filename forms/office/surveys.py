"""The satisfaction survey: who has answered it, and the satisfaction index per period.

The method is PermenPAN-RB 14/2017's: per element, NRR = sum of the answers / respondents who
answered it; the index = mean of the element NRRs (weight exactly 1/9 for 9 elements) × the
conversion factor (25). Sums stay exact fractions and only the result is rounded, to 2 decimals,
half up. The grade is read from that rounded value because the regulation's bands are themselves
given to 2 decimals (B ends at 88.30, A starts at 88.31): an unrounded 88.305 would fall in no band.
Periods are calendar semesters by default (the service standard reports every semester) of the
office's own days: a survey sent at 23:30 WIB on 30 June belongs to the first semester.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import current_app, g, request

from forms import store
from forms.catalog.runtime import office_clock, schemas
from forms.engine.text import format_date_id, tr
from forms.office.publicinfo import Element, Grade, SurveySettings, public_info

ROMAN = {1: "I", 2: "II"}
AFTER_SURVEY = "after_survey"  # session key: the download the survey was asked before, linked from its thank-you page
YEARS = range(2000, 2101)  # periods outside are refused: nothing to report, and no date arithmetic overflow


@dataclass(frozen=True)
class Period:
    """A date range, both ends included; `semester` is 1 or 2 for a calendar half-year."""

    start: date
    end: date
    semester: int | None = None

    @property
    def key(self) -> str:
        """'2026-1' for a semester, '2026-01-01_2026-03-31' for another range."""
        return f"{self.start.year}-{self.semester}" if self.semester else f"{self.start}_{self.end}"

    def label(self, lang: str = "id") -> str:
        """'Semester I 2026' or '1 Januari 2026 – 31 Maret 2026'."""
        if self.semester:
            return f"Semester {ROMAN[self.semester]} {self.start.year}"
        return f"{format_date_id(self.start.isoformat(), lang)} – {format_date_id(self.end.isoformat(), lang)}"

    def bounds(self) -> tuple[datetime, datetime]:
        """[office midnight of start, office midnight after end) as stored (UTC) times, for a store query."""
        clock = office_clock()
        return clock.day_start(self.start), clock.day_start(self.end + timedelta(days=1))


@dataclass
class ElementScore:
    """One element's result: respondents who answered, the sum, NRR and its converted value."""

    element: Element
    respondents: int = 0
    total: int = 0
    nrr: Fraction | None = None
    converted: Decimal | None = None
    grade: Grade | None = None


@dataclass
class Report:
    """The index of one period."""

    period: Period
    respondents: int
    elements: list[ElementScore]
    mean_nrr: Fraction | None = None
    ikm: Decimal | None = None
    grade: Grade | None = None
    responses: list[dict] = field(default_factory=list, repr=False)
    population: int | None = None  # services delivered in the period (documents issued)
    minimum_sample: int | None = None  # the least respondents that represent it (Krejcie and Morgan)


def settings() -> SurveySettings:
    """The survey settings of the running app."""
    return public_info().survey


def semester_of(day: date) -> Period:
    """The calendar semester a day falls in."""
    if day.month <= 6:
        return Period(date(day.year, 1, 1), date(day.year, 6, 30), 1)
    return Period(date(day.year, 7, 1), date(day.year, 12, 31), 2)


def parse_semester(key: str) -> Period | None:
    """'2026-1' → the first semester of 2026; None for anything else."""
    year, _dash, half = key.partition("-")
    if not (year.isdigit() and int(year) in YEARS and half in ("1", "2")):
        return None
    return semester_of(date(int(year), 1 if half == "1" else 7, 1))


def semesters_until(period: Period, count: int) -> list[Period]:
    """`count` semesters ending with the one `period` ends in, oldest first."""
    periods = [semester_of(period.end)]
    while len(periods) < count:
        periods.insert(0, semester_of(periods[0].start - timedelta(days=1)))
    return periods


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """An exact value rounded half up to `places` decimals (88.305 → 88.31), without float error."""
    scaled = math.floor(value * 10 ** places + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


def grade_of(value: Decimal | None, grades: Iterable[Grade]) -> Grade | None:
    """The band a rounded index falls in (bands listed from the highest lower bound)."""
    if value is None:
        return None
    return next((grade for grade in grades if value >= grade.lower), None)


def flat_answers(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Answers keyed by step → one mapping by field (names are unique in a form)."""
    return {name: value for step in answers.values() for name, value in step.items()}


def score(responses: list[Mapping[str, Any]], config: SurveySettings) -> tuple[list[ElementScore], Fraction | None]:
    """Element scores and the exact mean of their NRRs, from a list of flat responses (pure)."""
    scores = [ElementScore(element) for element in config.elements]
    for response in responses:
        for item in scores:
            value = str(response.get(item.element.field) or "")
            if value.isdigit():
                item.respondents += 1
                item.total += int(value)
    answered = [item for item in scores if item.respondents]
    for item in answered:
        item.nrr = Fraction(item.total, item.respondents)
        item.converted = round_half_up(item.nrr * config.conversion)
        item.grade = grade_of(item.converted, config.grades)
    if not answered:
        return scores, None
    return scores, sum((item.nrr for item in answered), Fraction(0)) / len(answered)


def index_of(mean_nrr: Fraction | None, config: SurveySettings) -> Decimal | None:
    """The index on the 25–100 scale, rounded once at the end (2 decimals, half up)."""
    return None if mean_nrr is None else round_half_up(mean_nrr * config.conversion)


def responses_between(start: datetime, end: datetime, config: SurveySettings) -> list[dict]:
    """Flat answers of the surveys sent in [start, end), with `_at` (sent time) and `_number`."""
    return [{**flat_answers(item.answers), "_at": item.submitted_at, "_number": item.number}
            for item in store.sent_between(config.form, start, end)]


def build_report(period: Period, responses: list[dict] | None = None) -> Report:
    """The index of a period (responses read from the store unless given)."""
    config = settings()
    if responses is None:
        responses = responses_between(*period.bounds(), config)
    scores, mean_nrr = score(responses, config)
    ikm = index_of(mean_nrr, config)
    population = store.documents_issued_between(*period.bounds())
    return Report(period=period, respondents=len(responses), elements=scores, mean_nrr=mean_nrr, ikm=ikm,
                  grade=grade_of(ikm, config.grades), responses=responses, population=population,
                  minimum_sample=krejcie_morgan(population))


def krejcie_morgan(population: int) -> int:
    """The least sample of a population by Krejcie and Morgan (1970), as PermenPAN-RB 14/2017 uses it:
    s = X²·N·P(1−P) / (d²(N−1) + X²·P(1−P)) with X² = 3.841, P = 0.5, d = 0.05, rounded half up as their table
    is (100 → 80, 500 → 217, 1,000 → 278)."""
    if population <= 0:
        return 0
    chi, share, error = Fraction(3841, 1000), Fraction(1, 2), Fraction(5, 100)
    sample = chi * population * share * (1 - share) / (error ** 2 * (population - 1) + chi * share * (1 - share))
    return math.floor(sample + Fraction(1, 2))


def trend(period: Period) -> list[Report]:
    """Reports of the semesters up to the one `period` ends in, from one query, oldest first."""
    periods = semesters_until(period, settings().trend_periods)
    responses = responses_between(periods[0].bounds()[0], periods[-1].bounds()[1], settings())
    reports = []
    for each in periods:
        start, end = each.bounds()
        reports.append(build_report(each, [r for r in responses if start <= r["_at"] < end]))
    return reports


def scale_max() -> int:
    """The highest answer value of the scored elements (4 in the regulation's questionnaire)."""
    fields = schemas().get(settings().form).fields
    return max(int(option.value) for element in settings().elements for option in fields[element.field].options)


def profile(report: Report, lang: str = "id") -> list[tuple[str, list[tuple[str, int | None, Decimal | None]]]]:
    """Respondents by each profile field: (field label, [(option label, count, percent)]); nothing for a period of
    fewer respondents than the minimum group, and a group smaller than it shows None (its people could be recognised)."""
    if report.respondents < settings().profile_min_group:
        return []
    form = schemas().get(settings().form)
    return [(tr(form.fields[name].label, lang), profile_rows(report, form.fields[name], lang)) for name in settings().profile]


def profile_rows(report: Report, field_def: Any, lang: str) -> list[tuple[str, int | None, Decimal | None]]:
    """One profile field's options with their counts and percentages, small groups withheld."""
    counts = {option.value: 0 for option in field_def.options}
    for response in report.responses:
        value = str(response.get(field_def.name) or "")
        if value in counts:
            counts[value] += 1
    rows = []
    for option in field_def.options:
        count = counts[option.value]
        if 0 < count < settings().profile_min_group:
            rows.append((tr(option.label, lang), None, None))
        else:
            rows.append((tr(option.label, lang), count, round_half_up(Fraction(count * 100, report.respondents), 1)))
    return rows


def survey_done(owner: str | None, since: datetime | None = None) -> bool:
    """Whether this owner ('account:…') has sent the survey (at or after `since`, if given)."""
    if not owner:
        return False
    return store.has_sent(settings().form, owner, since)


def survey_required(owner: str | None, since: datetime | None = None) -> bool:
    """Whether downloads of issued documents must wait for this owner's survey (SKM_REQUIRED_FOR_DOWNLOAD)."""
    return bool(current_app.config["SKM_REQUIRED_FOR_DOWNLOAD"]) and not survey_done(owner, since)


def survey_prompt() -> bool:
    """Whether to ask the signed-in applicant on their home page: a document was issued, no survey yet."""
    account = g.get("account")
    if account is None or request.endpoint != "account.home":
        return False
    owner = f"account:{account.id}"
    return store.has_issued_document(owner) and not survey_done(owner)
