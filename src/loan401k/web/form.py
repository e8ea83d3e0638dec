"""The calculator's form: every field, its label in the person's words, its unit and choices."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .. import service
from ..i18n import N_, _, ngettext
from ..models import LoanInput
from ..service.choices import Choices, choices_for
from ..service.core import law_for


def _words(msgid: str) -> str:
    """A marked text in the current language ("" stays "": gettext("") is the catalogue's
    header). "{percent}" is the percent sign: a msgid cannot say "% of pay", which gettext
    would read as a printf placeholder ("% o")."""
    return _(msgid).replace("{percent}", "%") if msgid else ""


def years(months: int) -> str:
    """A term as the form offers it: "1 year", "5 years", "18 months"."""
    if months % 12:
        return ngettext("{n} month", "{n} months", months).format(n=months)
    count = months // 12
    return ngettext("{n} year", "{n} years", count).format(n=count)


@dataclass(frozen=True)
class Field:
    """A form field. Its texts are stored as the catalogue's English msgids (marked with N_,
    the tables are built at import) and read in the request's language: `label`, `hint`,
    `suffix` and `option_words`."""

    name: str
    label_msgid: str
    kind: str = "money"  # money | pct | int | select | bool | tri
    suffix_msgid: str = ""  # a unit ("$", "%"), or its words ("{percent} of pay")
    hint_msgid: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, the msgid of its words)

    @property
    def label(self) -> str:
        return _words(self.label_msgid)

    @property
    def hint(self) -> str:
        return _words(self.hint_msgid)

    @property
    def suffix(self) -> str:
        return _words(self.suffix_msgid)

    @property
    def option_words(self) -> tuple[tuple[str, str], ...]:
        """The options, (value, its words) in the current language."""
        if self.name == "term_months":
            return tuple((value, years(int(value))) for value, _text in self.options)
        return tuple((value, _words(text)) for value, text in self.options)


#: The law's five years for a general loan (IRC §72(p)(2)(B)); longer terms only for a loan to
#: buy your main home, up to the plan's cap (without a plan profile, the calculator's own; the
#: page offers the active profile's: `term_options`).
GENERAL_TERM_MONTHS = 60
HOME_CAP_MONTHS = int(law_for(LoanInput())["residence_term_cap_months"])
#: The term select's values, with their English words (the page says them with `years`, in
#: the request's language: `Field.option_words`, `term_options`).
YEARS = tuple(
    (str(m), f"{m // 12} year{'s' if m > 12 else ''}")
    for m in (12, 24, 36, 48, 60, 120, 180, 240, 300, 360)
    if m <= max(HOME_CAP_MONTHS, GENERAL_TERM_MONTHS)
)
#: The options' words are msgids (N_): `Field.option_words` and `select_options` read them in the
#: request's language.
PURPOSES = (("general", N_("anything else")), ("residence", N_("buying my main home")))
# TRANSLATORS: the pay schedule's words after the label "Paid every": "Paid every two weeks".
FREQUENCIES = (
    ("weekly", N_("week")),
    ("biweekly", N_("two weeks")),
    ("semimonthly", N_("half month")),
    ("monthly", N_("month")),
    ("quarterly", N_("quarter")),
)
# TRANSLATORS: the answers to one of the guide's six questions ("Is your job stable?").
TRI = (("", N_("not answered")), ("yes", N_("yes")), ("no", N_("no")))
ALT_KINDS = (
    ("", N_("none")),
    ("credit_card", N_("credit card")),
    ("balance_transfer", N_("0 % balance transfer")),
    ("personal_loan", N_("personal loan")),
    ("heloc", N_("home-equity line")),
    ("hardship_withdrawal", N_("hardship withdrawal")),
    ("custom", N_("other loan")),
)

MAIN = (
    Field("amount", N_("Loan amount"), suffix_msgid="$"),
    Field(
        "vested_balance",
        N_("Vested balance"),
        suffix_msgid="$",
        hint_msgid=N_("Includes any loan you owe the plan now."),
    ),
    Field("age", N_("Your age"), "int"),
    Field("annual_rate_pct", N_("Loan rate"), "pct", "%"),
    Field(
        "purpose",
        N_("The loan is for"),
        "select",
        options=PURPOSES,
        hint_msgid=N_("More than 5 years to repay only for a loan to buy your main home."),
    ),
    Field("term_months", N_("Years to repay"), "select", options=YEARS),
    Field("frequency", N_("Paid every"), "select", options=FREQUENCIES),
    # TRANSLATORS: "/mo" is the unit after the field: dollars a month.
    Field("contribution_monthly", N_("Contribute now"), suffix_msgid=N_("/mo")),
    Field(
        "contribution_during_loan_monthly",
        N_("…while repaying"),
        suffix_msgid=N_("/mo"),
        hint_msgid=N_("What you will put in each month while the loan is paid back."),
    ),
)
#: The guide's six questions, asked beside the verdict, which uses the answers.
CRITERIA_FIELDS = (
    Field("crit_stable_job", N_("Is your job stable?"), "tri", options=TRI),
    Field(
        "crit_repay_within_24_months",
        N_("Will you repay within 12–24 months?"),
        "tri",
        options=TRI,
        hint_msgid=N_("Unanswered: judged from the term you chose."),
    ),
    Field("crit_alternatives_exhausted", N_("Have you tried cheaper ways?"), "tri", options=TRI),
    Field(
        "crit_prevents_catastrophe",
        N_("Does it prevent a catastrophe (eviction, foreclosure, medical debt in collections)?"),
        "tri",
        options=TRI,
    ),
    Field(
        "crit_keeps_contributions",
        N_("Will you keep contributing in full?"),
        "tri",
        options=TRI,
        hint_msgid=N_("Unanswered: judged from the contributions you entered."),
    ),
    Field("crit_other_savings", N_("Could other savings repay it if you lost your job?"), "tri", options=TRI),
)
#: The "More" panel's sections: (the title's msgid, its fields).
MORE = (
    (
        N_("Taxes"),
        (
            Field(
                "filing_status",
                N_("Filing status"),
                "select",
                options=(
                    ("single", N_("single")),
                    ("married_joint", N_("married, joint")),
                    ("married_separate", N_("married, separate")),
                    ("head_of_household", N_("head of household")),
                ),
            ),
            Field(
                "taxable_income",
                N_("Taxable income"),
                suffix_msgid="$",
                hint_msgid=N_("With it, the real brackets are used."),
            ),
            Field("marginal_rate_pct", N_("Tax rate now"), "pct", "%"),
            Field(
                "state",
                N_("State"),
                "select",
                options=(("", N_("another state: enter its rate below")),) + tuple(service.state_names()),
                hint_msgid=N_(
                    "Its income tax on withdrawals (and California's 2.5{percent} on early ones), "
                    "from its own law."
                ),
            ),
            Field(
                "state_rate_pct",
                N_("State tax rate"),
                "pct",
                "%",
                hint_msgid=N_("For a state not in the list."),
            ),
            Field("retirement_tax_rate_pct", N_("Tax rate in retirement"), "pct", "%"),
            Field(
                "source",
                N_("Money comes from"),
                "select",
                options=(("pretax", N_("pre-tax")), ("roth", "Roth")),
            ),
        ),
    ),
    (
        # TRANSLATORS: a section of the form: the employer's matching contribution.
        N_("Match"),
        (
            # TRANSLATORS: "$/yr" is the unit after the field: dollars a year.
            Field("salary", N_("Salary"), suffix_msgid=N_("$/yr")),
            Field(
                "match_rate_pct",
                N_("Employer match"),
                "pct",
                "%",
                hint_msgid=N_("Share of your contribution matched."),
            ),
            Field("match_limit_pct", N_("…up to"), "pct", N_("{percent} of pay")),
            Field("salary_growth_pct", N_("Salary growth"), "pct", N_("%/yr")),
            Field(
                "contribution_pct",
                N_("Or contribute a share of pay"),
                "pct",
                N_("{percent} of pay"),
                hint_msgid=N_("Instead of a monthly amount; needs your salary."),
            ),
            Field("contribution_during_loan_pct", N_("…while repaying"), "pct", N_("{percent} of pay")),
        ),
    ),
    (
        N_("Repaying"),
        (
            Field("start_date", N_("Loan starts on"), "date", hint_msgid=N_("Empty means today.")),
            Field("extra_payment", N_("Extra each payment"), suffix_msgid="$"),
            Field(
                "payoff_month",
                N_("Pay it all off in month"),
                "int",
                hint_msgid=N_("A lump sum that month ends the loan."),
            ),
        ),
    ),
    (
        N_("Job risk"),
        (
            Field("job_loss_annual_pct", N_("Chance of losing your job"), "pct", N_("%/yr")),
            Field("cash_on_separation", N_("Cash to repay if you leave"), suffix_msgid="$"),
            Field("public_safety_employee", N_("Public-safety employee"), "bool"),
            Field(
                "years_of_service",
                N_("Years with this employer"),
                "int",
                hint_msgid=N_("Public safety: no 10% after 25 years of service (SECURE 2.0 §329)."),
            ),
            Field("separated_from_service", N_("Already left this employer"), "bool"),
            Field("separation_year_age", N_("Age in the year you left"), "int"),
        ),
    ),
    (
        N_("Money outside"),
        (
            Field(
                "carries_card_balance",
                N_("I carry a card balance"),
                "bool",
                hint_msgid=N_(
                    "Then money you pay toward the loan would otherwise pay down the card: it "
                    '"earns" the card\'s APR.'
                ),
            ),
            Field(
                "liquidity_rate_pct",
                N_("Your spare cash earns"),
                "pct",
                N_("%/yr"),
                hint_msgid=N_(
                    "While you repay: what the money you pay toward the loan would otherwise earn."
                ),
            ),
            Field(
                "outside_tax_drag_pct",
                N_("Tax drag on investing outside"),
                "pct",
                N_("{percent} of return"),
                hint_msgid=N_(
                    "After the loan: the share of a taxable account's return lost to tax each year."
                ),
            ),
            Field(
                "outside_return_pct",
                N_("Or one rate for money outside"),
                "pct",
                N_("%/yr"),
                hint_msgid=N_("Replaces both rates above."),
            ),
        ),
    ),
    (
        N_("Market"),
        (
            Field("annual_return_pct", N_("Yearly return"), "pct", "%"),
            Field("inflation_pct", N_("Inflation"), "pct", "%"),
            Field("retirement_age", N_("Retire at"), "int"),
            Field(
                "stock_pct",
                N_("Stocks in the account"),
                "pct",
                "%",
                hint_msgid=N_("For the history and simulation sections; the rest in bonds."),
            ),
        ),
    ),
    (N_("Alternatives"), ()),  # rows of alt_* fields (alt_fields), drawn by _alternatives.html
    (
        N_("Plan options"),
        (
            Field("outstanding_loan_balance", N_("Loan you owe now"), suffix_msgid="$"),
            Field("highest_loan_balance_12m", N_("Highest loan balance, last 12 months"), suffix_msgid="$"),
            Field("existing_loans", N_("Loans you have now"), "int"),
            Field("origination_fee", N_("Set-up fee"), suffix_msgid="$"),
            Field("annual_fee", N_("Yearly fee"), suffix_msgid="$"),
            Field(
                "plan_type",
                N_("Type of plan"),
                "select",
                options=(
                    ("401k", "401(k)"),
                    ("403b", "403(b)"),
                    ("governmental_457b", N_("governmental 457(b)")),
                ),
                hint_msgid=N_("A governmental 457(b) plan's withdrawals carry no 10% additional tax."),
            ),
            Field("allow_10k_floor", N_("Plan allows the $10,000 floor"), "bool"),
            Field("disaster_loan", N_("Qualified-disaster loan"), "bool"),
        ),
    ),
)
#: The "What if…" panel (issue "What happens if…"): page-only fields that become one event.
WHATIF_KINDS = (
    ("", N_("choose…")),
    ("missed", N_("I miss payments")),
    ("leave", N_("I go on unpaid leave")),
    ("military", N_("I'm called to military service")),
    ("leave_job", N_("I leave my job")),
    ("refinance", N_("I refinance")),
)
WHATIF = (
    Field("whatif", N_("What if…"), "select", options=WHATIF_KINDS),
    Field("whatif_month", N_("In month"), "int", hint_msgid=N_("Of the loan: month 1 is the first payment.")),
    Field(
        "whatif_count",
        N_("How many"),
        "int",
        hint_msgid=N_("Payments missed, or months of leave or service."),
    ),
    Field(
        "whatif_amount",
        N_("New loan amount"),
        suffix_msgid="$",
        hint_msgid=N_("Refinancing only: the new loan's amount."),
    ),
)
#: "What payment can I afford?": the amount a payment buys (the schedule's inverse), page-only.
AFFORD = Field(
    "afford_payment",
    N_("What payment can you afford?"),
    suffix_msgid="$",
    hint_msgid=N_("Each payment, on the rate, term and pay schedule above: the loan it buys."),
)
#: The page's own fields: never part of the API's input.
WHATIF_NAMES = tuple(f.name for f in WHATIF) + (AFFORD.name,)

#: Alternatives: several rows of the same five fields (alt_kind_0, alt_apr_pct_0, ...).
ALT_ROWS = 4  # rows the form always offers
MAX_ALTS = 20  # LoanInput.alternatives max_length
ALT_VISIBLE = (
    ("kind", N_("Kind"), "select", "", ALT_KINDS),
    ("apr_pct", N_("APR"), "pct", "%", ()),
    # TRANSLATORS: an alternative loan's term; "months" is the unit after the field.
    ("term_months", N_("Term"), "int", N_("months"), ()),
    ("fee_pct", N_("Fee"), "pct", "%", ()),
    ("promo_months", N_("Months at 0 %"), "int", "", ()),
)
ALT_HIDDEN = ("label", "fee", "promo_apr_pct")  # saved through the API; carried, not shown


def alt_fields(row: int) -> tuple[Field, ...]:
    return tuple(
        Field(f"alt_{key}_{row}", label, kind, suffix, options=options)
        for key, label, kind, suffix, options in ALT_VISIBLE
    )


ALT_FIELDS = tuple(f for row in range(MAX_ALTS) for f in alt_fields(row))
ALL_FIELDS = MAIN + tuple(f for _title, group in MORE for f in group) + CRITERIA_FIELDS
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


# --------------------------------------------------------------------------- choices that follow the plan


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    home: bool = False  # a term only a loan to buy your main home may have
    hidden: bool = False  # not offered for the purpose chosen (app.js shows it when it is)
    disabled: bool = False


def choices(values: Mapping[str, str]) -> Choices:
    """The law's and the active plan profile's choices for these form values."""
    return choices_for(values.get("plan") or None)


def term_options(values: Mapping[str, str]) -> list[Option]:
    """The term select's options, in years: every year up to the law's five for any loan,
    then the home-loan terms up to the cap of the plan (or the law) - hidden unless the loan
    is to buy a main home. The current value is kept even when not offered, so a share link
    shows it (with its error beside it)."""
    allowed = choices(values)
    home = values.get("purpose") == "residence"
    cap = allowed.home_term_months or 0
    months = [m for m in (12, 24, 36, 48, 60, 120, 180, 240, 300, 360) if m <= max(cap, 60)]
    if cap > 60 and cap not in months:
        months.append(cap)
    current = values.get("term_months", "")
    if current.isascii() and current.isdigit() and int(current) not in months:
        months.append(int(current))
    out = []
    for m in sorted(months):
        longer = m > allowed.general_term_months
        # TRANSLATORS: a term only a loan to buy the main home may have: "10 years (home only)".
        text = _("{term} (home only)").format(term=years(m)) if longer else years(m)
        out.append(Option(str(m), text, home=longer, hidden=longer and not home and str(m) != current))
    return out


def select_options(spec: Field, values: Mapping[str, str]) -> list[Option]:
    """A select's options under the active plan: its terms, its pay frequencies, and no home
    loan when the plan makes none."""
    if spec.name == "term_months":
        return term_options(values)
    allowed = choices(values)
    current = values.get(spec.name, "")
    if spec.name == "frequency":
        offered = set(allowed.frequencies)
        return [Option(v, t) for v, t in spec.option_words if v in offered or v == current]
    if spec.name == "purpose" and allowed.home_term_months is None:
        return [
            Option(
                v,
                # TRANSLATORS: a choice the plan does not allow: "buying my main home (not offered…)".
                _("{choice} (not offered by this plan)").format(choice=t) if v == "residence" else t,
                disabled=v == "residence",
            )
            if v != current
            else Option(v, t)
            for v, t in spec.option_words
        ]
    return [Option(v, t) for v, t in spec.option_words]


def select_default(name: str, values: Mapping[str, str]) -> str:
    """The choice a select shows when the form values leave it out: the plan's, else the
    calculator's (a select always sends one, so it must be the one the answer used)."""
    return choices(values).defaults.get(name) or SELECT_DEFAULTS.get(name, "")


def purpose_hint(values: Mapping[str, str]) -> str:
    """The purpose field's hint: how long a loan each purpose may run, under the active plan."""
    allowed = choices(values)
    general = years(allowed.general_term_months)
    if allowed.home_term_months is None:
        return _("At most {term}: {plan} makes no loans to buy a home.").format(
            term=general, plan=allowed.plan_name
        )
    home = years(allowed.home_term_months)
    if allowed.plan_name:
        return _(
            "More than {general} to repay only for a loan to buy your main home: "
            "up to {home} under {plan}'s rules."
        ).format(general=general, home=home, plan=allowed.plan_name)
    return _("More than {general} to repay only for a loan to buy your main home: up to {home}.").format(
        general=general, home=home
    )
