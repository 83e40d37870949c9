"""Moderation: approvals, reports, actions and the audit log; later the metrics and the survey."""
