"""The resident survey for residents: the form of the survey open in their neighbourhood, the
answer, a thank-you. Rules: `core.surveys` (storage, once per period), `core.survey_periods`.

The questions' texts are msgids here, so that an English page reads English; their Dutch
translations are the CBS wording of `core.survey_scores` word for word (a test holds them to it).
"""

from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import survey_periods, surveys
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.survey_scores import MARK_HIGHEST, MARK_LOWEST, Answer
from buurtnet.db import parse_row_id
from buurtnet.models.surveys import OPEN_TEXT_LENGTH
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.messages import N_, translate_errors
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import gettext_for, render

SURVEY = "/survey"

ANSWER_LABELS = {
    Answer.STRONGLY_AGREE: N_("Strongly agree"),
    Answer.AGREE: N_("Agree"),
    Answer.NEUTRAL: N_("Neither agree nor disagree"),
    Answer.DISAGREE: N_("Disagree"),
    Answer.STRONGLY_DISAGREE: N_("Strongly disagree"),
}
# By `CohesionItem.key`, in the order of COHESION_ITEMS.
ITEM_TEXTS = {
    "know_each_other": N_("People in this neighbourhood hardly know each other."),
    "pleasant": N_("People in this neighbourhood treat each other in a pleasant way."),
    "close_knit": N_("I live in a friendly neighbourhood with a strong sense of togetherness."),
    "at_home": N_("I feel at home with the people who live in this neighbourhood."),
    "help_each_other": N_("People in this neighbourhood help each other and do things together."),
}
MARK_QUESTIONS = {
    "liveability_mark": N_("What mark do you give the liveability of your neighbourhood?"),
    "at_home_mark": N_("What mark do you give how at home you feel in this neighbourhood?"),
}
OPEN_QUESTION = N_("What would make your neighbourhood nicer?")
QUESTIONS = {
    "answer_labels": ANSWER_LABELS,
    "item_texts": ITEM_TEXTS,
    "mark_questions": MARK_QUESTIONS,
    "open_question": OPEN_QUESTION,
    "marks": [str(mark) for mark in range(MARK_LOWEST, MARK_HIGHEST + 1)],
    "open_text_length": OPEN_TEXT_LENGTH,
}


async def survey_page(request: Request) -> Response:
    """The form, or why there is none: answered already (thanked after sending), or no survey."""
    account = require_account(request)
    today = local_today(request)
    async with services(request).database.reading() as session:
        period = await surveys.current_period(session, account, today)
        answered = period is not None and await surveys.has_answered(
            session, account, period.id or 0
        )
    if period is None:
        return render(request, "surveys/no_survey.html")
    if answered:
        return _render_thanks(request, again=request.query_params.get("sent") != "1")
    return _render_form(request, period.id or 0, period.closes_on, {}, {})


async def answer_survey(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    period_id = parse_row_id(forms.text(form, "period", 20))
    if period_id is None:
        raise NotFound("period")
    answers, values = _read_answers(form)
    today = local_today(request)
    closes_on: date | None = None
    try:
        async with services(request).database.transaction() as session:
            period = await survey_periods.resident_period(session, account, period_id)
            closes_on = period.closes_on
            if not surveys.is_open(period, today):  # it closed while they were filling it in
                return render(request, "surveys/no_survey.html", {"too_late": True})
            stored = await surveys.answer(session, account, period_id, answers, today)
    except InvalidInput as error:
        assert closes_on is not None  # the answers are checked once the period was found
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_form(request, period_id, closes_on, values, errors, status_code=400)
    if not stored:
        return _render_thanks(request, again=True)
    return RedirectResponse(SURVEY + "?sent=1", status_code=303)


def _read_answers(form: FormData) -> tuple[surveys.SurveyAnswers, dict[str, str]]:
    """The answers as sent, and the same as the form shows them again."""
    names = (*surveys.ITEM_KEYS, *surveys.MARKS)
    values = {name: forms.text(form, name, 20) for name in names}
    values["open_text"] = forms.text(form, "open_text", 2 * OPEN_TEXT_LENGTH)
    answers = surveys.SurveyAnswers(
        cohesion=tuple(values[key] for key in surveys.ITEM_KEYS),
        liveability_mark=values["liveability_mark"],
        at_home_mark=values["at_home_mark"],
        open_text=values["open_text"],
    )
    return answers, values


def _render_form(
    request: Request,
    period_id: int,
    closes_on: date,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    context = {
        "period_id": period_id,
        "closes_on": closes_on,
        "item_keys": surveys.ITEM_KEYS,
        "values": values,
        "errors": errors,
        **QUESTIONS,
    }
    return render(request, "surveys/answer.html", context, status_code=status_code)


def _render_thanks(request: Request, *, again: bool) -> Response:
    return render(request, "surveys/thanks.html", {"again": again})


routes = [
    Route(SURVEY, survey_page, methods=["GET"]),
    Route(SURVEY, answer_survey, methods=["POST"]),
]
