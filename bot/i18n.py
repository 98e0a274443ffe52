"""Every text the bot says, rendered from Jinja2 templates under ``prompts/<locale>/``.

A message id ``"file.block"`` names the block ``block`` of ``prompts/<locale>/file.j2``: related
texts live together in one file, and a test checks both locales define the same blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.formats import date_filters, plural_filters
from bot.resources import shipped_dir
from bot.settings import SUPPORTED_LOCALES

PROMPTS_DIR = shipped_dir("bot", "prompts")


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"


class Renderer:
    def __init__(self, prompts_dir: Path = PROMPTS_DIR, default_locale: str = "fr") -> None:
        self.default_locale = default_locale
        self._prompts_dir = prompts_dir
        self._environments: dict[str, Environment] = {}
        self._page_environments: dict[str, Environment] = {}

    def _environment_for(self, locale: str) -> Environment:
        if locale not in self._environments:
            self._environments[locale] = self._environment(self._prompts_dir / locale, locale)
        return self._environments[locale]

    def _environment(self, folder: Path, locale: str, html: bool = False) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(folder),
            undefined=StrictUndefined,
            # Chat text is not HTML: each adapter escapes for its own format. Pages are HTML.
            autoescape=html,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # The templates ship with the code: once compiled, a template is not looked at on
            # disk again at every message (one stat() per render otherwise).
            auto_reload=False,
        )
        # Dates, times and counts the way people write them in the locale (bot.formats).
        environment.filters.update(date_filters(locale))
        environment.filters.update(plural_filters(locale))
        environment.filters["duration"] = _duration
        # One decimal, with the locale's separator: 3.7 in English, 3,7 in French.
        environment.filters["number"] = lambda value: format_decimal(
            value, format="0.0", locale=locale
        )
        # Shared wording (role names, goals…) as macros every template can call: m.role(...)
        environment.globals["m"] = environment.get_template("_macros.j2").module
        return environment

    def locale_for(self, *candidates: str | None) -> str:
        """The first supported locale among the candidates (person, program), else the default."""
        for candidate in candidates:
            if candidate:
                language = candidate.replace("_", "-").split("-")[0].lower()
                if language in SUPPORTED_LOCALES:
                    return language
        return self.default_locale

    def render(self, locale: str, message_id: str, **variables: Any) -> str:
        file_name, _, block = message_id.partition(".")
        environment = self._environment_for(self.locale_for(locale))
        template = environment.get_template(f"{file_name}.j2")
        if block not in template.blocks:
            raise KeyError(f"no block {block!r} in {locale}/{file_name}.j2")
        context = template.new_context(variables)
        return "".join(template.blocks[block](context)).strip()

    def page(self, locale: str, name: str, **variables: Any) -> str:
        """A whole HTML page, ``prompts/<locale>/<name>.j2``, with every value escaped."""
        locale = self.locale_for(locale)
        if locale not in self._page_environments:
            self._page_environments[locale] = self._environment(
                self._prompts_dir / locale, locale, html=True
            )
        template = self._page_environments[locale].get_template(f"{name}.j2")
        return template.render(locale=locale, **variables)

    def lines(self, locale: str, message_id: str, **variables: Any) -> list[str]:
        """A block holding one item a line (a catalogue, a list of options)."""
        text = self.render(locale, message_id, **variables)
        return [line.strip() for line in text.splitlines() if line.strip()]
