"""Stored text made safe for the formats it is exported to.

The store keeps whatever text a command carried (older versions, other writers, a restored
backup may hold characters the engine refuses today). An export must never fail on such text
and never turn it into something active:

- XML 1.0 (XES, the Excel file's sheets) cannot hold most C0 control characters, U+FFFE,
  U+FFFF or lone surrogates: :func:`xml_text` replaces each by U+FFFD.
- UTF-8 (every file we write) cannot hold a lone surrogate: :func:`utf8_text` replaces it.
- A spreadsheet program runs a CSV field that starts with ``=``, ``+``, ``-`` or ``@`` (or a
  tab or carriage return before one) as a formula (``=HYPERLINK(...)``): :func:`csv_text`
  prefixes such a field with an apostrophe, the neutralisation OWASP recommends and the one
  spreadsheet programs show as the literal text.

>>> xml_text("a\\x00b")
'a\\ufffdb'
>>> csv_text('=HYPERLINK("http://x","Bấm")')
'\\'=HYPERLINK("http://x","Bấm")'
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Every character outside XML 1.0's ``Char`` production."""

_SURROGATE = re.compile("[\ud800-\udfff]")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet program read a field as a formula."""


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def utf8_text(text: str) -> str:
    """``text`` with every lone surrogate (not encodable as UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def csv_text(value: Any) -> Any:
    """A CSV field that no spreadsheet program runs as a formula; non-text values unchanged
    (a number such as -1.5 is data, not a formula)."""
    if isinstance(value, str):
        value = utf8_text(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value
