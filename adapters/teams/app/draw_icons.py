"""Draw the two icons of the Teams app package: two interlocked rings, a pair working together.

``color.png`` (192x192) is the white and mint rings on the accent colour; ``outline.png`` (32x32)
is the same rings in white on a transparent background, as Teams requires. The PNGs are
committed; run ``python adapters/teams/app/draw_icons.py`` to draw them again. Only the
standard library is used (zlib and struct write the PNG).
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCENT = (0x1E, 0x7A, 0x6E, 255)  # the manifest's accentColor
WHITE = (255, 255, 255, 255)
MINT = (0xA8, 0xE6, 0xD8, 255)
CLEAR = (0, 0, 0, 0)
SUPERSAMPLE = 4

Colour = tuple[int, int, int, int]


def _ring(x: float, y: float, cx: float, cy: float, radius: float, half_width: float) -> bool:
    return abs(math.hypot(x - cx, y - cy) - radius) <= half_width


def draw(
    size: int, background: Colour, left: Colour, right: Colour, stroke: float, gap: float
) -> list[list[Colour]]:
    """Two rings side by side; the left one passes over the right one at the top crossing, under
    it at the bottom crossing. ``stroke`` and ``gap`` are fractions of the size."""
    centre = size / 2
    radius, offset = size * 0.25, size * 0.14
    half, halo = size * stroke / 2, size * (stroke / 2 + gap)
    rings = ((centre - offset, left), (centre + offset, right))
    rows: list[list[Colour]] = []
    for row in range(size):
        pixels: list[Colour] = []
        for column in range(size):
            total = [0.0, 0.0, 0.0, 0.0]
            for sub_y in range(SUPERSAMPLE):
                for sub_x in range(SUPERSAMPLE):
                    x = column + (sub_x + 0.5) / SUPERSAMPLE
                    y = row + (sub_y + 0.5) / SUPERSAMPLE
                    under, over = rings if y < centre else rings[::-1]
                    colour = background
                    if _ring(x, y, under[0], centre, radius, half):
                        colour = under[1]
                    if _ring(x, y, over[0], centre, radius, halo):
                        colour = background
                    if _ring(x, y, over[0], centre, radius, half):
                        colour = over[1]
                    # Premultiplied, so that transparent samples do not darken the edges.
                    alpha = colour[3] / 255
                    for channel in range(3):
                        total[channel] += colour[channel] * alpha
                    total[3] += alpha
            samples = SUPERSAMPLE * SUPERSAMPLE
            coverage = total[3] / samples
            if coverage == 0:
                pixels.append(CLEAR)
                continue
            rgb = [round(total[channel] / total[3]) for channel in range(3)]
            pixels.append((rgb[0], rgb[1], rgb[2], round(coverage * 255)))
        rows.append(pixels)
    return rows


def png(rows: list[list[Colour]]) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(value for pixel in row for value in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def icons() -> dict[str, list[list[Colour]]]:
    """The pixels of each icon, by file name."""
    return {
        "color.png": draw(192, ACCENT, WHITE, MINT, stroke=0.075, gap=0.03),
        "outline.png": draw(32, CLEAR, WHITE, WHITE, stroke=0.1, gap=0.07),
    }


def main() -> None:
    for name, rows in icons().items():
        (HERE / name).write_bytes(png(rows))


if __name__ == "__main__":
    main()
