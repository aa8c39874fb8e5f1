"""Colour looks: one definition drives the ffmpeg graph, the Pillow pipeline and the CSS preview.

A look is a short list of steps: 3x3 colour matrices (the same matrices the CSS Filter Effects
spec uses for grayscale/sepia/saturate/brightness) and a contrast curve. Consecutive matrices are
multiplied into one, so ffmpeg (colorchannelmixer + lutrgb) and Pillow (convert(matrix) + point)
compute the same thing. Only names found in FILTERS ever reach a filter graph.
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


def _merge_matrices(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    merged: list[Step] = []
    for step in steps:
        if isinstance(step, ColourMatrix) and merged and isinstance(merged[-1], ColourMatrix):
            merged[-1] = ColourMatrix(_multiply(step.rows, merged[-1].rows))
        else:
            merged.append(step)
    return tuple(merged)


def _contrast_expression(amount: float) -> str:
    return f"(val-127.5)*{amount:.4f}+127.5"


def _contrast_table(amount: float) -> list[int]:
    return [min(255, max(0, round((value - 127.5) * amount + 127.5))) for value in range(256)]


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
        """(filter name, options) pairs for ffmpeg-python; applied in RGB by ffmpeg."""
        graph: list[tuple[str, dict[str, Any]]] = []
        for step in _merge_matrices(self.steps):
            if isinstance(step, ColourMatrix):
                options = {
                    f"{out}{src}": round(step.rows[i][j], 4)
                    for i, out in enumerate("rgb")
                    for j, src in enumerate("rgb")
                }
                graph.append(("colorchannelmixer", options))
            else:
                expression = _contrast_expression(step.amount)
                graph.append(("lutrgb", {"r": expression, "g": expression, "b": expression}))
        return graph

    def apply_to_stream(self, stream):
        """Append this look to an ffmpeg-python video stream."""
        for filter_name, options in self.ffmpeg_steps():
            stream = stream.filter(filter_name, **options)
        return stream

    def apply_to_image(self, image: Image.Image) -> Image.Image:
        """The same look on an RGB Pillow image."""
        for step in _merge_matrices(self.steps):
            if isinstance(step, ColourMatrix):
                flat = tuple(value for row in step.rows for value in (*row, 0.0))
                image = image.convert("RGB", flat)
            else:
                image = image.point(_contrast_table(step.amount) * 3)
        return image


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
