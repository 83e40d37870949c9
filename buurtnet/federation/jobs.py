"""The federation's jobs: what `core.outbox` enqueues, and the deliveries they cause."""

from functools import partial

from buurtnet.core.outbox import NEIGHBOURHOOD_FOLLOW_ANSWERED
from buurtnet.federation import delivery, follows, outbox, outbox_relations
from buurtnet.federation.context import Federation
from buurtnet.jobs import Registry


def register(registry: Registry, federation: Federation) -> None:
    for name, handler in (
        outbox.handlers(federation) | outbox_relations.handlers(federation)
    ).items():
        registry.register(name, handler)
    registry.register(delivery.DELIVER, partial(delivery.deliver, federation))
    registry.register(
        NEIGHBOURHOOD_FOLLOW_ANSWERED, partial(follows.answer_neighbourhood_follow, federation)
    )
