"""Colour looks: one definition drives the ffmpeg graph, the Pillow pipeline and the CSS preview.

A look is a short list of steps: 3x3 colour matrices (the same matrices the CSS Filter Effects
spec uses for grayscale/sepia/saturate/brightness) and contrast lines. Every step is affine, so a
whole look folds into one matrix plus an offset, applied in a single pass: one
`colorchannelmixer` in ffmpeg (on RGBA, whose opaque alpha carries the offset) and one
`convert(matrix)` in Pillow. One pass instead of three or four takes about a quarter off a
three-step look's filter time in ffmpeg (docs/benchmarks.md). Values are clipped once, at the
end, where CSS clips after each step; the difference only shows on colours a step pushes past
white or black.
Only names found in FILTERS ever reach a filter graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

from .errors import MediaError

Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
IDENTITY: Matrix = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


@dataclass(frozen=True)
class ColourMatrix:
    rows: Matrix


@dataclass(frozen=True)
class Contrast:
    """CSS contrast(): v' = (v - 0.5) * amount + 0.5, clipped."""

    amount: float


Step = ColourMatrix | Contrast


def grayscale(amount: float) -> ColourMatrix:
    a = 1 - amount
    return ColourMatrix(
        (
            (0.2126 + 0.7874 * a, 0.7152 - 0.7152 * a, 0.0722 - 0.0722 * a),
            (0.2126 - 0.2126 * a, 0.7152 + 0.2848 * a, 0.0722 - 0.0722 * a),
            (0.2126 - 0.2126 * a, 0.7152 - 0.7152 * a, 0.0722 + 0.9278 * a),
        )
    )


def sepia(amount: float) -> ColourMatrix:
    a = 1 - amount
    return ColourMatrix(
        (
            (0.393 + 0.607 * a, 0.769 - 0.769 * a, 0.189 - 0.189 * a),
            (0.349 - 0.349 * a, 0.686 + 0.314 * a, 0.168 - 0.168 * a),
            (0.272 - 0.272 * a, 0.534 - 0.534 * a, 0.131 + 0.869 * a),
        )
    )


def saturate(s: float) -> ColourMatrix:
    return ColourMatrix(
        (
            (0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s),
            (0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s),
            (0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s),
        )
    )


def tint(red: float, green: float, blue: float) -> ColourMatrix:
    """Scale each channel; brightness(b) is tint(b, b, b)."""
    return ColourMatrix(((red, 0.0, 0.0), (0.0, green, 0.0), (0.0, 0.0, blue)))


def brightness(amount: float) -> ColourMatrix:
    return tint(amount, amount, amount)


def _multiply(later: Matrix, earlier: Matrix) -> Matrix:
    return tuple(
        tuple(sum(later[row][k] * earlier[k][col] for k in range(3)) for col in range(3)) for row in range(3)
    )  # type: ignore[return-value]


Offset = tuple[float, float, float]


def _as_affine(step: Step) -> tuple[Matrix, Offset]:
    if isinstance(step, ColourMatrix):
        return step.rows, (0.0, 0.0, 0.0)
    a = step.amount  # (v - 127.5) * a + 127.5 on 0..255 values
    return ((a, 0.0, 0.0), (0.0, a, 0.0), (0.0, 0.0, a)), (127.5 * (1 - a),) * 3


def fold(steps: tuple[Step, ...]) -> tuple[Matrix, Offset]:
    """The look's steps as one affine map on 0..255 RGB: v' = rows . v + offset."""
    rows, offset = IDENTITY, (0.0, 0.0, 0.0)
    for step in steps:
        matrix, shift = _as_affine(step)
        rows = _multiply(matrix, rows)
        offset = tuple(sum(matrix[i][k] * offset[k] for k in range(3)) + shift[i] for i in range(3))
    return rows, offset  # type: ignore[return-value]


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    css: str
    steps: tuple[Step, ...] = ()

    @property
    def is_identity(self) -> bool:
        return not self.steps

    def ffmpeg_steps(self) -> list[tuple[str, dict[str, Any]]]:
        """(filter name, options) pairs for ffmpeg-python: RGBA, then one channel mixer whose
        alpha column (alpha is opaque, 1.0) adds the offset."""
        if self.is_identity:
            return []
        rows, offset = fold(self.steps)
        mixer = {
            f"{out}{src}": round(rows[i][j], 5) for i, out in enumerate("rgb") for j, src in enumerate("rgb")
        }
        mixer |= {f"{out}a": round(offset[i] / 255, 5) for i, out in enumerate("rgb")}
        return [("format", {"pix_fmts": "rgba"}), ("colorchannelmixer", mixer)]

    def apply_to_stream(self, stream):
        """Append this look to an ffmpeg-python video stream."""
        for filter_name, options in self.ffmpeg_steps():
            stream = stream.filter(filter_name, **options)
        return stream

    def apply_to_image(self, image: Image.Image) -> Image.Image:
        """The same look on an RGB Pillow image."""
        if self.is_identity:
            return image
        rows, offset = fold(self.steps)
        return image.convert(
            "RGB", tuple(value for row, shift in zip(rows, offset, strict=False) for value in (*row, shift))
        )


FILTERS: dict[str, Filter] = {
    look.name: look
    for look in (
        Filter("none", "Original", "none"),
        Filter("mono", "Mono", "grayscale(1) contrast(1.1)", (grayscale(1), Contrast(1.1))),
        Filter("sepia", "Sepia", "sepia(0.85)", (sepia(0.85),)),
        Filter("vivid", "Vivid", "saturate(1.45) contrast(1.12)", (saturate(1.45), Contrast(1.12))),
        Filter(
            "vintage",
            "Vintage",
            "sepia(0.4) saturate(0.85) contrast(0.9) brightness(1.06)",
            (sepia(0.4), saturate(0.85), Contrast(0.9), brightness(1.06)),
        ),
        # CSS cannot scale single channels; the preview approximates the tint.
        Filter(
            "cool",
            "Cool",
            "saturate(1.05) hue-rotate(-12deg) brightness(1.02)",
            (tint(0.9, 1.0, 1.12), saturate(1.05)),
        ),
        Filter(
            "warm",
            "Warm",
            "sepia(0.25) saturate(1.3) brightness(1.03)",
            (tint(1.08, 1.0, 0.86), saturate(1.1)),
        ),
        Filter(
            "fade",
            "Fade",
            "saturate(0.8) contrast(0.8) brightness(1.08)",
            (saturate(0.8), Contrast(0.8), brightness(1.08)),
        ),
    )
}


def get_filter(name: str) -> Filter:
    """The look called `name`; anything else is refused rather than passed on."""
    look = FILTERS.get(name) if isinstance(name, str) else None
    if look is None:
        raise MediaError("Unknown filter.")
    return look


def filter_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for forms and the API."""
    return [(look.name, look.label) for look in FILTERS.values()]
