"""Plan profiles: an employer plan's own loan rules, one YAML file per plan (docs/plans.md).

A profile names the plan and its type and gives each rule with its source in the plan
document. It sets the defaults of the inputs it covers (the person can still enter what
they know better: their own rate, say) and the limits a plan may set (a minimum loan, a
number of loans, home-loan terms, payroll frequencies). The loader is strict: an unknown or
repeated key, a rule without a source, a value of the wrong kind is an error naming the
file, the key and the line.

Profiles come from the server's plans directory (`LOAN401K_PLANS_DIR`, default the ones
shipped in `loan401k/plans/`), by id; the CLI's `--plan FILE` registers a file for the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .. import i18n
from ..engine.events import frequency_words
from ..i18n import N_
from ..models import InputError, LoanInput, Problem
from ..money import HUNDRED, D
from ..params import Snapshot

SHIPPED = Path(__file__).resolve().parent.parent / "plans"
PLAN_TYPES = ("401k", "403b", "governmental_457b")
FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly", "quarterly")
META = {"id", "name", "plan_type", "document", "accent_color", "rules"}

#: rule -> (kind, the input field it sets); kind: money | pct | int | bool | choice | list
RULES: dict[str, tuple[str, str | None]] = {
    "loan_rate_prime_plus_pct": ("pct", "annual_rate_pct"),
    "loan_rate_pct": ("pct", "annual_rate_pct"),
    "origination_fee": ("money", "origination_fee"),
    "annual_fee": ("money", "annual_fee"),
    "min_loan": ("money", "min_loan"),
    "max_loans": ("int", "max_loans"),
    "allow_10k_floor": ("bool", "allow_10k_floor"),
    "residence_loans": ("bool", None),
    "residence_max_term_months": ("int", None),
    "payroll_frequencies": ("list", "frequency"),
    "cure_period_days": ("int", "cure_period_days"),
    "separation_policy": ("choice", "separation_policy"),
    "separation_offset_days": ("int", "separation_offset_days"),
    "leave_repayment": ("choice", "leave_repayment"),
    "leave_reamortize_to": ("choice", "leave_reamortize_to"),
    "roth_loans": ("bool", None),
    "match_rate_pct": ("pct", "match_rate_pct"),
    "match_limit_pct": ("pct", "match_limit_pct"),
}
CHOICES = {
    "separation_policy": ("offset", "continue"),
    "leave_repayment": ("reamortize", "balloon"),
    "leave_reamortize_to": ("original_maturity", "latest_permissible"),
}


class PlanError(ValueError):
    """A profile file that does not follow the format (file, key, line)."""


@dataclass(frozen=True)
class PlanRule:
    name: str
    value: Any
    source: str  # where the plan document says so


@dataclass(frozen=True)
class PlanProfile:
    id: str
    name: str
    plan_type: str
    document: str
    rules: dict[str, PlanRule]
    accent_color: str | None = None
    path: str = ""

    def get(self, name: str, default: Any = None) -> Any:
        rule = self.rules.get(name)
        return default if rule is None else rule.value


# --------------------------------------------------------------------------- loading


def _fail(path: Path, node: yaml.Node, message: str) -> PlanError:
    return PlanError(f"{path}: line {node.start_mark.line + 1}: {message}")


def _mapping(path: Path, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A YAML mapping as {key: (key node, value node)}; a repeated key is an error."""
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, f"{what} must be a mapping of keys to values")
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in out:
            raise _fail(path, key, f"{name!r} appears twice")
        out[name] = (key, value)
    return out


