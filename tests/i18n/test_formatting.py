"""Numbers and dates in the reader's language (loan401k.i18n): US conventions in both, so
dollars stay dollars for a US Spanish reader; dates and months in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from loan401k import i18n, money

MARCH_1 = dt.date(2027, 3, 1)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_dollars_stay_us_dollars_in_every_language(locale):
    # A US Spanish reader sees the figures of a pay stub or an IRS page: "$15,000",
    # a comma for thousands, a point for cents. Not Spain's "15.000,00 US$".
    with i18n.use_locale(locale):
        assert i18n.currency(15000, whole=True) == "$15,000"
        assert i18n.currency(Decimal("1234.5")) == "$1,234.50"
        assert i18n.currency(Decimal("-2649.08")) == "-$2,649.08"
        assert i18n.currency(Decimal("50000.00"), auto=True) == "$50,000"
        assert i18n.currency(Decimal("99.95"), auto=True) == "$99.95"
        assert i18n.currency(-0.004) == "$0.00"  # no minus sign on nothing


money_values = st.one_of(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**12), max_value=10**12),
)


@given(value=money_values, whole=st.booleans(), auto=st.booleans())
def test_english_dollars_read_as_money_usd_writes_them(value, whole, auto):
    """money.usd is the faces' own f-string formatting, an independent writing of the same
    format; the one difference is kept on purpose: no "-$0" for a figure that rounds to 0."""
    expected = money.usd(value, whole=whole, auto=auto)
    if expected.startswith("-") and not any(c in "123456789" for c in expected):
        expected = expected[1:]
    with i18n.use_locale("en"):
        assert i18n.currency(value, whole=whole, auto=auto) == expected
    with i18n.use_locale("es"):
        assert i18n.currency(value, whole=whole, auto=auto) == expected


def test_a_date_in_spanish_spells_the_month():
    with i18n.use_locale("es"):
        assert i18n.date_long(MARCH_1) == "1 de marzo de 2027"
        assert i18n.date_short(MARCH_1) == "1 mar 2027"  # never 1/3/2027: March or January?
        assert i18n.month_year(MARCH_1) == "marzo de 2027"
        assert i18n.date_long(dt.date(2031, 12, 15)) == "15 de diciembre de 2031"


def test_an_english_date_is_the_one_every_face_writes_now():
    # web/words.date: value.strftime("%B %-d, %Y")
    for day in (MARCH_1, dt.date(2031, 12, 15), dt.date(2028, 2, 29)):
        with i18n.use_locale("en"):
            assert i18n.date_long(day) == day.strftime("%B %-d, %Y")
            assert i18n.date_short(day) == day.strftime("%b %-d, %Y")
            assert i18n.month_year(day) == day.strftime("%B %Y")


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_percent_and_plain_numbers(locale):
    # IRS Spanish pages write "impuesto adicional del 10%" (Tema 558): no space, a point.
    with i18n.use_locale(locale):
        assert i18n.percent(10) == "10%"
        assert i18n.percent(Decimal("6.75")) == "6.75%"
        assert i18n.percent(12.4) == "12.4%"
        assert i18n.percent(Decimal("8.125"), max_digits=3) == "8.125%"
        assert i18n.percent(5, min_digits=1) == "5.0%"
        assert i18n.decimal(1234.5) == "1,234.5"
        assert i18n.decimal(Decimal("0.333"), max_digits=1) == "0.3"


def test_the_formatting_follows_the_current_language():
    assert i18n.format_locale() == "en_US"
    with i18n.use_locale("es"):
        assert i18n.format_locale() == "es_US"
        assert i18n.month_year(MARCH_1) == "marzo de 2027"
    assert i18n.month_year(MARCH_1) == "March 2027"


# --------------------------------------------------------------------------- the fast paths
# currency, percent and decimal write US-style locales' text themselves (an analysis formats
# about sixty figures; Babel parses its pattern on every call): the same text as Babel's.

_NUMBERS = st.one_of(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**12), max_value=10**12),
)


@settings(max_examples=400, deadline=None)
@given(
    value=_NUMBERS,
    digits=st.tuples(st.integers(0, 10), st.integers(0, 10)),
    lang=st.sampled_from(["en", "es"]),
)
def test_decimal_and_percent_write_what_babel_writes(value, digits, lang):
    most, least = max(digits), min(digits)
    decimals = "0" * least + "#" * (most - least)
    pattern = f"#,##0.{decimals}" if decimals else "#,##0"
    locale = i18n.format_locale(lang)
    fraction = Decimal(str(value)) / 100 if isinstance(value, float) else Decimal(value) / 100
    with i18n.use_locale(lang):
        assert i18n.decimal(value, most, least) == format_decimal(value, format=pattern, locale=locale)
        assert i18n.percent(value, most, least) == format_percent(
            fraction, format=pattern + "%", locale=locale, decimal_quantization=True
        )


@settings(max_examples=300, deadline=None)
@given(value=_NUMBERS, whole=st.booleans(), lang=st.sampled_from(["en", "es"]))
def test_currency_writes_what_babel_writes(value, whole, lang):
    places = 0 if whole else 2
    number = Decimal(f"{value:.{places}f}")
    number = abs(number) if number == 0 else number
    pattern = "¤#,##0" if whole else "¤#,##0.00"
    expected = format_currency(
        number, "USD", format=pattern, locale=i18n.format_locale(lang), currency_digits=False
    )
    with i18n.use_locale(lang):
        assert i18n.currency(value, whole=whole) == expected
