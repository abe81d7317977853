"""Which events notify the applicant, over which channel, with which text.

:class:`NotificationPolicy` is an :class:`~tthc_flow.engine.OutboxPolicy`: for each event it
returns the messages of its ``base`` policy (the engine's default, or
:class:`~tthc_flow.portal.PortalSyncPolicy`) plus one rendered message per channel the
applicant can be reached on, so the texts are written in the event's transaction and leave
through the outbox at least once (docs/service.md). Every value is read from what the engine
recorded in the event and the dossier (the appointment, the closure moment of a supplement
request, the new appointment of an apology, the class of the resolution): nothing is worked
out again here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tthc_flow.engine import Dossier, Event, OutboxMessage, OutboxPolicy
from tthc_flow.notify._defaults import DEFAULT_TEMPLATES
from tthc_flow.notify._sms import plain_text, sms_length
from tthc_flow.notify._templates import CHANNELS, EMAIL, KINDS, SMS, ZALO, TemplateSet
from tthc_flow.procedure import ProcedureDefinition

TOPIC = {SMS: "notify.sms", EMAIL: "notify.email", ZALO: "notify.zalo"}
"""The outbox topic of each channel: a sender per channel claims its own."""
NOTIFY_TOPICS = frozenset(TOPIC.values())

DEFAULT_SET = TemplateSet.from_mapping(DEFAULT_TEMPLATES, "tthc_flow.notify._defaults")
"""The library's Vietnamese templates, checked like any loaded set."""

OUTCOME_TEXT = {"approved": "đã có kết quả", "rejected": "đã có văn bản trả lời"}
"""How ``$outcome`` reads: an approval, or a reasoned rejection (art. 19.3: Phiếu từ chối
giải quyết hồ sơ, returned as the result)."""

DefinitionLookup = Callable[[str, int], ProcedureDefinition]


def slip_moment(moment: datetime) -> str:
    """A moment as the slips print it (Mẫu 01: "Ngày hẹn trả kết quả"):
    ``10 giờ 00 phút, ngày 16 tháng 03 năm 2026``."""
    return (
        f"{moment.hour:02d} giờ {moment.minute:02d} phút, "
        f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"
    )


def notice_kind(event: Event, after: Dossier) -> str | None:
    """The notice an event calls for, from its effect and what it recorded (None: none)."""
    effect = event.effect
    if effect == "accept":
        return "receipt"
    if effect == "request_supplement":
        # the engine writes closes_at when the art. 19.5 closure applies (during handling)
        return "supplement" if "closes_at" in event.payload else "supplement_at_reception"
    if effect == "reschedule":
        return "apology"
    if effect in ("approve", "reject"):
        early = event.payload.get("timeliness") == "early"
        return "early_return" if early else "result_ready"
    return None


def values_of(kind: str, event: Event, after: Dossier, procedure: str) -> dict[str, str]:
    """The placeholders of ``kind`` for ``event``, which made ``after``: exactly the names
    :data:`~tthc_flow.notify.PLACEHOLDERS` allows (a restricted mapping)."""

    def moment(value: datetime | None) -> str:
        return "" if value is None else slip_moment(value)

    values = {
        "code": after.code,
        "applicant": after.applicant,
        "procedure": procedure,
        "procedure_code": after.procedure_code,
        "agency": after.agency_code,
    }
    if kind == "receipt":
        values.update(received=moment(after.received_at), due=moment(after.due_at))
    elif kind in ("supplement", "supplement_at_reception"):
        pause = after.pauses[-1]
        values.update(missing="; ".join(pause.missing), requested=moment(pause.start))
        if kind == "supplement":
            values["closes"] = moment(pause.closes_at)
    elif kind == "apology":
        apology = after.reschedules[-1]
        values.update(
            previous_due=moment(apology.previous_due_at),
            new_due=moment(apology.new_due_at),
            reason=apology.reason,
        )
    else:  # result_ready, early_return
        values.update(
            resolved=moment(after.resolved_at),
            due=moment(after.due_at),
            outcome=OUTCOME_TEXT.get(after.outcome or "", after.outcome or ""),
        )
    return values


@dataclass(frozen=True)
class NotificationPolicy(OutboxPolicy):
    """The ``base`` policy's messages plus the applicant's notices.

    ``topics``: the channels' topics written (default all of :data:`NOTIFY_TOPICS`).
    ``templates``: the deployment's set (default the library's); ``by_agency``: an agency's
    own templates, used before the deployment's (an agency overrides one kind or channel and
    keeps the rest). ``kinds``: the notices sent. ``definitions`` (e.g. ``catalog.get``)
    gives ``$procedure`` the procedure's name (else its code). ``sms_plain``: SMS without
    diacritics, as brandname gateways that send GSM-7 want them.

    Recipients come from the dossier's applicant record: its phone for SMS and Zalo, its
    e-mail for e-mail; a dossier without a record, or a record without a contact, gets no
    message on that channel.
    """

    topics: frozenset[str] = field(default=NOTIFY_TOPICS)
    base: OutboxPolicy = field(default_factory=OutboxPolicy)
    templates: TemplateSet = DEFAULT_SET
    by_agency: Mapping[str, TemplateSet] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset(KINDS)
    definitions: DefinitionLookup | None = None
    sms_plain: bool = False

    def messages(self, before: Dossier | None, after: Dossier, event: Event) -> list[OutboxMessage]:
        found = self.base.messages(before, after, event)
        kind = notice_kind(event, after)
        record = after.applicant_record
        if kind is None or kind not in self.kinds or record is None:
            return found
        contacts = {SMS: record.phone, ZALO: record.phone, EMAIL: record.email}
        procedure = after.procedure_code
        if self.definitions is not None:
            procedure = self.definitions(after.procedure_code, after.procedure_version).name
        values = values_of(kind, event, after, procedure)
        own = self.by_agency.get(after.agency_code)
        for channel in CHANNELS:
            to = contacts[channel]
            template = (own.get(kind, channel) if own else None) or self.templates.get(
                kind, channel
            )
            if not to or TOPIC[channel] not in self.topics or template is None:
                continue
            subject, body = template.render(values)
            payload: dict[str, Any] = {
                "dossier_code": after.code,
                "version": event.version,
                "agency_code": after.agency_code,
                "kind": kind,
                "channel": channel,
                "to": to,
                "subject": subject,
                "body": body,
                "params": values,
                "at": event.at.isoformat(),
            }
            if channel == SMS:
                if self.sms_plain:
                    payload["body"] = body = plain_text(body)
                length = sms_length(body)
                payload.update(
                    encoding=length.encoding, units=length.units, segments=length.segments
                )
            found.append(OutboxMessage(TOPIC[channel], payload))
        return found