def _scalar(path: Path, node: yaml.Node, name: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(path, node, f"{name} must be a single value")
    return yaml.safe_load(yaml.serialize(node))


def _rule_value(path: Path, node: yaml.Node, name: str, kind: str) -> Any:
    if kind == "list":
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise _fail(path, node, f"{name} must be a non-empty list")
        values = [_scalar(path, item, name) for item in node.value]
        bad = [v for v in values if v not in FREQUENCIES]
        if bad:
            raise _fail(path, node, f"{name}: {bad[0]!r} is not one of {', '.join(FREQUENCIES)}")
        return tuple(values)
    raw = _scalar(path, node, name)
    if kind == "bool":
        if not isinstance(raw, bool):
            raise _fail(path, node, f"{name} must be true or false")
        return raw
    if kind == "choice":
        if raw not in CHOICES[name]:
            raise _fail(path, node, f"{name}: {raw!r} is not one of {', '.join(CHOICES[name])}")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(path, node, f"{name} must be a number")
    if kind == "int":
        if not isinstance(raw, int) or raw < 0:
            raise _fail(path, node, f"{name} must be a whole number, 0 or more")
        return raw
    number = D(raw)
    if number < 0:
        raise _fail(path, node, f"{name} must be 0 or more")
    return number


def load_profile(path: Path) -> PlanProfile:
    """Read one profile file, strictly."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot be read as YAML ({exc})") from None
    if root is None:
        raise PlanError(f"{path}: the file is empty")
    top = _mapping(path, root, "a profile")
    for name, (key, _) in top.items():
        if name not in META:
            raise _fail(path, key, f"unknown key {name!r}; allowed: {', '.join(sorted(META))}")
    for required in ("id", "name", "plan_type", "document", "rules"):
        if required not in top:
            raise PlanError(f"{path}: missing key {required!r}")
    meta = {name: _scalar(path, value, name) for name, (_, value) in top.items() if name != "rules"}
    if meta["plan_type"] not in PLAN_TYPES:
        raise _fail(path, top["plan_type"][1], f"plan_type must be one of {', '.join(PLAN_TYPES)}")
    rules: dict[str, PlanRule] = {}
    for name, (key, value) in _mapping(path, top["rules"][1], "rules").items():
        if name not in RULES:
            raise _fail(path, key, f"unknown rule {name!r}; allowed: {', '.join(RULES)}")
        entry = _mapping(path, value, name)
        extra = set(entry) - {"value", "source"}
        if extra:
            raise _fail(path, entry[sorted(extra)[0]][0], f"{name}: unknown key {sorted(extra)[0]!r}")
        if "source" not in entry or not str(_scalar(path, entry["source"][1], "source") or "").strip():
            raise _fail(path, key, f"{name}: every rule needs its source in the plan document")
        if "value" not in entry:
            raise _fail(path, key, f"{name}: missing value")
        kind = RULES[name][0]
        rules[name] = PlanRule(
            name,
            _rule_value(path, entry["value"][1], name, kind),
            str(_scalar(path, entry["source"][1], "source")),
        )
    if "loan_rate_prime_plus_pct" in rules and "loan_rate_pct" in rules:
        raise _fail(path, top["rules"][1], "give loan_rate_prime_plus_pct or loan_rate_pct, not both")
    return PlanProfile(
        id=str(meta["id"]),
        name=str(meta["name"]),
        plan_type=str(meta["plan_type"]),
        document=str(meta["document"]),
        rules=rules,
        accent_color=None if meta.get("accent_color") is None else str(meta["accent_color"]),
        path=str(path),
    )


_REGISTERED: dict[str, PlanProfile] = {}


def register(path: Path) -> PlanProfile:
    """A profile file for this process (the CLI's --plan FILE), found by its id."""
    profile = load_profile(path)
    _REGISTERED[profile.id] = profile
    return profile


def plans_dir() -> Path:
    return Path(os.environ.get("LOAN401K_PLANS_DIR") or SHIPPED)


@lru_cache(maxsize=8)
def _directory(directory: str) -> dict[str, PlanProfile]:
    found: dict[str, PlanProfile] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        profile = load_profile(path)
        found[profile.id] = profile
    return found


def available() -> dict[str, PlanProfile]:
    return {**_directory(str(plans_dir())), **_REGISTERED}


def profile_for(plan_id: str) -> PlanProfile:
    known = available()
    if plan_id not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise InputError(
            [Problem(field="plan", message=f"{plan_id!r} is not a known plan; known plans: {listed}")]
        )
    return known[plan_id]


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class Applied:
    inputs: LoanInput
    profile: PlanProfile | None
    notes: list[str] = field(default_factory=list)


def apply_profile(inputs: LoanInput, law: Snapshot) -> Applied:
    """The input with the profile's rules as defaults, checked against the plan's limits."""
    if inputs.plan is None:
        return Applied(inputs, None)
    profile = profile_for(inputs.plan)
    given = inputs.model_fields_set
    fill: dict[str, Any] = {}
    for name, rule in profile.rules.items():
        target = RULES[name][1]
        if target is None or target in given:
            continue
        if target.startswith("match_") and not inputs.salary:
            continue  # the match formula needs the salary: without it there is no match to count
        if name == "loan_rate_prime_plus_pct":
            fill[target] = law["prime_rate"] * HUNDRED + rule.value
        elif name == "payroll_frequencies":
            fill[target] = rule.value[0]
        else:
            fill[target] = rule.value
    if "plan_type" not in given:
        fill["plan_type"] = profile.plan_type
    checked = inputs.model_copy(update=fill)
    # the profile's values are defaults, not what the person entered
    object.__setattr__(checked, "__pydantic_fields_set__", set(given))
    check_against(checked, profile)
    return Applied(checked, profile)


def check_against(inputs: LoanInput, profile: PlanProfile) -> None:
    """The plan's own limits, each naming the field to change and the plan's rule."""
    problems: list[Problem] = []
    frequencies = profile.get("payroll_frequencies")
    if frequencies and inputs.frequency not in frequencies:
        problems.append(
            Problem(
                field="frequency",
                message=f"{inputs.frequency!r} payments are not offered by {profile.name}; "
                f"allowed: {', '.join(repr(f) for f in frequencies)}",
            )
        )
    if inputs.purpose == "residence":
        if profile.get("residence_loans") is False:
            problems.append(Problem(field="purpose", message=f"{profile.name} makes no home-purchase loans"))
        cap = profile.get("residence_max_term_months")
        if cap is not None and inputs.term_months > cap:
            problems.append(
                Problem(
                    field="term_months",
                    message=f"{inputs.term_months} is longer than {profile.name} allows for a loan to "
                    f"buy your main home; allowed range: 1 to {cap} months",
                )
            )
    if inputs.source == "roth" and profile.get("roth_loans") is False:
        problems.append(Problem(field="source", message=f"{profile.name} makes no loans from Roth money"))
    if problems:
        raise InputError(problems)


LABELS = {
    "loan_rate_prime_plus_pct": N_("Loan rate"),
    "loan_rate_pct": N_("Loan rate"),
    "origination_fee": N_("Set-up fee"),
    "annual_fee": N_("Yearly fee"),
    "min_loan": N_("Smallest loan"),
    "max_loans": N_("Loans at a time"),
    "allow_10k_floor": N_("The $10,000 floor"),
    "residence_loans": N_("Home-purchase loans"),
    "residence_max_term_months": N_("Longest home loan"),
    "payroll_frequencies": N_("Repaid every"),
    "cure_period_days": N_("Time to make up a missed payment"),
    "separation_policy": N_("If you leave your job"),
    "separation_offset_days": N_("Time to repay after leaving"),
    "leave_repayment": N_("After an unpaid leave"),
    "leave_reamortize_to": N_("Re-amortized to"),
    "roth_loans": N_("Loans from Roth money"),
    "match_rate_pct": N_("Employer match"),
    "match_limit_pct": N_("Match on contributions up to"),
}
PHRASES = {
    "offset": N_("the loan is offset against your account"),
    "continue": N_("you may keep repaying"),
    "reamortize": N_("payments are re-amortized"),
    "balloon": N_("the old payment resumes, the rest due at the end"),
    "original_maturity": N_("the loan's original last date"),
    "latest_permissible": N_("five years from the loan"),
}


def _rule_shown(name: str, kind: str, value: Any) -> str:
    """A plan rule's value in words, in the current language."""
    if name == "loan_rate_prime_plus_pct":
        return i18n.gettext("prime + {spread}").format(spread=i18n.percent(value, max_digits=10))
    if kind == "list":
        return ", ".join(frequency_words(item) for item in value)
    if kind == "bool":
        return i18n.gettext("yes") if value else i18n.gettext("no")
    if kind == "choice":
        return i18n.gettext(PHRASES[value])
    if kind == "pct":
        return i18n.percent(value, max_digits=10)
    if kind == "money":
        return i18n.currency(value, auto=True)
    if name.endswith("_days"):
        return i18n.ngettext("{n} day", "{n} days", value).format(n=value)
    if name.endswith("_months") and value % 12 == 0:
        return i18n.ngettext("{n} year", "{n} years", value // 12).format(n=value // 12)
    if name.endswith("_months"):
        return i18n.ngettext("{n} month", "{n} months", value).format(n=value)
    return str(value)


def rule_words(profile: PlanProfile) -> list[tuple[str, str, str]]:
    """(rule, value in words, source) for "Show your work"."""
    return [
        (i18n.gettext(LABELS[name]), _rule_shown(name, RULES[name][0], rule.value), rule.source)
        for name, rule in profile.rules.items()
    ]
