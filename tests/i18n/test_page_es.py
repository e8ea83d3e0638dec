"""The calculator page in Spanish over HTTP (issue 15): `?lang=es` gives the page's own words
in Spanish (the templates' strings, the catalogue), a language switch that keeps the scenario,
and links that keep the language: the share link, the downloads, the save and the saved page.
The English page is as before."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from loan401k.app import create_app

QUERY = {"amount": "$20,000", "vested_balance": "90,000", "age": "40", "contribution_monthly": "500"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(f"sqlite:///{tmp_path_factory.mktemp('page-es') / 's.db'}")) as test_client:
        yield test_client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def switch_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="lang-switch"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no language switch"
    return {
        lang: unescape(href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav.group(1))
    }


def page_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_spanish_page_speaks_spanish(client):
    response = client.get("/", params={**QUERY, "lang": "es"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="es"' in html
    page = text_of(html)
    for heading in (
        "Lo que realmente cuesta un préstamo de su plan 401(k)",
        "Su préstamo",
        "La respuesta",
        "¿Y si…?",
        "De qué se compone el costo",
        "Si pierde su empleo",
        "Calendario de pagos",
        "Cómo lo calculamos",
        "Compartir, guardar, imprimir",
    ):
        assert heading in page, heading
    assert "<title>Lo que realmente cuesta un préstamo de su plan 401(k)</title>" in html
    assert "Ir a la respuesta" in page  # the skip link
    assert "Usted puede pedir prestado hasta $45,000" in page
    assert "Respuesta:" in page and "Pedir prestado $20,000" in page
    for english in ("Show your work", "How the cost adds up", "Skip to the answer", "Share, save, print"):
        assert english not in page, english


def test_the_language_switch_keeps_the_scenario(client):
    html = client.get("/", params={**QUERY, "lang": "es"}).text
    links = switch_links(html)
    assert set(links) == {"en", "es"}
    for lang, href in links.items():
        parts = urlsplit(href)
        assert parts.path == "/"
        query = parse_qs(parts.query)
        assert query["lang"] == [lang]
        assert query["amount"] == ["$20,000"] and query["age"] == ["40"]
    nav = re.search(r'<nav class="lang-switch"[^>]*>.*?</nav>', html, re.S).group(0)
    assert re.search(r'hreflang="es" lang="es" aria-current="page">Español</a>', nav)
    assert 'aria-current="page">English' not in nav
    assert 'aria-label="Idioma"' in nav
    # the switch, followed, gives the English page of the same scenario
    english = client.get(links["en"]).text
    assert '<html lang="en"' in english
    assert re.search(r'hreflang="en" lang="en" aria-current="page">English</a>', english)
    assert "Borrowing $20,000 costs you about" in text_of(english)


def test_the_embed_has_the_switch_too(client):
    html = client.get("/embed", params={"plan": "", "amount": "15000", "lang": "es"}).text
    links = switch_links(html)
    assert urlsplit(links["en"]).path == "/embed" and "lang=en" in links["en"]
    assert '<html lang="es"' in html and "La respuesta" in text_of(html)


def test_the_english_page_is_as_before(client):
    html = client.get("/", params=QUERY).text
    assert '<html lang="en"' in html
    page = text_of(html)
    assert "What a 401(k) loan really costs" in page and "Show your work" in page
    assert "Borrowing $20,000 costs you about" in page and "Verdict:" in page
    assert 'name="lang"' not in html  # no hidden language field: the English links are as before
    share = re.search(r'id="share-link"[^>]*value="([^"]+)"', html).group(1)
    assert "lang=" not in share
    assert "lang=" not in re.search(r'href="/report.pdf\?([^"]*)"', html).group(1)
    assert re.search(r'aria-current="page">English</a>', html)


def test_the_page_links_keep_the_language(client):
    html = client.get("/", params={**QUERY, "lang": "es"}).text
    share = unescape(re.search(r'id="share-link"[^>]*value="([^"]+)"', html).group(1))
    assert parse_qs(urlsplit(share).query)["lang"] == ["es"]
    for link in ("/report.pdf", "/projection.csv", "/schedule.csv"):
        href = unescape(re.search(rf'href="{re.escape(link)}\?([^"]*)"', html).group(1))
        assert parse_qs(href)["lang"] == ["es"], link
    # the form carries the language (the no-JS recompute and save), outside the API's input
    assert '<input type="hidden" name="lang" value="es" data-page="1">' in html


def test_the_page_gives_app_js_its_words_in_spanish(client):
    html = client.get("/", params={**QUERY, "lang": "es"}).text
    block = re.search(r'<script type="application/json" id="i18n-strings">(.*?)</script>', html, re.S)
    strings = json.loads(block.group(1))
    assert strings["lang"] == "es"
    assert strings["copied"] == "Copiado"
    assert strings["preparing"] == "Preparando su informe…"
    assert strings["saved"] == "Guardado: {link}"
    assert strings["unreachable"].startswith("No se pudo conectar con la calculadora")
    assert strings["levels"]["caution"] == "PRECAUCIÓN"
    english = json.loads(
        re.search(r'id="i18n-strings">(.*?)</script>', client.get("/", params=QUERY).text, re.S).group(1)
    )
    assert english["copied"] == "Copied" and english["saved"] == "Saved: {link}"


def test_the_fragment_is_in_the_language_asked(client):
    html = client.get("/fragment", params={**QUERY, "lang": "es", "part": "core"}).text
    assert "De qué se compone el costo" in text_of(html)
    assert re.search(r'href="/schedule.csv\?[^"]*lang=es', html)


def test_the_kept_page_is_kept_per_language(client):
    """The page cache (loan401k.cache, keyed with i18n.current()) never serves one
    language's page to the other."""
    query = {**QUERY, "amount": "$21,000"}
    english = client.get("/", params=query).text
    spanish = client.get("/", params={**query, "lang": "es"}).text
    again = client.get("/", params=query).text
    assert '<html lang="en"' in english and '<html lang="en"' in again
    assert '<html lang="es"' in spanish and "Su préstamo" in spanish
    assert "Su préstamo" not in again


def test_save_without_javascript_keeps_the_language(client):
    html = client.get("/", params={**QUERY, "lang": "es"}).text
    form = {**QUERY, "lang": "es", "csrf_token": page_token(html)}
    response = client.post("/save", data=form, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/s/[\w-]+\?lang=es", location)
    saved = client.get(location).text
    assert '<html lang="es"' in saved and "Su préstamo" in text_of(saved)
    scenario_id = urlsplit(location).path.rsplit("/", 1)[1]
    # the saved page's own links keep the language: "Saved:" link, share link
    assert re.search(rf'Guardado: <a href="/s/{scenario_id}\?lang=es">', saved)
    share = unescape(re.search(r'id="share-link"[^>]*value="([^"]+)"', saved).group(1))
    assert "lang=es" in share
    # and English stays English
    token = page_token(client.get("/", params=QUERY).text)
    english = client.post("/save", data={**QUERY, "csrf_token": token}, follow_redirects=False)
    assert re.fullmatch(r"/s/[\w-]+", english.headers["location"])


def test_a_refused_save_answers_in_the_form_language(client):
    html = client.get("/", params={**QUERY, "lang": "es"}).text
    bad = {**QUERY, "amount": "abc", "lang": "es", "csrf_token": page_token(html)}
    response = client.post("/save", data=bad, follow_redirects=False)
    assert response.status_code == 422
    assert '<html lang="es"' in response.text and "Su préstamo" in text_of(response.text)
