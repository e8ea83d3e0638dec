"""The calculator's form: every field, its label in the person's words, its unit and choices."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import service
from ..models import LoanInput
from ..service.core import law_for


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "money"  # money | pct | int | select | bool | tri
    suffix: str = ""
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()


#: The law's five years for a general loan (IRC §72(p)(2)(B)); longer terms only for a loan to
#: buy your main home, up to the plan's cap (the default plan's: residence_term_cap_months).
GENERAL_TERM_MONTHS = 60
HOME_CAP_MONTHS = int(law_for(LoanInput())["residence_term_cap_months"])
YEARS = tuple(
    (str(m), f"{m // 12} year{'s' if m > 12 else ''}")
    for m in (12, 24, 36, 48, 60, 120, 180, 240, 300, 360)
    if m <= max(HOME_CAP_MONTHS, GENERAL_TERM_MONTHS)
)
PURPOSES = (("general", "anything else"), ("residence", "buying my main home"))
FREQUENCIES = (
    ("weekly", "week"),
    ("biweekly", "two weeks"),
    ("semimonthly", "half month"),
    ("monthly", "month"),
    ("quarterly", "quarter"),
)
TRI = (("", "not answered"), ("yes", "yes"), ("no", "no"))
ALT_KINDS = (
    ("", "none"),
    ("credit_card", "credit card"),
    ("balance_transfer", "0 % balance transfer"),
    ("personal_loan", "personal loan"),
    ("heloc", "home-equity line"),
    ("hardship_withdrawal", "hardship withdrawal"),
    ("custom", "other loan"),
)

MAIN = (
    Field("amount", "Loan amount", suffix="$"),
    Field("vested_balance", "Vested balance", suffix="$", hint="Includes any loan you owe the plan now."),
    Field("age", "Your age", "int"),
    Field("annual_rate_pct", "Loan rate", "pct", "%"),
    Field(
        "purpose",
        "The loan is for",
        "select",
        options=PURPOSES,
        hint="More than 5 years to repay only for a loan to buy your main home.",
    ),
    Field("term_months", "Years to repay", "select", options=YEARS),
    Field("frequency", "Paid every", "select", options=FREQUENCIES),
    Field("contribution_monthly", "Contribute now", suffix="/mo"),
    Field(
        "contribution_during_loan_monthly",
        "…while repaying",
        suffix="/mo",
        hint="What you will put in each month while the loan is paid back.",
    ),
)
#: The guide's six questions, asked beside the verdict, which uses the answers.
CRITERIA_FIELDS = (
    Field("crit_stable_job", "Is your job stable?", "tri", options=TRI),
    Field(
        "crit_repay_within_24_months",
        "Will you repay within 12–24 months?",
        "tri",
        options=TRI,
        hint="Unanswered: judged from the term you chose.",
    ),
    Field("crit_alternatives_exhausted", "Have you tried cheaper ways?", "tri", options=TRI),
    Field(
        "crit_prevents_catastrophe",
        "Does it prevent a catastrophe (eviction, foreclosure, medical debt in collections)?",
        "tri",
        options=TRI,
    ),
    Field(
        "crit_keeps_contributions",
        "Will you keep contributing in full?",
        "tri",
        options=TRI,
        hint="Unanswered: judged from the contributions you entered.",
    ),
    Field("crit_other_savings", "Could other savings repay it if you lost your job?", "tri", options=TRI),
)
MORE = (
    (
        "Taxes",
        (
            Field(
                "filing_status",
                "Filing status",
                "select",
                options=(
                    ("single", "single"),
                    ("married_joint", "married, joint"),
                    ("married_separate", "married, separate"),
                    ("head_of_household", "head of household"),
                ),
            ),
            Field(
                "taxable_income", "Taxable income", suffix="$", hint="With it, the real brackets are used."
            ),
            Field("marginal_rate_pct", "Tax rate now", "pct", "%"),
            Field(
                "state",
                "State",
                "select",
                options=(("", "another state: enter its rate below"),) + tuple(service.state_names()),
                hint="Its income tax on withdrawals (and California's 2.5% on early ones), from its own law.",
            ),
            Field("state_rate_pct", "State tax rate", "pct", "%", hint="For a state not in the list."),
            Field("retirement_tax_rate_pct", "Tax rate in retirement", "pct", "%"),
            Field("source", "Money comes from", "select", options=(("pretax", "pre-tax"), ("roth", "Roth"))),
        ),
    ),
    (
        "Match",
        (
            Field("salary", "Salary", suffix="$/yr"),
            Field("match_rate_pct", "Employer match", "pct", "%", hint="Share of your contribution matched."),
            Field("match_limit_pct", "…up to", "pct", "% of pay"),
            Field("salary_growth_pct", "Salary growth", "pct", "%/yr"),
            Field(
                "contribution_pct",
                "Or contribute a share of pay",
                "pct",
                "% of pay",
                hint="Instead of a monthly amount; needs your salary.",
            ),
            Field("contribution_during_loan_pct", "…while repaying", "pct", "% of pay"),
        ),
    ),
    (
        "Repaying",
        (
            Field("start_date", "Loan starts on", "date", hint="Empty means today."),
            Field("extra_payment", "Extra each payment", suffix="$"),
            Field(
                "payoff_month", "Pay it all off in month", "int", hint="A lump sum that month ends the loan."
            ),
        ),
    ),
    (
        "Job risk",
        (
            Field("job_loss_annual_pct", "Chance of losing your job", "pct", "%/yr"),
            Field("cash_on_separation", "Cash to repay if you leave", suffix="$"),
            Field("public_safety_employee", "Public-safety employee", "bool"),
            Field(
                "years_of_service",
                "Years with this employer",
                "int",
                hint="Public safety: no 10% after 25 years of service (SECURE 2.0 §329).",
            ),
            Field("separated_from_service", "Already left this employer", "bool"),
            Field("separation_year_age", "Age in the year you left", "int"),
        ),
    ),
    (
        "Money outside",
        (
            Field(
                "carries_card_balance",
                "I carry a card balance",
                "bool",
                hint="Then money you pay toward the loan would otherwise pay down the card: it "
                '"earns" the card\'s APR.',
            ),
            Field(
                "liquidity_rate_pct",
                "Your spare cash earns",
                "pct",
                "%/yr",
                hint="While you repay: what the money you pay toward the loan would otherwise earn.",
            ),
            Field(
                "outside_tax_drag_pct",
                "Tax drag on investing outside",
                "pct",
                "% of return",
                hint="After the loan: the share of a taxable account's return lost to tax each year.",
            ),
            Field(
                "outside_return_pct",
                "Or one rate for money outside",
                "pct",
                "%/yr",
                hint="Replaces both rates above.",
            ),
        ),
    ),
    (
        "Market",
        (
            Field("annual_return_pct", "Yearly return", "pct", "%"),
            Field("inflation_pct", "Inflation", "pct", "%"),
            Field("retirement_age", "Retire at", "int"),
            Field(
                "stock_pct",
                "Stocks in the account",
                "pct",
                "%",
                hint="For the history and simulation sections; the rest in bonds.",
            ),
        ),
    ),
    ("Alternatives", ()),  # rows of alt_* fields (alt_fields), drawn by _alternatives.html
    (
        "Plan options",
        (
            Field("outstanding_loan_balance", "Loan you owe now", suffix="$"),
            Field("highest_loan_balance_12m", "Highest loan balance, last 12 months", suffix="$"),
            Field("existing_loans", "Loans you have now", "int"),
            Field("origination_fee", "Set-up fee", suffix="$"),
            Field("annual_fee", "Yearly fee", suffix="$"),
            Field(
                "plan_type",
                "Type of plan",
                "select",
                options=(
                    ("401k", "401(k)"),
                    ("403b", "403(b)"),
                    ("governmental_457b", "governmental 457(b)"),
                ),
                hint="A governmental 457(b) plan's withdrawals carry no 10% additional tax.",
            ),
            Field("allow_10k_floor", "Plan allows the $10,000 floor", "bool"),
            Field("disaster_loan", "Qualified-disaster loan", "bool"),
        ),
    ),
)
#: The "What if…" panel (issue "What happens if…"): page-only fields that become one event.
WHATIF_KINDS = (
    ("", "choose…"),
    ("missed", "I miss payments"),
    ("leave", "I go on unpaid leave"),
    ("military", "I'm called to military service"),
    ("leave_job", "I leave my job"),
    ("refinance", "I refinance"),
)
WHATIF = (
    Field("whatif", "What if…", "select", options=WHATIF_KINDS),
    Field("whatif_month", "In month", "int", hint="Of the loan: month 1 is the first payment."),
    Field(
        "whatif_count",
        "How many",
        "int",
        hint="Payments missed, or months of leave or service.",
    ),
    Field("whatif_amount", "New loan amount", suffix="$", hint="Refinancing only: the new loan's amount."),
)
#: "What payment can I afford?": the amount a payment buys (the schedule's inverse), page-only.
AFFORD = Field(
    "afford_payment",
    "What payment can you afford?",
    suffix="$",
    hint="Each payment, on the rate, term and pay schedule above: the loan it buys.",
)
#: The page's own fields: never part of the API's input.
WHATIF_NAMES = tuple(f.name for f in WHATIF) + (AFFORD.name,)

#: Alternatives: several rows of the same five fields (alt_kind_0, alt_apr_pct_0, ...).
ALT_ROWS = 4  # rows the form always offers
MAX_ALTS = 20  # LoanInput.alternatives max_length
ALT_VISIBLE = (
    ("kind", "Kind", "select", "", ALT_KINDS),
    ("apr_pct", "APR", "pct", "%", ()),
    ("term_months", "Term", "int", "months", ()),
    ("fee_pct", "Fee", "pct", "%", ()),
    ("promo_months", "Months at 0 %", "int", "", ()),
)
ALT_HIDDEN = ("label", "fee", "promo_apr_pct")  # saved through the API; carried, not shown


def alt_fields(row: int) -> tuple[Field, ...]:
    return tuple(
        Field(f"alt_{key}_{row}", label, kind, suffix, options=options)
        for key, label, kind, suffix, options in ALT_VISIBLE
    )


ALT_FIELDS = tuple(f for row in range(MAX_ALTS) for f in alt_fields(row))
ALL_FIELDS = MAIN + tuple(f for _, group in MORE for f in group) + CRITERIA_FIELDS
BY_NAME = {f.name: f for f in ALL_FIELDS + ALT_FIELDS}
_ALT_NAME = re.compile(r"alt_([a-z_]+)_(\d+)")
#: LoanInput fields the form has no control for: they travel as hidden inputs, so a saved
#: scenario or a shared link keeps every field (`to_input(from_input(x)) == x`).
HIDDEN = tuple(
    name
    for name in LoanInput.model_fields
    if name not in BY_NAME and name not in ("alternatives", "criteria")
)
HIDDEN_ALT = tuple(f"alt_{key}_{row}" for row in range(MAX_ALTS) for key in ALT_HIDDEN)
KNOWN = set(BY_NAME) | set(HIDDEN) | set(HIDDEN_ALT) | set(WHATIF_NAMES)
#: Share links from before the form had several alternatives.
LEGACY = {"alt_kind": "alt_kind_0", "alt_apr_pct": "alt_apr_pct_0", "alt_term_months": "alt_term_months_0"}
#: What a first visit shows: the sketch's scenario, so the answer is never empty.
STARTER = {
    "amount": "15000",
    "vested_balance": "60000",
    "age": "35",
    "contribution_monthly": "400",
    "contribution_during_loan_monthly": "400",
}
#: Inputs the web face fills when the form leaves them out (a select always sends one).
SELECT_DEFAULTS = {
    "plan_type": "401k",
    "term_months": "60",
    "frequency": "monthly",
    "filing_status": "single",
    "source": "pretax",
    "purpose": "general",
}
