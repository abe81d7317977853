"""SMS length: which alphabet a text needs and how many segments it is sent in.

An SMS carries 140 bytes. A text written only in the GSM 03.38 default alphabet (GSM-7)
takes 7 bits a character: 160 characters in one message, 153 in each part of a concatenated
one (the user data header takes 6 bytes). Any other character, and every Vietnamese letter
with a diacritic other than the few GSM-7 holds (à, è, é, ì, ò, ù, É), makes the whole text
UCS-2: 16 bits a character, 70 in one message, 67 in each part (3GPP TS 23.038 §6.2.1 and
TS 23.040 §9.2.3.24.1). Vietnamese with its tones is therefore almost always UCS-2: a
160-character receipt SMS is 3 segments, and the operators bill each one. Without diacritics
(:func:`plain_text`, the "không dấu" SMS most brandname gateways send) the same text fits
GSM-7.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# GSM 03.38 default alphabet (basic table, one septet each) and its extension table (an
# escape septet plus one: two septets each)
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
"""Characters (GSM-7 septets, UCS-2 code units) in a one-segment SMS."""
PART = {GSM7: 153, UCS2: 67}
"""Characters in each segment of a concatenated SMS."""


@dataclass(frozen=True)
class SmsLength:
    """How a text travels as SMS: ``encoding`` (GSM-7 or UCS-2), ``units`` (septets or UTF-16
    code units) and ``segments`` (messages billed)."""

    encoding: str
    units: int
    segments: int


def sms_length(text: str) -> SmsLength:
    """The encoding, length and segment count of ``text`` (read in NFC: a decomposed "ệ" is
    one character, as the handset shows it).

    >>> sms_length("Ho so SCT-260302-0001 da duoc tiep nhan")
    SmsLength(encoding='GSM-7', units=39, segments=1)
    >>> sms_length("Hồ sơ đã được tiếp nhận")
    SmsLength(encoding='UCS-2', units=23, segments=1)
    """
    text = unicodedata.normalize("NFC", text)
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        widths = [2 if c in _GSM_EXTENDED else 1 for c in text]
        encoding = GSM7
    else:
        widths = [2 if ord(c) > 0xFFFF else 1 for c in text]  # a surrogate pair
        encoding = UCS2
    units = sum(widths)
    if units <= SINGLE[encoding]:
        return SmsLength(encoding, units, 1 if units else 0)
    # a character's units never straddle two segments (an escape and its septet, a pair)
    segments, used = 1, 0
    for width in widths:
        if used + width > PART[encoding]:
            segments, used = segments + 1, 0
        used += width
    return SmsLength(encoding, units, segments)


def plain_text(text: str) -> str:
    """``text`` without Vietnamese diacritics, case kept ("Hồ sơ Đã" -> "Ho so Da"): the
    "không dấu" form that fits GSM-7."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )
