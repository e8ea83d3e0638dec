"""Which language a request is answered in (loan401k.i18n.negotiate): an explicit `lang`
wins, then Accept-Language by its q-values (RFC 9110 §12.5.4), then English."""

from __future__ import annotations

import pytest

from loan401k import i18n


@pytest.mark.parametrize(
    "lang, header, expected",
    [
        ("es", "en-US,en;q=0.9", "es"),  # the page's switch beats the browser
        ("en", "es-MX,es;q=0.9", "en"),
        ("ES-us", None, "es"),  # case and region do not matter
        ("es_MX", "", "es"),
        ("fr", "es;q=0.5", "es"),  # an unsupported lang is ignored: the header decides
        ("", "es", "es"),
    ],
)
def test_an_explicit_supported_lang_wins(lang, header, expected):
    assert i18n.negotiate(lang, header) == expected


@pytest.mark.parametrize(
    "header, expected",
    [
        ("en;q=0.5, es;q=0.9", "es"),  # the highest q, not the first listed
        ("es;q=0.1, en", "en"),  # no q means q=1
        ("fr, es;q=0.8, en;q=0.7", "es"),  # French unsupported: the next most wanted
        ("es, en", "es"),  # equal q: the header's order
        ("en, es", "en"),
        ("es-419,es;q=0.9,en;q=0.8", "es"),  # Latin American Spanish is Spanish
        ("  es-US ; q=0.9 , en ; q=0.3", "es"),  # spaces around the parts
        ("es;Q=0.9, en;q=0.8", "es"),  # the parameter name is case-insensitive
        ("de, ja;q=0.9", "en"),  # nothing supported: English
        ("", "en"),
        (None, "en"),
    ],
)
def test_accept_language_by_q_values(header, expected):
    assert i18n.negotiate(None, header) == expected


@pytest.mark.parametrize(
    "header, expected",
    [
        ("es;q=0, *", "en"),  # q=0 refuses Spanish; * is anything else
        ("en;q=0, *", "es"),
        ("*", "en"),
        ("fr, *;q=0.5", "en"),
        ("es;q=0", "en"),  # only a refusal: the default
        ("en;q=0, es;q=0", "en"),  # everything refused: still an answer, the default
    ],
)
def test_a_zero_q_refuses_and_a_star_takes_any_other(header, expected):
    assert i18n.negotiate(None, header) == expected


@pytest.mark.parametrize("bad_q", ["abc", "2", "-1", "nan", "inf", ""])
def test_a_range_with_a_malformed_q_is_dropped(bad_q):
    assert i18n.negotiate(None, f"es;q={bad_q}, en;q=0.1") == "en"
    assert i18n.parse_accept_language(f"es;q={bad_q}") == []


def test_the_ranges_come_most_wanted_first():
    ranges = i18n.parse_accept_language("fr;q=0.2, es-US, en;q=0.8, de;q=0.8")
    assert ranges == [("es-US", 1.0), ("en", 0.8), ("de", 0.8), ("fr", 0.2)]


def test_only_the_first_kilobyte_of_a_huge_header_is_read():
    header = "de, " * 100_000 + "es"  # 400 kB; Spanish only at the very end
    assert len(i18n.parse_accept_language(header)) <= i18n.MAX_HEADER // 4 + 1
    assert i18n.negotiate(None, header) == "en"
    assert i18n.negotiate(None, "de, es") == "es"  # the same preference, in reach, is found


@pytest.mark.parametrize(
    "tag, expected", [("es", "es"), ("EN-gb", "en"), ("pt-BR", None), ("", None), (None, None)]
)
def test_supported_names_the_language_of_a_tag(tag, expected):
    assert i18n.supported(tag) == expected
