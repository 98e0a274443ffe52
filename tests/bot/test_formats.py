"""Dates and times read the way people write them: no seconds, the zone by its city."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.formats import date_and_time, time_of_day, zone_name
from bot.i18n import PROMPTS_DIR, Renderer

EVENING = datetime(2026, 11, 18, 19, 0, tzinfo=UTC)  # 20:00 in Paris, 14:00 in New York


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [
        ("en", "Europe/Paris", "Wednesday, November 18, 2026, 8:00\u202fPM (Paris Time)"),
        ("fr", "Europe/Paris", "mercredi 18 novembre 2026, 20:00 (heure : Paris)"),
        ("en", "America/New_York", "Wednesday, November 18, 2026, 2:00\u202fPM (New York Time)"),
        ("fr", "America/New_York", "mercredi 18 novembre 2026, 14:00 (heure : New York)"),
        ("en", "UTC", "Wednesday, November 18, 2026, 7:00\u202fPM (UTC)"),
    ],
)
def test_a_date_and_time_in_full(locale: str, zone: str, expected: str) -> None:
    assert date_and_time(EVENING, zone, locale, "full") == expected


def test_the_local_day_is_the_zone_s_own() -> None:
    # 23:30 UTC on the 18th is already the 19th in Paris.
    late = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
    assert date_and_time(late, "Europe/Paris", "fr", "full").startswith("jeudi 19 novembre")
    assert time_of_day(late, "Europe/Paris", "fr") == "00:30"


def test_zone_names_are_short() -> None:
    assert zone_name("Asia/Kolkata", "en") == "Kolkata Time"
    assert zone_name("Etc/UTC", "fr") == "UTC"


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_no_message_shows_seconds_or_a_long_zone_name(locale: str) -> None:
    renderer = Renderer()
    texts = [
        renderer.render(
            locale, "sessions.planned", starts_at=EVENING, zone="Europe/Paris", link=None
        ),
        renderer.render(
            locale,
            "sessions.partner_planned",
            starts_at=EVENING,
            zone="Europe/Paris",
            partner="bob",
            link=None,
        ),
        renderer.render(
            locale,
            "sessions.did_it_happen",
            starts_at=EVENING,
            zone="Europe/Paris",
            partner="bob",
            minutes=45,
        ),
        renderer.render(locale, "console.now", now=EVENING),
        renderer.render(
            locale,
            "reminders.session",
            starts_at=EVENING,
            zone="Europe/Paris",
            partner="bob",
            days_ahead=0,
            link=None,
        ),
    ]
    for text in texts:
        assert not re.search(r"\d:\d\d:\d\d", text), text
        assert "Standard Time" not in text and "heure normale" not in text, text
        assert ("Paris" in text) or ("UTC" in text), text


def test_reminder_days_are_worded_for_when_they_are_read() -> None:
    renderer = Renderer()
    variables = {"starts_at": EVENING, "zone": "Europe/Paris", "partner": "bob", "link": None}
    assert "is today at 8:00\u202fPM (Paris Time)." in renderer.render(
        "en", "reminders.session", days_ahead=0, **variables
    )
    assert "is tomorrow at 8:00\u202fPM" in renderer.render(
        "en", "reminders.session", days_ahead=1, **variables
    )
    assert "a lieu aujourd'hui à 20:00 (heure : Paris)." in renderer.render(
        "fr", "reminders.session", days_ahead=0, **variables
    )
    assert "a lieu demain à 20:00" in renderer.render(
        "fr", "reminders.session", days_ahead=1, **variables
    )


def test_dates_follow_the_locale() -> None:
    renderer = Renderer()
    day = date(2026, 11, 18)
    assert renderer.render("en", "participant.paused", until=day).count("November 18, 2026") == 1
    assert renderer.render("fr", "participant.paused", until=day).count("18 novembre 2026") == 1


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_templates_show_times_only_through_the_filters(locale: str) -> None:
    """A time or date is shown through |date, |datetime, |time or |zone; an ISO date only as
    an example of what to type."""
    by_hand = re.compile(r"\.(?:strftime|hour|minute|second)\b|format_(?:date|time)")
    for path in (PROMPTS_DIR / locale).glob("*.j2"):
        assert not by_hand.search(path.read_text(encoding="utf-8")), path.name
