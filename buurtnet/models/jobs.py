"""The durable work queue's table."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"  # gave up after the last attempt; kept for inspection


class Job(SQLModel, table=True):
    """Durable work, written in the same transaction as the change that causes it."""

    __table_args__ = (sa.Index("ix_job_status_run_after", "status", "run_after"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    payload: str = Field(default="{}", sa_type=sa.Text)  # JSON
    status: str = Field(default=JobStatus.QUEUED, max_length=20)
    attempts: int = Field(default=0)
    run_after: datetime = Field(default_factory=utcnow)
    locked_at: datetime | None = None
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
