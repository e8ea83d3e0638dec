"""The one gettext catalogue (src/loan401k/locale): up to date with the source, complete in
Spanish, compilable, and loaded the way loan401k.i18n says (docs/i18n.md). The guards issue
15's phase 2 keeps: every marked string is in the .pot, every msgid has a reviewed Spanish
msgstr with the same placeholders."""

from __future__ import annotations

import re
import shlex
import shutil
import string
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.support import Translations

from loan401k import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "loan401k" / "locale"
POT = LOCALE / "messages.pot"
TRANSLATED = [locale for locale in i18n.LOCALES if locale != i18n.DEFAULT]


def read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


def po_of(locale: str) -> Path:
    return LOCALE / locale / "LC_MESSAGES" / "messages.po"


def keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    """Each message as (context, msgid); a plural by its singular and plural."""
    return {(m.context, "\x00".join(m.id) if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}


def babel_keywords() -> list[str]:
    """The Makefile's BABEL_KEYWORDS: what `make messages` extracts with, one definition."""
    match = re.search(r"^BABEL_KEYWORDS\s*:?=(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "Makefile: BABEL_KEYWORDS is gone"
    return shlex.split(match.group(1))


def pybabel(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "babel.messages.frontend", *map(str, arguments)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)


def test_the_pot_holds_every_string_the_source_marks(tmp_path):
    """`make messages` was run after the last marked string changed: an extraction now (the
    Makefile's keywords, babel.cfg's map) finds the same msgids as the committed .pot."""
    fresh = tmp_path / "messages.pot"
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *babel_keywords(),
        "--ignore-dirs=.* ._ var node_modules",
        "-o",
        fresh,
        ".",
    )
    extracted, committed = keys(read(fresh)), keys(read(POT))
    assert extracted, "the extraction found nothing: babel.cfg's paths are wrong"
    missing, stale = sorted(extracted - committed), sorted(committed - extracted)
    assert not missing and not stale, (
        f"run `make messages` and translate; new: {missing[:5]}, gone: {stale[:5]}"
    )


def test_the_extraction_sees_python_and_templates():
    """The .pot's own locations: the map reaches both kinds of source (a broken babel.cfg
    section would leave one out and the comparison above would still agree)."""
    files = {path for m in read(POT) for path, _line in m.locations}
    assert any(f.endswith(".py") for f in files) and any(f.endswith(".html") for f in files), files


@pytest.mark.parametrize("locale", TRANSLATED)
def test_each_po_is_merged_with_the_pot(locale):
    assert keys(read(po_of(locale))) == keys(read(POT)), "run `make messages` (pybabel update)"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_msgid_has_a_reviewed_translation(locale):
    """Empty or fuzzy (a guess `pybabel update` made for a changed msgid) is left out of the
    .mo, and the English would show on the Spanish page."""
    untranslated, fuzzy = [], []
    for message in read(po_of(locale)):
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(form and form.strip() for form in forms):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{locale}: translate {untranslated[:5]}"
    assert not fuzzy, f"{locale}: review the fuzzy entries and drop their flag: {fuzzy[:5]}"


def placeholders(text: str) -> set[str]:
    """`{name}` (Python's str.format) and `%(name)s` (Jinja's newstyle gettext)."""
    braces = {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    return braces | set(re.findall(r"%\((\w+)\)[sd]", text))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_keeps_the_placeholders_and_can_be_filled(locale):
    """A renamed or dropped placeholder would raise, or lose a figure, at run time."""
    for message in read(po_of(locale)):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(placeholders(i) for i in ids))
        for form in forms:
            if message.pluralizable:  # a singular may say "one payment" instead of %(num)s
                assert placeholders(form) <= wanted, (message.id, form)
            else:
                assert placeholders(form) == wanted, (message.id, form)
            from_template = any(path.endswith(".html") for path, _line in message.locations)
            if from_template:  # Jinja's newstyle gettext always %-formats: "10%%", not "10%"
                form % defaultdict(str)
            elif "{" in message.id:
                form.format_map(defaultdict(str))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_po_compiles_and_loads(locale, tmp_path):
    """What `make install` runs (pybabel compile), into a temporary folder: the .mo loads and
    gives the .po's translations."""
    folder = tmp_path / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(po_of(locale), folder / "messages.po")
    result = pybabel("compile", "-d", tmp_path, "-D", "messages", "--statistics")
    assert "100%" in result.stderr + result.stdout, result.stderr
    loaded = Translations.load(str(tmp_path), [locale], domain="messages")
    assert isinstance(loaded, Translations)  # not the NullTranslations of a missing file
    singulars = [m for m in read(po_of(locale)) if m.id and not m.pluralizable]
    assert singulars
    for message in singulars:
        got = loaded.pgettext(message.context, message.id) if message.context else loaded.gettext(message.id)
        assert got == message.string


def test_the_installed_catalogue_is_compiled_and_current():
    """`make install` compiles each .po (and recompiles it when the .po changes)."""
    assert i18n.catalogue_problems() == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_running_product_speaks_the_po(locale):
    for message in read(po_of(locale)):
        if message.id and not message.pluralizable:
            with i18n.use_locale(locale):
                if message.context:
                    assert i18n.pgettext(message.context, message.id) == message.string
                else:
                    assert i18n.gettext(message.id) == message.string
            assert i18n.gettext(message.id) == message.id  # English: the msgid itself


# --------------------------------------------------------------------------- how it is loaded

PO_WITH_PLURALS = r"""
msgid ""
msgstr ""
"Language: es\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Page not found"
msgstr "No encontramos esta página"

msgid "one payment"
msgid_plural "{n} payments"
msgstr[0] "un pago"
msgstr[1] "{n} pagos"

msgctxt "loan term"
msgid "Term"
msgstr "Plazo"

msgctxt "plan document"
msgid "Term"
msgstr "Condición"

#, fuzzy
msgid "Guessed"
msgstr "Adivinado"
"""


@pytest.fixture
def locale_dir(tmp_path, monkeypatch):
    """i18n reading its catalogue from a temporary folder, with its cache emptied."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield tmp_path
    i18n.translations.cache_clear()


def write_po(root: Path, text: str = PO_WITH_PLURALS) -> Path:
    po = root / "es" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(text, encoding="utf-8")
    return po


def test_plurals_and_contexts(locale_dir):
    write_po(locale_dir)
    with i18n.use_locale("es"):
        # Spanish: one form for 1, the other for everything else, 0 included ("0 pagos")
        assert [i18n.ngettext("one payment", "{n} payments", n).format(n=n) for n in (0, 1, 2, 21)] == [
            "0 pagos",
            "un pago",
            "2 pagos",
            "21 pagos",
        ]
        assert i18n.pgettext("loan term", "Term") == "Plazo"
        assert i18n.pgettext("plan document", "Term") == "Condición"
        assert i18n.gettext("Guessed") == "Guessed"  # a fuzzy guess is not shown
        assert i18n.gettext("Not in the catalogue") == "Not in the catalogue"
    assert i18n.ngettext("one payment", "{n} payments", 1) == "one payment"


def test_a_missing_mo_is_compiled_from_the_po_with_a_warning(locale_dir, caplog):
    write_po(locale_dir)
    with caplog.at_level("WARNING", logger="loan401k.i18n"), i18n.use_locale("es"):
        assert i18n.gettext("Page not found") == "No encontramos esta página"
    assert "make install" in caplog.text
    assert any("messages.mo is missing" in problem for problem in i18n.catalogue_problems())


def test_an_mo_older_than_its_po_is_not_used(locale_dir):
    po = write_po(locale_dir)
    stale = PO_WITH_PLURALS.replace("No encontramos esta página", "Texto viejo")
    (po.parent / "stale.po").write_text(stale, encoding="utf-8")
    pybabel("compile", "-l", "es", "-i", po.parent / "stale.po", "-o", po.with_suffix(".mo"))
    old = po.with_suffix(".mo").stat().st_mtime
    po.touch()
    import os

    os.utime(po, (old + 10, old + 10))  # the .po edited after the last compile
    with i18n.use_locale("es"):
        assert i18n.gettext("Page not found") == "No encontramos esta página"
    assert any("older than" in problem for problem in i18n.catalogue_problems())


def test_with_no_catalogue_at_all_the_language_falls_back_to_english(locale_dir, caplog):
    with caplog.at_level("ERROR", logger="loan401k.i18n"), i18n.use_locale("es"):
        assert i18n.gettext("Page not found") == "Page not found"
    assert "shown in English" in caplog.text
    assert any("is missing" in problem for problem in i18n.catalogue_problems())
