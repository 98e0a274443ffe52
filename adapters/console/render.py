"""Plain terminal text for engine messages: numbered choices, one arrow per recipient."""

from __future__ import annotations

from adapters.console.port import Delivery


def render_delivery(delivery: Delivery) -> str:
    if delivery.kind == "clock":
        return f"⏱  {delivery.text}"
    arrow = "→" if delivery.kind != "channel" else "⇒"
    stamp = f"[{delivery.at:%a %Y-%m-%d %H:%M} UTC] " if delivery.timed and delivery.at else ""
    head = f"{arrow} {stamp}{delivery.recipient}: "
    indent = " " * 4
    lines = delivery.text.splitlines() or [""]
    out = [head + lines[0], *(indent + line for line in lines[1:])]
    out.extend(
        f"{indent}[{index}] {choice.label}"
        for index, choice in enumerate(delivery.message.choices, 1)
    )
    form = delivery.message.form
    if form is not None:
        out.append(f"{indent}📝 {form.title}")
    chart = delivery.message.chart
    if chart is not None:
        # A terminal shows no image: the chart's own description stands in for it.
        out.append(f"{indent}📈 {chart.alt_text or chart.title}")
    return "\n".join(out)
