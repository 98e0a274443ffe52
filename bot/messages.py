"""What the engine says: platform-neutral messages that each adapter renders its own way."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    SELECT = "select"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    hint: str = ""
    initial: str = ""
    options: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    submit_label: str
    fields: tuple[FormField, ...]
    # Errors from a previous submission, by field name, shown next to the field.
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One titled part of a structured message (the digest, the program report).

    Adapters render it their own way: a Slack section block, an Adaptive Card container, a
    paragraph of an HTML page. All strings are plain, already localized text (no markup).
    """

    title: str
    # One item a line: a figure ("Sessions this week: 2 (1 h 45)"), a pair, a quote.
    lines: tuple[str, ...] = ()
    # Small print under the items (why quotes are held back), or "".
    note: str = ""


class SeriesKind(StrEnum):
    # Drawn as bars against the left axis (counts: sessions a week).
    BARS = "bars"
    # Drawn as a line against the right axis (an average on a scale: mood 1–5).
    LINE = "line"


@dataclass(frozen=True)
class Series:
    name: str
    # One value per label of the chart; None where there is nothing to show (no answer).
    values: tuple[float | None, ...]
    kind: SeriesKind = SeriesKind.BARS
    # The axis range for a line, e.g. (1, 5) for mood; None: from zero to the largest value.
    scale: tuple[float, float] | None = None


@dataclass(frozen=True)
class Chart:
    """Figures to draw (``bot.digest.chart`` makes a PNG of them); labels are the x axis."""

    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    # What the chart shows, in words, for screen readers and where no image can be shown.
    alt_text: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a person's data export): a Slack upload, a Teams file, the
    console prints it. ``content`` is text (JSON); ``text`` of the message says what it is."""

    filename: str
    content: str
    media_type: str = "application/json"
    title: str = ""


@dataclass(frozen=True)
class Message:
    # The whole message as plain text: what the console prints and every platform's fallback.
    text: str
    choices: tuple[Choice, ...] = ()
    form: Form | None = None
    # True when the message replaces the one that carried the choice just answered.
    replaces_prompt: bool = False
    # True when the engine refused or failed what was asked and nothing changed: the prompt
    # answered (a button, a card) must stay as it was, and this message says why.
    refused: bool = False
    # A structured message (digest, report) has a title and sections, and may carry a chart;
    # ``text`` still holds all of it.
    title: str = ""
    sections: tuple[Section, ...] = ()
    chart: Chart | None = None
    attachment: Attachment | None = None

    def to_payload(self) -> dict[str, Any]:
        if self.form is None and not self.sections and self.chart is None and not self.attachment:
            # What the scheduler queues by the thousand: text and buttons. ``asdict``'s
            # recursive copy was a tenth of a check-in round; this is the same dictionary.
            return {
                "text": self.text,
                "choices": tuple({"value": c.value, "label": c.label} for c in self.choices),
                "form": None,
                "replaces_prompt": self.replaces_prompt,
                "refused": self.refused,
                "title": self.title,
                "sections": (),
                "chart": None,
                "attachment": None,
            }
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        form = payload.get("form")
        chart = payload.get("chart")
        attachment = payload.get("attachment")
        return cls(
            text=payload["text"],
            choices=tuple(Choice(**c) for c in payload.get("choices", ())),
            form=_form_from_payload(form) if form else None,
            replaces_prompt=payload.get("replaces_prompt", False),
            refused=payload.get("refused", False),
            title=payload.get("title", ""),
            sections=tuple(
                Section(title=s["title"], lines=tuple(s["lines"]), note=s["note"])
                for s in payload.get("sections", ())
            ),
            chart=_chart_from_payload(chart) if chart else None,
            attachment=Attachment(**attachment) if attachment else None,
        )


def _chart_from_payload(payload: dict[str, Any]) -> Chart:
    return Chart(
        title=payload["title"],
        labels=tuple(payload["labels"]),
        series=tuple(
            Series(
                name=s["name"],
                values=tuple(s["values"]),
                kind=SeriesKind(s["kind"]),
                scale=tuple(s["scale"]) if s["scale"] is not None else None,  # type: ignore[arg-type]
            )
            for s in payload["series"]
        ),
        alt_text=payload.get("alt_text", ""),
    )


def _form_from_payload(payload: dict[str, Any]) -> Form:
    return Form(
        form_id=payload["form_id"],
        title=payload["title"],
        submit_label=payload["submit_label"],
        fields=tuple(
            FormField(
                name=f["name"],
                label=f["label"],
                kind=FieldKind(f["kind"]),
                required=f["required"],
                hint=f["hint"],
                initial=f["initial"],
                options=tuple(Choice(**o) for o in f["options"]),
            )
            for f in payload["fields"]
        ),
        errors=dict(payload.get("errors", {})),
        values=dict(payload.get("values", {})),
    )
