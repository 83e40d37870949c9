"""The words moderation pages show for report categories, report states and actions (msgids:
templates translate them with `_()`), and reading a measure (reason and category) from a form."""

from datetime import datetime, timedelta

from starlette.datastructures import FormData

from buurtnet.core.errors import InvalidInput
from buurtnet.models import ActionKind, ReportCategory, ReportStatus, utcnow
from buurtnet.moderation.actions import REASON_LENGTH, Measure
from buurtnet.web import forms
from buurtnet.web.messages import N_

REPORT_CATEGORY_LABELS = {
    ReportCategory.SPAM: N_("Spam or advertising"),
    ReportCategory.HARASSMENT: N_("Harassment or intimidation"),
    ReportCategory.DISCRIMINATION: N_("Discrimination"),
    ReportCategory.THREAT: N_("Threat"),
    ReportCategory.PRIVACY: N_("Privacy: personal details shared"),
    ReportCategory.OTHER: N_("Something else"),
}
REPORT_STATUS_LABELS = {
    ReportStatus.OPEN: N_("Open"),
    ReportStatus.IN_PROGRESS: N_("In progress"),
    ReportStatus.RESOLVED: N_("Handled"),
    ReportStatus.DISMISSED: N_("Dismissed"),
}
ACTION_LABELS = {
    ActionKind.REMOVE_POST: N_("Message removed"),
    ActionKind.RESTORE_POST: N_("Message put back"),
    ActionKind.MARK_SENSITIVE: N_("Marked as sensitive"),
    ActionKind.WARN: N_("Warned"),
    ActionKind.LIMIT: N_("Limited"),
    ActionKind.SUSPEND: N_("Suspended"),
    ActionKind.LIFT: N_("Measures lifted"),
    ActionKind.APPROVE_POST: N_("Held message let through"),
    ActionKind.RESOLVE_REPORT: N_("Report handled"),
    ActionKind.DISMISS_REPORT: N_("Report dismissed"),
    ActionKind.FORWARD_REPORT: N_("Report sent on to the other server"),
}
# How long a suspension lasts, as the form offers it: days, or None for good.
SUSPENSION_DAYS: dict[str, int | None] = {"1": 1, "7": 7, "30": 30, "forever": None}
SUSPENSION_LABELS = {
    "1": N_("1 day"),
    "7": N_("7 days"),
    "30": N_("30 days"),
    "forever": N_("For good"),
}
LABELS = {
    "report_category_labels": REPORT_CATEGORY_LABELS,
    "report_status_labels": REPORT_STATUS_LABELS,
    "action_labels": ACTION_LABELS,
    "suspension_labels": SUSPENSION_LABELS,
}


def read_measure(form: FormData, report_id: int | None = None) -> Measure:
    """The reason the person reads and the rule it falls under; `actions` checks them."""
    return Measure(
        reason=forms.text(form, "reason", REASON_LENGTH + 1),
        category=forms.text(form, "category", 20),
        report_id=report_id,
    )


def read_suspension_end(form: FormData) -> datetime | None:
    """The end of a suspension chosen on the form (None: for good)."""
    chosen = forms.text(form, "length", 10)
    if chosen not in SUSPENSION_DAYS:
        raise InvalidInput.single("length", "suspension_length_missing")
    days = SUSPENSION_DAYS[chosen]
    return None if days is None else utcnow() + timedelta(days=days)
