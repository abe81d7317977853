"""Notifications to the applicant (SMS, e-mail, Zalo): templates as data, rendered in
Vietnamese from what the engine recorded, delivered through the outbox
(docs/notifications.md)."""

from tthc_flow.notify._policy import (
    DEFAULT_SET,
    NOTIFY_TOPICS,
    OUTCOME_TEXT,
    TOPIC,
    NotificationPolicy,
    notice_kind,
    slip_moment,
    values_of,
)
from tthc_flow.notify._sms import GSM7, UCS2, SmsLength, plain_text, sms_length
from tthc_flow.notify._templates import (
    CHANNELS,
    KINDS,
    PLACEHOLDERS,
    MessageTemplate,
    TemplateSet,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_SET",
    "GSM7",
    "KINDS",
    "NOTIFY_TOPICS",
    "OUTCOME_TEXT",
    "PLACEHOLDERS",
    "TOPIC",
    "UCS2",
    "MessageTemplate",
    "NotificationPolicy",
    "SmsLength",
    "TemplateSet",
    "notice_kind",
    "plain_text",
    "slip_moment",
    "sms_length",
    "values_of",
]
