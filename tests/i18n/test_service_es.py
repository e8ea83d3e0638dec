"""The service's sentences in the request's language (issue 15): the verdict's reasons, the
steps of "How the cost adds up", the assumptions, the comparison's options and the events'
notes come back in Spanish for `Accept-Language: es`, with the API's field names, codes and
figures unchanged; without the header they are the English the library writes."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import loan401k
from loan401k import i18n
from loan401k.app import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# tests/api/test_api.py's BASE: EXAMPLES.md "True cost", with a fixed start date.
BASE: dict[str, Any] = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "annual_return_pct": 7,
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-01",
    "paths": 200,
    "alternatives": [{"kind": "credit_card", "apr_pct": 22}, {"kind": "personal_loan", "apr_pct": 12}],
}
# tests/service/test_events.py's LEAVE_CASE: Q&A-9(a)'s $40,000 at 8.75 % over five years.
LEAVE_CASE: dict[str, Any] = {
    "age": 40,
    "vested_balance": 80000,
    "amount": 40000,
    "annual_rate_pct": 8.75,
    "term_months": 60,
    "start_date": "2025-07-01",
    "contribution_monthly": 400,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "job_loss_annual_pct": 0,
}
SPANISH = {"Accept-Language": "es"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('service_es') / 's.db'}")
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def analysis(client) -> tuple[dict[str, Any], dict[str, Any]]:
    english = client.post("/api/v1/analysis", json=BASE)
    spanish = client.post("/api/v1/analysis", json=BASE, headers=SPANISH)
    assert english.status_code == spanish.status_code == 200
    return english.json(), spanish.json()


def keys(value: Any) -> Any:
    """The shape of a JSON value: its keys all the way down, without the values."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(item) for item in value]
    return None


# --------------------------------------------------------------------------- analysis


def test_without_the_header_the_analysis_is_the_english_the_library_writes(analysis):
    english, _spanish = analysis
    assert english == loan401k.analyze(BASE).model_dump(mode="json")
    assert (
        "Cutting contributions to $200 a month while repaying costs $32,213 at 65 (the match and "
        "the tax shelter given up, net of the take-home pay you keep)." in english["verdict"]["reasons"]
    )
    assert (
        "Without other savings to repay the balance after a job loss: if you leave your job in month "
        "12 you must find $7,921 by April 18, 2028 (or roll the balance over), and it costs you "
        "$35,187 at 65 net." in english["verdict"]["reasons"]
    )
    assert english["steps"][-1]["text"] == (
        "Total $52,013.53 at 65, beyond the money itself: $21,917.00 in today's dollars, $7,118.20 "
        "today at what your money outside earns, $1.73 for each dollar borrowed."
    )


def test_the_verdicts_reasons_are_in_spanish_with_their_figures(analysis):
    _english, spanish = analysis
    reasons = spanish["verdict"]["reasons"]
    assert (
        "Pagar el préstamo en 60 meses deja el dinero fuera del mercado más tiempo que los 12 a 24 "
        "meses que aconseja la guía." in reasons
    )
    assert (
        "Bajar sus aportaciones a $200 al mes mientras paga el préstamo le cuesta $32,213 a los 65 "
        "años (la aportación equivalente de su empleador y la ventaja tributaria que pierde, menos el "
        "sueldo neto que conserva)." in reasons
    )
    assert (
        "Sin otros ahorros para pagar el saldo si pierde su empleo: si deja su empleo en el mes 12, "
        "tendrá que conseguir $7,921 a más tardar el 18 de abril de 2028 (o hacer una reinversión del "
        "saldo), y eso le cuesta $35,187 netos a los 65 años." in reasons
    )
    assert (
        "Préstamo personal 12% a 60 meses (el plazo del préstamo de su plan) cuesta $1,423 menos que "
        "el préstamo de su plan 401(k), medido de la misma manera." in reasons
    )
    assert not any("the" in reason.split() for reason in reasons), reasons


