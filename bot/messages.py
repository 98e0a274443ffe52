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
class Message:
    text: str
    choices: tuple[Choice, ...] = ()
    form: Form | None = None
    # True when the message replaces the one that carried the choice just answered.
    replaces_prompt: bool = False

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        form = payload.get("form")
        return cls(
            text=payload["text"],
            choices=tuple(Choice(**c) for c in payload.get("choices", ())),
            form=_form_from_payload(form) if form else None,
            replaces_prompt=payload.get("replaces_prompt", False),
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
