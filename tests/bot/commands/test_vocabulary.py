"""Every command has its French words, and French help shows them."""

from __future__ import annotations

from bot.commands.grammar import VERBS, parse
from bot.commands.vocabulary import FRENCH_OPTIONS, FRENCH_SUBS, FRENCH_VERBS, options_of
from bot.i18n import Renderer


def test_every_command_word_has_a_french_word_that_parses_to_it() -> None:
    for root, verbs in VERBS.items():
        assert set(FRENCH_VERBS[root]) == set(verbs), root
        for verb, subs in verbs.items():
            for french in FRENCH_VERBS[root][verb]:
                assert parse(f"/{root} {french} {' '.join(subs[:1])}").verb == verb
            assert set(FRENCH_SUBS.get((root, verb), {})) == set(subs), (root, verb)


def test_french_help_shows_the_french_word_of_every_command() -> None:
    renderer = Renderer(default_locale="fr")
    overview = renderer.render("fr", "help.overview")
    details = "\n".join(
        renderer.render("fr", f"help.{verb.replace('-', '_')}") for verb in VERBS["tandem"]
    )
    for verb in VERBS["tandem"]:
        assert f"/tandem {FRENCH_VERBS['tandem'][verb][0]}" in overview + details, verb
    for verb in ("log", "plan", "list", "undo"):
        assert f"/session {FRENCH_VERBS['session'][verb][0]}" in overview, verb
    for (_, verb), subs in FRENCH_SUBS.items():
        for sub, french in subs.items():
            assert french[0] in details, (verb, sub)


def test_every_option_a_command_takes_has_a_french_name() -> None:
    for root, verbs in VERBS.items():
        for verb, subs in verbs.items():
            for sub in subs or ("",):
                assert all(option in FRENCH_OPTIONS for option in options_of(root, verb, sub))