def test_the_steps_of_the_cost_are_in_spanish_with_their_figures(analysis):
    _english, spanish = analysis
    texts = {step["rule"]: step["text"] for step in spanish["steps"]}
    assert texts["fees"] == "Su plan no cobra cargos por el préstamo (según lo que usted anotó)."
    assert texts["contributions"] == (
        "Si aporta menos mientras paga el préstamo: la cuenta deja de recibir $162,588 hasta los 65 "
        "años (aportaciones y aportación equivalente de su empleador, antes de impuestos); el sueldo "
        "neto que conserva crece fuera del plan. Neto, después de impuestos: $32,213."
    )
    assert texts["total"] == (
        "Total: $52,013.53 a los 65 años, además del dinero mismo: $21,917.00 en dólares de hoy, "
        "$7,118.20 hoy según lo que gana su dinero fuera del plan, $1.73 por cada dólar que pide prestado."
    )
    assert texts["plan_difference"].startswith(
        "Si lo pide prestado de su plan 401(k): su dinero deja de ganar $51,779 hasta los 65 años"
    )
    assert spanish["outside"]["summary"] == (
        "El dinero fuera del plan gana 3.28% al año mientras paga el préstamo (efectivo, después de "
        "impuestos) y luego su 7% menos un 10% que se pierde en impuestos."
    )
    assumptions = {item["name"]: item for item in spanish["assumptions"]}
    assert assumptions["inflation_pct"]["value"] == "2.5% al año"
    assert assumptions["annual_rate_pct"]["source"] == "lo anotó usted"


def test_the_field_names_codes_and_figures_stay_as_they_are(analysis):
    english, spanish = analysis
    assert keys(spanish) == keys(english)
    assert spanish["cost"] == english["cost"]
    assert spanish["cost"]["total"] == english["cost"]["total"] == 52013.53
    assert spanish["verdict"]["level"] == english["verdict"]["level"]
    assert spanish["verdict"]["criteria"] == english["verdict"]["criteria"]
    assert [s["rule"] for s in spanish["steps"]] == [s["rule"] for s in english["steps"]]
    assert [s["value"] for s in spanish["steps"]] == [s["value"] for s in english["steps"]]
    assert [s["citation"] for s in spanish["steps"]] == [s["citation"] for s in english["steps"]]
    assert spanish["outside"]["liquidity_source"] == english["outside"]["liquidity_source"] == "t_bill"


def test_a_library_call_in_spanish_gives_the_apis_spanish():
    """The sentences are made in the language current when they are made (no cache keeps them)."""
    with i18n.use_locale("es"):
        spanish = loan401k.analyze(BASE)
    english = loan401k.analyze(BASE)
    assert spanish.steps[-1].text.startswith("Total: $52,013.53 a los 65 años")
    assert english.steps[-1].text.startswith("Total $52,013.53 at 65")
    assert spanish.cost == english.cost


# --------------------------------------------------------------------------- comparison


def test_the_comparisons_options_are_in_spanish(client):
    english = client.post("/api/v1/comparison", json=BASE).json()
    spanish = client.post("/api/v1/comparison", json=BASE, headers=SPANISH).json()
    assert english == loan401k.compare(BASE).model_dump(mode="json")
    options = {option["kind"]: option for option in spanish["options"]}
    assert options["401k_loan"]["label"] == "Préstamo de su plan 401(k)"
    assert (
        options["credit_card"]["label"]
        == "Tarjeta de crédito 22% a 60 meses (el plazo del préstamo de su plan)"
    )
    assert options["credit_card"]["risks"][0] == (
        "Tasa variable: la APR de las tarjetas sigue a la tasa preferencial (prime) y puede subir."
    )
    assert options["401k_loan"]["formula"].startswith("precio del crédito 18,104.67 + ")
    assert [o["kind"] for o in spanish["options"]] == [o["kind"] for o in english["options"]]
    assert [o["cost"] for o in spanish["options"]] == [o["cost"] for o in english["options"]]


# --------------------------------------------------------------------------- events


