"""Whole numbers from a query string or a form, as the database can take them.

``str.isdigit`` is true of "²" and "١٢" too, which ``int`` refuses or reads as Arabic
digits, and a number past 64 bits overflows a database's integer: both were server
errors from a crafted address. Only ASCII digits within ``MAX_WHOLE_NUMBER`` are numbers.
"""

#: The largest id or page number taken: PostgreSQL's and SQLite's 64-bit integer.
MAX_WHOLE_NUMBER = 2**63 - 1


def whole_number(value, maximum=MAX_WHOLE_NUMBER):
    """``value`` as an ``int`` when it is ASCII digits (spaces around them allowed) no
    greater than ``maximum``; otherwise None."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= maximum else None


def is_whole_number(value, maximum=MAX_WHOLE_NUMBER):
    return whole_number(value, maximum) is not None
