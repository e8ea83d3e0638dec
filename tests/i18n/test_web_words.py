"""The page's Python-made words in the request's language (web/words.py, form.py, figures.py,
answer.py, csrf.py): the exact Spanish of the catalogue, and in English the text as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from starlette.requests import Request

from loan401k import i18n
from loan401k.web import csrf, figures, form, view, words

MARCH_1 = dt.date(2027, 3, 1)


def asked(kind: str, count: int = 0, **more: object) -> SimpleNamespace:
    """What the "What if…" panel asked, dated as service.events.loan_month dates it."""
    when = SimpleNamespace(
        month=10,
        payment_date=MARCH_1,
        before_payment=MARCH_1,
        window_end=dt.date(2027, 8, 31),
        after_payment=dt.date(2027, 3, 2),
    )
    return SimpleNamespace(kind=kind, when=when, count=count, **more)


# --------------------------------------------------------------------------- dates, terms, plurals


@pytest.mark.parametrize(("locale", "expected"), [("en", "March 1, 2027"), ("es", "1 de marzo de 2027")])
def test_a_date_in_words(locale, expected):
    with i18n.use_locale(locale):
        assert words.date(MARCH_1) == expected
        assert words.date(None) == ""
        # a citation's ISO date, as every date on the page
        assert expected in words.plain_citation("FOMC decision of 2027-03-01")


def test_terms_and_counts_take_the_plural_of_their_language():
    with i18n.use_locale("en"):
        assert [words.term(m) for m in (12, 24, 18, 60)] == ["1 year", "2 years", "18 months", "5 years"]
        assert [words.reasons(["x"] * n) for n in (0, 1, 3)] == ["0 reasons", "1 reason", "3 reasons"]
    with i18n.use_locale("es"):
        assert [words.term(m) for m in (12, 24, 18, 60)] == ["1 año", "2 años", "18 meses", "5 años"]
        assert [words.reasons(["x"] * n) for n in (0, 1, 3)] == ["0 razones", "1 razón", "3 razones"]
        assert words.per("biweekly") == "cada dos semanas"
        assert words.per("unknown") == "cada período"
        assert words.cost_verb(Decimal(1)) == "le cuesta unos"


# --------------------------------------------------------------------------- the form


def test_a_fields_label_hint_unit_and_choices():
    vested, match_limit = form.BY_NAME["vested_balance"], form.BY_NAME["match_limit_pct"]
    purpose = form.BY_NAME["purpose"]
    with i18n.use_locale("en"):
        assert vested.label == "Vested balance"
        assert vested.hint == "Includes any loan you owe the plan now."
        assert match_limit.suffix == "% of pay"
        assert [o.text for o in form.select_options(purpose, {})] == ["anything else", "buying my main home"]
        assert words.field_label("alt_apr_pct_1") == "Option 2: APR"
    with i18n.use_locale("es"):
        assert vested.label == "Saldo adquirido"
        assert vested.hint.startswith("La parte de su cuenta que ya es suya")
        assert match_limit.suffix == "% del sueldo"
        assert [o.text for o in form.select_options(purpose, {})] == [
            "cualquier otra cosa",
            "comprar mi vivienda principal",
        ]
        assert words.field_label("tax_year") == "Año tributario"
        assert words.field_label("alt_term_months_0") == "Opción 1: Plazo"
        # the same label in a message's field code
        assert words.plain_message("amount", "vested_balance is low") == "“Saldo adquirido” is low"


def test_the_terms_a_plan_allows_in_words():
    values = {"plan": "acme-401k", "purpose": "residence"}
    with i18n.use_locale("en"):
        assert [o.text for o in form.term_options(values)][-1] == "10 years (home only)"
        assert form.purpose_hint(values) == (
            "More than 5 years to repay only for a loan to buy your main home: "
            "up to 10 years under Acme Corp 401(k) Savings Plan's rules."
        )
    with i18n.use_locale("es"):
        assert [o.text for o in form.term_options(values)][-1] == "10 años (solo para vivienda)"
        assert form.purpose_hint(values) == (
            "Más de 5 años para pagarlo solo en un préstamo para comprar su vivienda principal: "
            "hasta 10 años según las reglas de Acme Corp 401(k) Savings Plan."
        )
        assert words.plain_message("term_months", "120 is out of range for a general loan", {}) == (
            "Un plazo de 10 años solo se permite en un préstamo para comprar su vivienda principal: "
            "elija “comprar mi vivienda principal” en “El préstamo es para”, o un máximo de 5 años "
            "(IRC §72(p)(2)(B))."
        )


# --------------------------------------------------------------------------- "What if…"


def test_a_what_if_question_with_its_figures():
    leave, refinance = asked("leave", 4), asked("refinance", amount="9000", term_months=60)
    with i18n.use_locale("en"):
        assert words.whatif_question(leave) == (
            "I go on unpaid leave for 4 months from month 10 (March 1, 2027 to August 31, 2027)"
        )
        assert words.whatif_question(refinance) == (
            "I refinance in month 10, on March 2, 2027, into a new loan of $9,000 over 5 years"
        )
        assert words.whatif_question(asked("missed", 1)) == (
            "I miss 1 payment from month 10 (the first due March 1, 2027), then pay as before"
        )
    with i18n.use_locale("es"):
        assert words.whatif_question(leave) == (
            "Tomo una licencia sin goce de sueldo de 4 meses a partir del mes 10 "
            "(del 1 de marzo de 2027 al 31 de agosto de 2027)"
        )
        assert words.whatif_question(refinance) == (
            "Refinancio el préstamo en el mes 10, el 2 de marzo de 2027, "
            "con un préstamo nuevo de $9,000 a 5 años"
        )
        assert words.whatif_question(asked("missed", 1)) == (
            "Dejo de hacer 1 pago en el mes 10 (vence el 1 de marzo de 2027) y después pago como antes"
        )
        assert words.whatif_question(asked("missed", 2)) == (
            "Dejo de hacer 2 pagos a partir del mes 10 (el primero vence el 1 de marzo de 2027) "
            "y después pago como antes"
        )
        assert (
            words.whatif_question(asked("leave_job")) == "Dejo mi empleo en el mes 10, el 2 de marzo de 2027"
        )


def test_the_cheapest_option_in_a_sentence():
    loan = SimpleNamespace(kind="401k_loan", label="401(k) loan", cost=Decimal("20431"))
    personal = SimpleNamespace(kind="personal_loan", label="Personal loan", cost=Decimal("6957"))
    comparison = SimpleNamespace(options=[personal, loan])
    with i18n.use_locale("en"):
        assert words.cheapest_sentence(comparison) == (
            "Personal loan is cheapest: $6,957, $13,474 less than the 401(k) loan."
        )
    with i18n.use_locale("es"):
        assert words.cheapest_sentence(comparison) == (
            "Personal loan es la opción más barata: $6,957, $13,474 menos que el préstamo de su plan 401(k)."
        )


# --------------------------------------------------------------------------- charts, the save's refusal


def test_the_charts_words_follow_the_language():
    page = view.analyze_page(dict(form.STARTER), market=False)
    with i18n.use_locale("en"):
        charts = figures.chart_set(page)
        assert 'aria-label="How the cost splits: Price of the credit $' in charts["breakdown"]
        assert [label for _key, label, _value, _cls in figures.cost_parts(page.result)][
            0
        ] == "Price of the credit"
    with i18n.use_locale("es"):
        charts = figures.chart_set(page)
        assert 'aria-label="De qué se compone el costo: Precio del crédito $' in charts["breakdown"]
        assert "Sin el préstamo" in charts["balance"] and "Without the loan" not in charts["balance"]
        assert [str(label) for _key, label, *_rest in figures.FAN_LINES] == [
            "Percentil 90",
            "Mediana",
            "Percentil 10",
        ]


def test_a_refused_save_says_why_in_the_readers_language():
    request = Request({"type": "http", "method": "POST", "path": "/save", "headers": [], "query_string": b""})
    with i18n.use_locale("en"):
        assert csrf.refusal(request, {}) == (
            "This save did not come with the page's token (the page may be old, or cookies are off). "
            "Reload the calculator page and save again."
        )
    with i18n.use_locale("es"):
        assert csrf.refusal(request, {}).startswith("Este intento de guardar no trajo el código de la página")