def test_the_events_notes_are_in_spanish(client):
    data = {**LEAVE_CASE, "events": [{"kind": "missed_payments", "date": "2026-02-01", "resume": False}]}
    english = client.post("/api/v1/events", json=data).json()
    spanish = client.post("/api/v1/events", json=data, headers=SPANISH).json()
    assert english == loan401k.events(data).model_dump(mode="json")
    notes = {note["kind"]: note["text"] for note in spanish["events"]}
    assert notes["missed_payment"] == (
        "No se hizo el pago que vencía el 1 de febrero de 2026. Póngase al día a más tardar el 30 de "
        "junio de 2026 (el final del período de gracia; los pagos siguientes cubren primero el pago no "
        "realizado más antiguo), o todo el saldo se tratará como distribución."
    )
    assert notes["deemed_distribution"].startswith(
        "El pago que vencía el 1 de febrero de 2026 no se hizo a más tardar el 30 de junio de 2026: "
        "todo el saldo, $38,362.03 con los intereses acumulados, se trata como distribución ese día."
    )
    assert spanish["cost_text"] == (
        "Estos eventos terminan en un préstamo tratado como distribución de $38,362.03 el 30 de junio "
        "de 2026: $12,275.85 de impuestos e impuesto adicional a pagar a más tardar el 15 de abril de "
        "2027. Le cuestan $40,929 a los 65 años frente al préstamo tal como se planeó, después de impuestos."
    )
    assert [n["kind"] for n in spanish["events"]] == [n["kind"] for n in english["events"]]
    assert spanish["cost_vs_plan"] == english["cost_vs_plan"]
    assert spanish["distributions"][0]["form_1099r_code"] == english["distributions"][0]["form_1099r_code"]


def test_leaving_the_job_a_leave_and_a_payroll_change_in_spanish(client):
    data = {
        **LEAVE_CASE,
        "events": [
            {"kind": "frequency_change", "date": "2026-03-15", "frequency": "biweekly"},
            {"kind": "separation", "date": "2027-05-15"},
        ],
    }
    spanish = client.post("/api/v1/events", json=data, headers=SPANISH).json()
    notes = {note["kind"]: note["text"] for note in spanish["events"]}
    assert notes["frequency_change"].startswith("Su nómina pasa a pago cada dos semanas: ")
    assert notes["separation"].startswith("Usted deja su empleo el 15 de mayo de 2027; ")
    assert "a menos que haga una reinversión a más tardar el" in spanish["cost_text"]
    leave = {**LEAVE_CASE, "events": [{"kind": "leave", "start": "2026-04-02", "end": "2027-04-01"}]}
    spanish = client.post("/api/v1/events", json=leave, headers=SPANISH).json()
    assert spanish["events"][0]["text"] == (
        "Los pagos se reanudan el 1 de mayo de 2027 con $1,130.26 (para terminar a más tardar en la "
        "fecha límite del préstamo, el 1 de julio de 2030; nunca menos que el pago original de $825.49)."
    )


def test_an_events_mistake_is_explained_in_spanish(client):
    data = {**LEAVE_CASE, "events": [{"kind": "leave", "start": "2025-04-02", "end": "2025-06-01"}]}
    response = client.post("/api/v1/events", json=data, headers=SPANISH)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["field"] == "events.0.start"
    assert (
        "el 2 de abril de 2025 no es posterior al inicio del préstamo, el 1 de julio de 2025"
        in problem["message"]
    )


# --------------------------------------------------------------------------- limit and tax


def test_the_limit_and_the_tax_steps_are_in_spanish(client):
    data = {
        "vested_balance": 15000,
        "outstanding_loan_balance": 2000,
        "highest_loan_balance_12m": 5000,
        "allow_10k_floor": True,
        "amount": 12000,
    }
    english = client.post("/api/v1/limit", json=data).json()
    spanish = client.post("/api/v1/limit", json=data, headers=SPANISH).json()
    assert english["steps"][1]["text"] == "50% of the vested balance $15,000 = $7,500"
    assert spanish["steps"][1]["text"] == "el 50% del saldo adquirido de $15,000 = $7,500"
    assert spanish["steps"][-1]["text"] == (
        "Usted pidió $12,000: los $4,000 por encima del límite serían un préstamo tratado como "
        "distribución, tributable (y sujeto al impuesto adicional del 10%) desde que se hace el préstamo"
    )
    assert [s["rule"] for s in spanish["steps"]] == [s["rule"] for s in english["steps"]]
    assert spanish["max_loan"] == english["max_loan"]
    tax = {"age": 45, "amount": 10000, "marginal_rate_pct": 22, "state": "CA"}
    english = client.post("/api/v1/distribution", json=tax).json()
    spanish = client.post("/api/v1/distribution", json=tax, headers=SPANISH).json()
    assert english["steps"][0]["text"] == "Federal tax at your marginal rate 22.00% of $10,000.00 = $2,200.00"
    assert [s["text"] for s in spanish["steps"]][0::2] == [
        "Impuesto federal a su tasa marginal de impuestos del 22.00% sobre $10,000.00 = $2,200.00",
        "Impuesto adicional del 10% sobre distribuciones prematuras = $1,000.00",
    ]
    assert spanish["total"] == english["total"]
