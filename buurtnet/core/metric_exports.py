"""The liveability figures as a file that leaves the instance: JSON or CSV, for some
neighbourhoods over a range of months or weeks (docs/liveability.md, "Partners"; shared
METRICS.md sections 3 to 5). The partners' API, the dashboard's download and the command line
all export through `export`, so the rules below hold for each alike:

- every figure comes through `metric_figures` (the threshold, counts of people rounded to fives,
  shares from the rounded counts): a hidden figure is empty, with `suppressed` true;
- only published periods (`metric_periods.is_published`: a whole day after their end), whose
  figures no longer change: nobody can watch a figure move as one neighbour acts, and two
  exports made at different times hold the same value in a cell;
- survey results through `surveys.results` (never the exact number of respondents, never the
  open answers), of the surveys that closed within the range;
- every export is an entry in the audit log, saying who, what and in which format.

`gather` builds the JSON document; `to_csv` writes the same content as rows, so both formats
always hold the same figures.
"""

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import disclosure, local_times, metric_figures, metric_periods, surveys
from buurtnet.core.export_requests import ExportFormat, Range
from buurtnet.core.metric_figures import Audience
from buurtnet.core.survey_scores import Estimate
from buurtnet.models import (
    Account,
    ActionKind,
    Neighbourhood,
    PartnerToken,
    PeriodKind,
    SurveyPeriod,
    utcnow,
)
from buurtnet.moderation import audit

SURVEY = "survey"  # the `period` and `dimension` of the survey's rows in a CSV
CSV_COLUMNS = (
    "neighbourhood",
    "period",
    "starts_on",
    "ends_on",
    "indicator",
    "dimension",
    "value",
    "suppressed",
)
# The survey's figures, as (JSON key, CSV indicator).
SURVEY_ESTIMATES = (
    ("cohesion", "survey_cohesion"),
    ("liveability_mark", "survey_liveability_mark"),
    ("at_home_mark", "survey_at_home_mark"),
)
RULES = (
    "Figures that rest on fewer than {k} people are empty with suppressed true, counts of people "
    "are rounded down to multiples of 5 (10 stands for 10 to 14) and shares and rates are worked "
    "out from those rounded counts, only periods that are over are included, survey results come "
    "only from surveys that closed with at least {k} respondents, and {care} the survey's open "
    "answers are never exported."
)
CARE = {
    Audience.DIRECTOR: "care signals are for the neighbourhood's director only, and",
    Audience.PARTNER: "care signals and",
    Audience.PUBLIC: "care signals and",
}

Row = dict[str, object]


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Exporter:
    """Who takes the figures out, as the audit log names them."""

    account: Account | None
    name: str


COMMAND_LINE = Exporter(None, "the command line")


def by_partner(token: PartnerToken) -> Exporter:
    return Exporter(None, f"partner {token.partner!r} (token {token.id})")


def by_account(account: Account, where: str) -> Exporter:
    return Exporter(account, f"{account.handle} ({where})")


@dataclass(frozen=True)
class Context:
    """What an export needs to know of the instance and the moment."""

    instance_name: str
    instance_url: str
    k: int  # the disclosure threshold
    today: date  # on the instance's calendar
    now: datetime


def context_now(instance_name: str, instance_url: str, k: int, zone: ZoneInfo) -> Context:
    """The context of an export made now, with the threshold actually applied."""
    now = utcnow()
    today = local_times.local_day(now, zone)
    return Context(instance_name, instance_url, disclosure.threshold(k), today, now)


@dataclass(frozen=True)
class ExportFile:
    content: str
    media_type: str
    filename: str


async def export(
    session: AsyncSession,
    places: Sequence[Neighbourhood],
    wanted: Range,
    file_format: ExportFormat,
    audience: Audience,
    exporter: Exporter,
    context: Context,
) -> ExportFile:
    """The figures of these neighbourhoods as a file, with an audit entry for each
    neighbourhood. The caller has checked that the exporter may have them."""
    data = await gather(session, places, wanted, audience, context)
    if file_format == ExportFormat.JSON:
        content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        content = to_csv(data)
    what = (
        f"{', '.join(place.slug for place in places)}: {wanted.period} "
        f"{wanted.first.isoformat()} to {wanted.last.isoformat()}, as {file_format}"
    )
    for place in places:
        await audit.record(
            session,
            ActionKind.EXPORT,
            exporter.account,
            neighbourhood_id=place.id,
            reason=f"figures of {what}, by {exporter.name}",
        )
    return ExportFile(content, MEDIA_TYPES[file_format], filename(places, wanted, file_format))


async def gather(
    session: AsyncSession,
    places: Sequence[Neighbourhood],
    wanted: Range,
    audience: Audience,
    context: Context,
) -> dict[str, object]:
    """The export as a JSON document: what it is, the rules it follows, the neighbourhoods,
    their figures and their survey results."""
    slugs = {place.id: place.slug for place in places}
    ids = [place.id for place in places if place.id is not None]
    # Only published periods: their figures no longer change.
    published = metric_periods.last_published_start(context.today, wanted.period)
    found = await metric_figures.read_figures(
        session,
        ids,
        wanted.period,
        wanted.first,
        min(wanted.last, published),
        context.k,
        audience,
    )
    figures = [_figure_row(row, slugs) for row in metric_figures.as_rows(found)]
    return {
        "instance": {"name": context.instance_name, "url": context.instance_url},
        "generated_at": context.now.isoformat(timespec="seconds"),
        "threshold": context.k,
        "rules": RULES.format(k=context.k, care=CARE[audience]),
        "period": wanted.period.value,
        "from": wanted.first.isoformat(),
        "to": wanted.last.isoformat(),
        "neighbourhoods": [
            {"slug": place.slug, "name": place.name, "cbs_code": place.cbs_code} for place in places
        ],
        "figures": figures,
        "surveys": await _surveys(session, slugs, wanted, context),
    }


