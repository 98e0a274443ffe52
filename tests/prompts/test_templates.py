"""Every message exists in French and English, with the same blocks, and renders strictly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import PROMPTS_DIR, Renderer
from bot.settings import SUPPORTED_LOCALES

BLOCK = re.compile(r"{%-?\s*(?:block|macro)\s+(\w+)")


def _definitions(locale: str) -> dict[str, set[str]]:
    return {
        path.name: set(BLOCK.findall(path.read_text(encoding="utf-8")))
        for path in sorted((PROMPTS_DIR / locale).glob("*.j2"))
    }


def test_both_locales_define_the_same_files_and_blocks() -> None:
    french, english = _definitions("fr"), _definitions("en")
    assert sorted(french) == sorted(english), "a template file exists in one locale only"
    for name in english:
        missing_in_fr = english[name] - french[name]
        missing_in_en = french[name] - english[name]
        assert not missing_in_fr and not missing_in_en, (name, missing_in_fr, missing_in_en)


def test_the_parity_check_notices_a_missing_block(tmp_path: Path) -> None:
    for locale in SUPPORTED_LOCALES:
        (tmp_path / locale).mkdir()
    (tmp_path / "en" / "a.j2").write_text("{% block hello %}Hi{% endblock %}")
    (tmp_path / "fr" / "a.j2").write_text("")
    en = set(BLOCK.findall((tmp_path / "en" / "a.j2").read_text()))
    fr = set(BLOCK.findall((tmp_path / "fr" / "a.j2").read_text()))
    assert en - fr == {"hello"}


def _every_message_id() -> set[str]:
    """Every literal message id the Python code renders, e.g. "errors.bad_duration"."""
    ids: set[str] = set()
    files = {p.stem for p in (PROMPTS_DIR / "en").glob("*.j2")}
    families = "|".join(sorted(files))
    pattern = re.compile(rf"""["']((?:{families})\.[a-z_]+)["']""")
    for folder in ("bot", "adapters"):
        for path in (PROMPTS_DIR.parent / folder).rglob("*.py"):
            ids.update(pattern.findall(path.read_text(encoding="utf-8")))
    return ids


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_id_used_in_code_exists(locale: str) -> None:
    definitions = _definitions(locale)
    missing = []
    for message_id in sorted(_every_message_id()):
        file_name, _, block = message_id.partition(".")
        blocks = definitions.get(f"{file_name}.j2", set())
        # A prefix such as "labels.place" names a family: labels.place_video, labels.place_mixed…
        if block not in blocks and not any(b.startswith(f"{block}_") for b in blocks):
            missing.append(message_id)
    assert not missing


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_missing_variable_is_an_error_not_a_blank(locale: str) -> None:
    renderer = Renderer()
    with pytest.raises(Exception, match="undefined"):
        renderer.render(locale, "errors.bad_duration")
    assert "45m" in renderer.render(locale, "errors.bad_duration", value="4x5")


def test_locale_falls_back_from_person_to_program_to_default() -> None:
    renderer = Renderer(default_locale="fr")
    assert renderer.locale_for("en-GB", "fr") == "en"
    assert renderer.locale_for(None, "en") == "en"
    assert renderer.locale_for(None, None) == "fr"
    assert renderer.locale_for("de", None) == "fr"


def test_catalogues_have_the_same_number_of_topics() -> None:
    renderer = Renderer()
    for block in ("catalogue.digital", "catalogue.reciprocal"):
        assert len(renderer.lines("fr", block)) == len(renderer.lines("en", block)) > 5
