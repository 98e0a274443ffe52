"""Which of a person's texts count as their words, and how a mention is blanked out."""

from __future__ import annotations

from bot.redaction import quotes, redactor


def test_a_quote_is_prose_not_a_value_nor_a_skip_word() -> None:
    texts = ["ok", "none", "rien", "Finance", "America/New_York", "1:4 9:5", None, 3]
    assert quotes(texts) == set()
    found = quotes(["Slow down on the narwhal slides. Then breathe, mostly at lunch"])
    assert found == {
        "Slow down on the narwhal slides. Then breathe, mostly at lunch",
        "Slow down on the narwhal slides",
        "Then breathe",
        "mostly at lunch",
    }


def test_a_mention_is_blanked_in_every_text_of_a_payload_as_a_whole_word() -> None:
    redact = redactor(["Bob", "narwhal slides"], "[erased]")
    payload = {
        "text": "bob and BOB's Narwhal Slides, not bobsleigh",
        "choices": [{"label": "Thank Bob", "value": "x|thank:3"}],
        "count": 3,
    }
    assert redact(payload) == {
        "text": "[erased] and [erased]'s [erased], not bobsleigh",
        "choices": [{"label": "Thank [erased]", "value": "x|thank:3"}],
        "count": 3,
    }
    assert redactor([], "[erased]")("Bob") == "Bob"