def to_csv(data: dict[str, object]) -> str:
    """The document of `gather` as CSV: one row per neighbourhood, period and indicator, and a
    row per survey figure; a hidden value is empty with `suppressed` true."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in _list(data["figures"]):
        writer.writerow(_csv_cells(row))
    for survey in _list(data["surveys"]):
        for row in survey_rows(survey):
            writer.writerow(_csv_cells(row))
    return out.getvalue()


def survey_rows(survey: Row) -> list[Row]:
    """A survey's results as export rows: respondents, and each score with its interval."""
    common: Row = {
        "neighbourhood": survey["neighbourhood"],
        "period": SURVEY,
        "starts_on": survey["opens_on"],
        "ends_on": survey["closes_on"],
        "dimension": SURVEY,
    }
    respondents = _dict(survey["respondents"])
    rows: list[Row] = [{**common, "indicator": "survey_respondents", **respondents}]
    for key, indicator in SURVEY_ESTIMATES:
        estimate = _dict(survey[key])
        suppressed = estimate["suppressed"]
        for suffix, part in (("", "value"), ("_low", "low"), ("_high", "high")):
            value = estimate[part]
            rows.append(
                {
                    **common,
                    "indicator": indicator + suffix,
                    "value": value,
                    "suppressed": suppressed,
                }
            )
    return rows


def filename(places: Sequence[Neighbourhood], wanted: Range, file_format: ExportFormat) -> str:
    """`buurtnet-vogelwijk-month-2026-01-2026-03.csv`: slugs are safe in a file name."""
    who = places[0].slug if len(places) == 1 else "neighbourhoods"
    span = f"{wanted.first:%Y-%m}-{wanted.last:%Y-%m}"
    return f"buurtnet-{who}-{wanted.period}-{span}.{file_format}"


async def _surveys(
    session: AsyncSession, slugs: dict[int | None, str], wanted: Range, context: Context
) -> list[Row]:
    """The results of the surveys that closed within the range (and before today: results come
    only once a survey has closed), by neighbourhood and date."""
    query = (
        select(SurveyPeriod)
        .where(
            col(SurveyPeriod.neighbourhood_id).in_([key for key in slugs if key is not None]),
            col(SurveyPeriod.closes_on) >= wanted.first,
            col(SurveyPeriod.closes_on) <= wanted.last,
            col(SurveyPeriod.closes_on) < context.today,
        )
        .order_by(col(SurveyPeriod.neighbourhood_id), col(SurveyPeriod.closes_on))
    )
    entries: list[Row] = []
    for period in (await session.exec(query)).all():
        assert period.id is not None
        results = await surveys.results(session, period.id, context.today, context.k)
        entries.append(
            {
                "neighbourhood": slugs[period.neighbourhood_id],
                "opens_on": period.opens_on.isoformat(),
                "closes_on": period.closes_on.isoformat(),
                "respondents": {
                    "value": results.respondents,
                    "suppressed": results.respondents is None,
                },
                "cohesion": _estimate(results.cohesion),
                "liveability_mark": _estimate(results.liveability),
                "at_home_mark": _estimate(results.at_home),
            }
        )
    return entries


def _figure_row(row: Row, slugs: dict[int | None, str]) -> Row:
    """A row of `metric_figures.as_rows` with the neighbourhood's slug instead of its id (ids
    are ours, slugs are what partners know), the period's last day, and whole numbers whole."""
    neighbourhood_id = row["neighbourhood_id"]
    assert isinstance(neighbourhood_id, int)
    starts_on = date.fromisoformat(str(row["starts_on"]))
    return {
        "neighbourhood": slugs[neighbourhood_id],
        "period": row["period"],
        "starts_on": row["starts_on"],
        "ends_on": metric_periods.last_day(starts_on, PeriodKind(str(row["period"]))).isoformat(),
        "indicator": row["indicator"],
        "dimension": row["dimension"],
        "value": _number(row["value"]),
        "suppressed": row["suppressed"],
    }


def _estimate(estimate: Estimate | None) -> Row:
    """A published score with its interval; never its exact number of residents."""
    if estimate is None:
        return {"value": None, "low": None, "high": None, "suppressed": True}
    return {
        "value": round(estimate.mean, 1),
        "low": None if estimate.low is None else round(estimate.low, 1),
        "high": None if estimate.high is None else round(estimate.high, 1),
        "suppressed": False,
    }


def _csv_cells(row: Row) -> dict[str, object]:
    value = row["value"]
    return {
        **row,
        "value": "" if value is None else value,
        "suppressed": "true" if row["suppressed"] else "false",
    }


def _number(value: object) -> object:
    """15.0 as 15: counts read as whole numbers in JSON and CSV alike."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _list(value: object) -> list[Row]:
    assert isinstance(value, list)
    return value


def _dict(value: object) -> Row:
    assert isinstance(value, dict)
    return value
