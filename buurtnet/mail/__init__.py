"""E-mail: letters rendered in the recipient's language, queued with the change that causes them,
and sent by the worker over SMTP (or written to a folder when the instance has no mail server)."""
