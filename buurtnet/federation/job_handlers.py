"""The federation's jobs: what `core.outbound` enqueues, the deliveries they cause, and
federation's own tidying."""

from datetime import timedelta
from functools import partial

from buurtnet.core.outbound import NEIGHBOURHOOD_FOLLOW_ANSWERED
from buurtnet.federation import (
    arrivals,
    deliver_posts,
    deliver_relations,
    deliver_reports,
    delivery,
    event_joins,
    follows,
    questions,
)
from buurtnet.federation.context import Federation
from buurtnet.job_queue import Registry

TIDY_INTERVAL = timedelta(minutes=10)


def register(registry: Registry, federation: Federation) -> None:
    for name, handler in (
        deliver_posts.handlers(federation)
        | deliver_relations.handlers(federation)
        | deliver_reports.handlers(federation)
        | questions.handlers(federation)
        | event_joins.handlers(federation)
    ).items():
        registry.register(name, handler)
    registry.register(delivery.DELIVER, partial(delivery.deliver, federation))
    registry.register(
        NEIGHBOURHOOD_FOLLOW_ANSWERED, partial(follows.answer_neighbourhood_follow, federation)
    )
    registry.every(TIDY_INTERVAL, arrivals.forget_old)
