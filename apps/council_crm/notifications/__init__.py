"""Notifications: templates, the transactional outbox and the channel backends (email, SMS).

Services call `message_queue(...)` inside their transaction; the worker calls
`outbox_dispatch()`. See `outbox.py` for the delivery guarantee per channel.
"""

from .outbox import message_queue, outbox_dispatch

__all__ = ["message_queue", "outbox_dispatch"]
