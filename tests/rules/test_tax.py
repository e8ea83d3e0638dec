"""Federal brackets, the incremental tax on a distribution, flat rates (METHOD §5).

Expected tax figures are computed by hand in each case from the bracket tables of
RULES.md §12.1 (Rev. Proc. 2024-40 for 2025, Rev. Proc. 2025-32 for 2026), and the
worked example of EXAMPLES.md / RULES.md §16.6.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import loan401k
from loan401k.params import parameters
from loan401k.rules.tax import TaxProfile, bracket_tax, brackets_for_year, marginal_rate


def brackets(year, status):
    return brackets_for_year(parameters(), year, status)[0]


# (year, status, taxable income, tax written out by hand from RULES.md §12.1)
HAND_TAX = [
    # 2026 single on 53,900 (RULES.md §16.6 "tax before" 6,570.00):
    #   12,400 x 10 % = 1,240; (50,400 - 12,400) x 12 % = 4,560; (53,900 - 50,400) x 22 % = 770
    pytest.param(2026, "single", 53_900, 1_240 + 4_560 + 770, id="2026-single-53900-RULES-16.6"),
    # RULES.md §16.6 "tax after" 10,970.00: 1,240 + 4,560 + 23,500 x 22 % = 5,170
    pytest.param(2026, "single", 73_900, 1_240 + 4_560 + 5_170, id="2026-single-73900-RULES-16.6"),
    # 1,240 + 4,560 + 55,300 x .22 = 12,166 + 96,075 x .24 = 23,058 + 54,450 x .32 = 17,424
    #   + (640,600 - 256,225) x .35 = 134,531.25 + (700,000 - 640,600) x .37 = 21,978
    pytest.param(
        2026,
        "single",
        700_000,
        Decimal("1240") + 4_560 + 12_166 + 23_058 + 17_424 + Decimal("134531.25") + 21_978,
        id="2026-single-700000-all-brackets",
    ),
    # 24,800 x .10 = 2,480; 76,000 x .12 = 9,120; 110,600 x .22 = 24,332; 38,600 x .24 = 9,264
    pytest.param(2026, "married_joint", 250_000, 2_480 + 9_120 + 24_332 + 9_264, id="2026-mfj-250000"),
    # 17,700 x .10 = 1,770; (60,000 - 17,700) x .12 = 5,076
    pytest.param(2026, "head_of_household", 60_000, 1_770 + 5_076, id="2026-hoh-60000"),
    # 2026 HoH 24 % band tops at 201,750 (RULES §12.1): 1,770 + 49,750 x .12 = 5,970
    #   + 38,250 x .22 = 8,415 + 96,050 x .24 = 23,052 + (210,000 - 201,750) x .32 = 2,640
    pytest.param(
        2026, "head_of_household", 210_000, 1_770 + 5_970 + 8_415 + 23_052 + 2_640, id="2026-hoh-210000"
    ),
    # 1,240 + 4,560 + 12,166 + 23,058 + 17,424 + (300,000 - 256,225) x .35 = 15,321.25
    pytest.param(
        2026,
        "married_separate",
        300_000,
        Decimal("1240") + 4_560 + 12_166 + 23_058 + 17_424 + Decimal("15321.25"),
        id="2026-mfs-300000",
    ),
    # MFS 35 % band ends at 384,350: ... + 128,125 x .35 = 44,843.75 + 15,650 x .37 = 5,790.50
    pytest.param(
        2026,
        "married_separate",
        400_000,
        Decimal("1240") + 4_560 + 12_166 + 23_058 + 17_424 + Decimal("44843.75") + Decimal("5790.50"),
        id="2026-mfs-400000-top-bracket",
    ),
    # 11,925 x .10 = 1,192.50; 36,550 x .12 = 4,386
    pytest.param(2025, "single", 48_475, Decimal("1192.50") + 4_386, id="2025-single-48475-edge"),
    # ... + (100,000 - 48,475) x .22 = 11,335.50
    pytest.param(
        2025, "single", 100_000, Decimal("1192.50") + 4_386 + Decimal("11335.50"), id="2025-single-100000"
    ),
    # 23,850 x .10 = 2,385; 73,100 x .12 = 8,772; 53,050 x .22 = 11,671
    pytest.param(2025, "married_joint", 150_000, 2_385 + 8_772 + 11_671, id="2025-mfj-150000"),
    # 17,000 x .10 = 1,700; 47,850 x .12 = 5,742; 15,150 x .22 = 3,333
    pytest.param(2025, "head_of_household", 80_000, 1_700 + 5_742 + 3_333, id="2025-hoh-80000"),
    # 1,192.50 + 4,386 + 54,875 x .22 = 12,072.50 + 93,950 x .24 = 22,548 + 53,225 x .32 = 17,032
    #   + 125,275 x .35 = 43,846.25 + (400,000 - 375,800) x .37 = 8,954
    pytest.param(
        2025,
        "married_separate",
        400_000,
        Decimal("1192.50") + 4_386 + Decimal("12072.50") + 22_548 + 17_032 + Decimal("43846.25") + 8_954,
        id="2025-mfs-400000",
    ),
    pytest.param(2025, "single", 0, 0, id="zero-income"),
    pytest.param(2026, "single", 1_000, 100, id="2026-first-bracket"),
]


@pytest.mark.parametrize("year, status, income, expected", HAND_TAX)
def test_bracket_tax_by_hand(year, status, income, expected):
    assert bracket_tax(Decimal(income), brackets(year, status)) == Decimal(expected)


def test_examples_2026_single_offset_federal_tax():
    # EXAMPLES.md: wages 70,000 - 16,100 standard deduction = 53,900 taxable; a 20,000
    # offset adds tax(73,900) - tax(53,900) = 10,970 - 6,570 = 4,400.00
    profile = TaxProfile(
        state_rate=Decimal(0), brackets=brackets(2026, "single"), taxable_income=Decimal(53_900)
    )
    assert profile.federal(Decimal(20_000)) == Decimal("4400.00")
    assert profile.federal_marginal == Decimal("0.22")


@pytest.mark.parametrize(
    "year, status, income, amount, expected",
    [
        # inside one band: 2025 MFJ 150,000 + 20,000 stays under 206,700 -> 20,000 x .22
        pytest.param(2025, "married_joint", 150_000, 20_000, 4_400, id="2025-mfj-one-band"),
        # across a band: 2026 single 100,000 + 20,000: 5,700 x .22 = 1,254; 14,300 x .24 = 3,432
        pytest.param(2026, "single", 100_000, 20_000, 1_254 + 3_432, id="2026-single-two-bands"),
        # from zero income: 2026 HoH 0 + 20,000: 17,700 x .10 = 1,770; 2,300 x .12 = 276
        pytest.param(2026, "head_of_household", 0, 20_000, 1_770 + 276, id="2026-hoh-from-zero"),
        # cents: 2026 single 53,900 + 1,234.56 x .22 = 271.6032 -> 271.60
        pytest.param(2026, "single", 53_900, "1234.56", "271.60", id="2026-single-rounding"),
    ],
)
def test_incremental_tax_through_the_public_distribution(year, status, income, amount, expected):
    result = loan401k.distribution(
        {
            "age": 40,
            "amount": amount,
            "taxable_income": income,
            "filing_status": status,
            "tax_year": year,
            "start_date": "2026-03-01",
        }
    )
    assert result.federal_tax == Decimal(expected)


def test_flat_marginal_rate_mode():
    # METHOD §5: no taxable income -> d x rate. 12,345.67 x 24 % = 2,962.9608 -> 2,962.96
    result = loan401k.distribution(
        {"age": 40, "amount": "12345.67", "marginal_rate_pct": 24, "start_date": "2026-03-01"}
    )
    assert result.federal_tax == Decimal("2962.96")
    assert result.marginal_rate_pct == 24


def test_state_flat_rate():
    # METHOD §5: state_rate x d. 20,000 x 5 % = 1,000; 12,345.67 x 4.95 % = 611.1107 -> 611.11
    result = loan401k.distribution(
        {"age": 40, "amount": 20_000, "state_rate_pct": 5, "start_date": "2026-03-01"}
    )
    assert result.state_tax == Decimal("1000.00")
    result = loan401k.distribution(
        {"age": 40, "amount": "12345.67", "state_rate_pct": "4.95", "start_date": "2026-03-01"}
    )
    assert result.state_tax == Decimal("611.11")


def test_marginal_rate_is_the_rate_on_the_next_dollar():
    single_2026 = brackets(2026, "single")
    assert marginal_rate(Decimal(50_399), single_2026) == Decimal("0.12")
    assert marginal_rate(Decimal(50_400), single_2026) == Decimal("0.22")
    assert marginal_rate(Decimal(0), single_2026) == Decimal("0.10")
    assert marginal_rate(Decimal(1_000_000), single_2026) == Decimal("0.37")


def test_year_past_the_files_uses_the_last_year_and_warns():
    # METHOD §5: 2031 uses the last year's (2026) brackets and says so
    found, warnings, used = brackets_for_year(parameters(), 2031, "single")
    assert used == 2026
    assert found == brackets(2026, "single")
    assert warnings and "2031" in warnings[0] and "2026" in warnings[0]
    assert brackets_for_year(parameters(), 2026, "single")[1] == []

    result = loan401k.distribution(
        {"age": 40, "amount": 20_000, "taxable_income": 53_900, "tax_year": 2031, "start_date": "2026-03-01"}
    )
    assert result.federal_tax == Decimal("4400.00")  # the 2026 brackets, as in EXAMPLES.md
    assert any("2031" in w for w in result.warnings)


def test_2025_and_2026_brackets_differ():
    # the year picks the table: 2025 single on 53,900 = 1,192.50 + 4,386 + 5,425 x .22
    assert bracket_tax(Decimal(53_900), brackets(2025, "single")) == (
        Decimal("1192.50") + 4_386 + Decimal("1193.50")
    )
