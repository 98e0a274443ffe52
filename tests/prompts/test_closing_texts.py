"""The end of a program, in French as in English: each message renders with what the code
passes, and says it in the person's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import Program
from bot.i18n import Renderer

PROGRAM = Program(
    name="Pilote",
    starts_on=date(2026, 11, 18),
    ends_on=date(2026, 12, 4),
    created_at=datetime(2026, 11, 18, tzinfo=UTC),
    locale="fr",
    timezone="Europe/Paris",
    id=1,
)
# One renderer for the module: each new one compiles the templates it renders again.
RENDERER = Renderer()

EXPECTED = {
    ("closing.continue_offer", "fr"): "garder vos rôles ou les inverser",
    ("closing.continue_offer", "en"): "keep your roles or swap them",
    ("closing.continue_started", "fr"): "en tant que mentor (rôles inversés)",
    ("closing.continue_started", "en"): "as mentor (roles swapped)",
    ("owner.close_confirm", "fr"): "Terminer « Pilote » aujourd'hui ?",
    ("owner.close_confirm", "en"): 'End "Pilote" today?',
    ("owner.program_stopped", "fr"): "le rapport du programme arrive le 11 décembre 2026",
    ("owner.program_stopped", "en"): "the program report comes on December 11, 2026",
    ("owner.program_status", "fr"): "(terminé le 4 décembre 2026 : plus de points d'étape",
    ("owner.program_status", "en"): "(ended on December 4, 2026: no more check-ins or nudges",
    ("sessions.did_it_happen", "fr"): "A-t-elle eu lieu ? Un clic l'enregistre (1 h)",
    ("sessions.did_it_happen", "en"): "Did it happen? One click logs it (1 h)",
    ("errors.program_already_ending", "fr"): "son rapport arrive le 11 décembre 2026",
    ("errors.program_already_ending", "en"): "its report comes on December 11, 2026",
}
VARIABLES = {
    "program": "Pilote",
    "partner": "bob",
    "role": "mentor",
    "swapped": True,
    "report_on": date(2026, 12, 11),
    "starts_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    "zone": "Europe/Paris",
    "minutes": 60,
    "mentors": 1,
    "mentees": 1,
    "pairs": 1,
    "phase": "ended",
}


@pytest.mark.parametrize(("message_id", "locale"), sorted(EXPECTED))
def test_closing_messages_speak_the_persons_language(message_id: str, locale: str) -> None:
    variables = dict(VARIABLES)
    if message_id == "owner.program_status":
        variables["program"] = PROGRAM
    text = RENDERER.render(locale, message_id, **variables)
    assert EXPECTED[(message_id, locale)] in text
