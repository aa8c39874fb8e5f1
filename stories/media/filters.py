"""Colour looks: one definition drives the ffmpeg graph, the Pillow pipeline and the CSS preview.

A look is written once, as a CSS filter string (the editor's live preview applies it as it is),
and its steps are read from that string: saturate (grayscale is saturation 0), contrast,
brightness, invert, and sepia, which is a colour cast by luma, strongest in the highlights. Each
step is simple in luma/chroma terms (luma scaled and shifted; chroma scaled, and shifted in
proportion to luma), and so is any sequence of them: a whole look folds into one `Tone`.

* Video keeps its pixels where the decoder put them, in 8-bit 4:2:0 luma/chroma planes: one
  `lutyuv` table for luma and the chroma scale, one `colorcorrect` for the cast. A trip through
  RGB and a channel mixer, as this module did before, cost more CPU than the H.264 encode
  itself; the 4:2:0 form costs a few percent of it (docs/benchmarks.md).
* A photo gets the same Tone as one RGB matrix plus offset (a single Pillow `convert`).

Luma and chroma depend on the colour space's luma weights: a video uses those of its own
space (BT.709 when tagged so, as phones tag HD; BT.601 when untagged, as ffmpeg decodes it), a
photo those of sRGB/BT.709, which are also the CSS filters'. What one sees before posting is
therefore what one gets (up to CSS sepia's own luma weights). Only names found in FILTERS ever
reach a filter graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .errors import MediaError

Pair = tuple[float, float]
RGB = tuple[float, float, float]


@dataclass(frozen=True)
class LumaWeights:
    """Kr and Kb of a colour space; luma is Kr*R + (1 - Kr - Kb)*G + Kb*B."""

    red: float
    blue: float

    @property
    def green(self) -> float:
        return 1.0 - self.red - self.blue

    def to_ycc(self, rgb: RGB) -> RGB:
        """0..1 RGB -> (Y 0..1, Cb, Cr -0.5..0.5)."""
        red, green, blue = rgb
        luma = self.red * red + self.green * green + self.blue * blue
        return luma, (blue - luma) / (2 * (1 - self.blue)), (red - luma) / (2 * (1 - self.red))

    def to_rgb(self, ycc: RGB) -> RGB:
        luma, cb, cr = ycc
        red = luma + 2 * (1 - self.red) * cr
        blue = luma + 2 * (1 - self.blue) * cb
        return red, (luma - self.red * red - self.blue * blue) / self.green, blue


BT601 = LumaWeights(0.299, 0.114)
BT709 = LumaWeights(0.2126, 0.0722)
BT2020 = LumaWeights(0.2627, 0.0593)
PHOTO_WEIGHTS = BT709  # sRGB's, and the CSS filter spec's

# ffprobe's names; anything else (untagged, smpte170m, bt470bg) is decoded by ffmpeg as BT.601.
_WEIGHTS_BY_COLOUR_SPACE = {"bt709": BT709, "bt2020nc": BT2020, "bt2020c": BT2020}


def luma_weights(colour_space: str | None) -> LumaWeights:
    return _WEIGHTS_BY_COLOUR_SPACE.get(colour_space or "", BT601)


@dataclass(frozen=True)
class Tone:
    """Y' = gain*Y + lift;  C' = saturation*C + cast*Y + offset, for C = (Cb, Cr)."""

    gain: float = 1.0
    lift: float = 0.0
    saturation: float = 1.0
    cast: Pair = (0.0, 0.0)
    offset: Pair = (0.0, 0.0)

    def then(self, later: Tone) -> Tone:
        """This tone followed by `later`, as one."""
        return Tone(
            gain=later.gain * self.gain,
            lift=later.gain * self.lift + later.lift,
            saturation=later.saturation * self.saturation,
            cast=_pair(
                later.saturation * mine + theirs * self.gain
                for mine, theirs in zip(self.cast, later.cast, strict=True)
            ),
            offset=_pair(
                later.saturation * mine + cast * self.lift + theirs
                for mine, cast, theirs in zip(self.offset, later.cast, later.offset, strict=True)
            ),
        )

    def on_ycc(self, ycc: RGB) -> RGB:
        luma, cb, cr = ycc
        return (
            self.gain * luma + self.lift,
            self.saturation * cb + self.cast[0] * luma + self.offset[0],
            self.saturation * cr + self.cast[1] * luma + self.offset[1],
        )

    def on_rgb(self, rgb: RGB, weights: LumaWeights) -> RGB:
        """0..1 RGB in, 0..1 RGB out, unclipped."""
        return weights.to_rgb(self.on_ycc(weights.to_ycc(rgb)))

    def rgb_matrix(self, weights: LumaWeights) -> tuple[float, ...]:
        """Pillow's 12-value RGB matrix (rows of three factors and an offset, on 0..255)."""
        offset = self.on_rgb((0.0, 0.0, 0.0), weights)
        columns = [self.on_rgb(unit, weights) for unit in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))]
        return tuple(
            value
            for row in range(3)
            for value in (*(column[row] - offset[row] for column in columns), 255 * offset[row])
        )

    def ffmpeg_steps(self) -> list[tuple[str, dict[str, Any]]]:
        """The tone on 8-bit limited-range 4:2:0 (Y 16..235, C 128 +/- 112).

        `colorcorrect` shifts a chroma byte by 255 * (bl + (bh - bl) * y), y being the (new) luma
        byte / 255; the cast is re-expressed on the new luma, the plane it reads.
        """
        steps: list[tuple[str, dict[str, Any]]] = []
        if (self.gain, self.lift, self.saturation) != (1.0, 0.0, 1.0):
            chroma = f"{self.saturation:.6f}*(val-128)+128"
            luma = f"{self.gain:.6f}*(val-16)+{16 + 219 * self.lift:.4f}"
            steps.append(("lutyuv", {"y": luma, "u": chroma, "v": chroma}))
        if self.cast != (0.0, 0.0) or self.offset != (0.0, 0.0):
            options = {}
            for prefix, cast, offset in zip("br", self.cast, self.offset, strict=True):
                per_new_luma = cast / self.gain
                at_zero = offset - per_new_luma * self.lift
                # + half a level: colorcorrect truncates where it should round.
                low = (224 * (at_zero - 16 * per_new_luma / 219) + 0.5) / 255
                options[f"{prefix}l"] = round(low, 6)
                options[f"{prefix}h"] = round(low + 224 * per_new_luma / 219, 6)
            steps.append(("colorcorrect", options))
        return steps


def _pair(values) -> Pair:
    first, second = values
    return first, second


@dataclass(frozen=True)
class Saturate:
    amount: float

    def tone(self, weights: LumaWeights) -> Tone:
        return Tone(saturation=self.amount)


@dataclass(frozen=True)
class Contrast:
    """CSS contrast(): v' = (v - 0.5) * amount + 0.5 on every channel."""

    amount: float

    def tone(self, weights: LumaWeights) -> Tone:
        return Tone(gain=self.amount, lift=0.5 * (1 - self.amount), saturation=self.amount)


@dataclass(frozen=True)
class Brightness:
    """CSS brightness(): every channel scaled."""

    amount: float

    def tone(self, weights: LumaWeights) -> Tone:
        return Tone(gain=self.amount, saturation=self.amount)


@dataclass(frozen=True)
class Invert:
    """CSS invert(1): v' = 1 - v on every channel."""

    def tone(self, weights: LumaWeights) -> Tone:
        return Tone(gain=-1.0, lift=1.0, saturation=-1.0)


@dataclass(frozen=True)
class Cast:
    """Tints by luma toward the hue of `colour` (0..1 RGB, any brightness): none in black, most
    in the highlights. At amount 1 a grey takes the colour's hue and relative saturation at its
    own luma; a negative amount tints toward the opposite hue."""

    colour: RGB
    amount: float

    def tone(self, weights: LumaWeights) -> Tone:
        luma, cb, cr = weights.to_ycc(self.colour)
        return Tone(cast=(self.amount * cb / luma, self.amount * cr / luma))


Step = Saturate | Contrast | Brightness | Invert | Cast
# What CSS sepia(1) makes of white (the sums of its matrix rows): the brown of old prints, and
# greys come out about a fifth brighter.
SEPIA_WHITE: RGB = (1.351, 1.203, 0.937)


def grayscale(amount: float) -> Saturate:
    return Saturate(1 - amount)


def sepia(amount: float) -> tuple[Step, ...]:
    """CSS sepia(amount) in luma/chroma terms: colour gives way to the brown tone, a little
    brighter."""
    gain = 1 + amount * (PHOTO_WEIGHTS.to_ycc(SEPIA_WHITE)[0] - 1)
    return Saturate(1 - amount), Cast(SEPIA_WHITE, amount), Brightness(gain)


def _invert(amount: float) -> tuple[Step, ...]:
    if amount != 1:
        raise ValueError("Only invert(1) is a step of a look.")
    return (Invert(),)


# CSS filter functions -> the steps they are.
_CSS_STEPS = {
    "grayscale": lambda amount: (grayscale(amount),),
    "sepia": sepia,
    "saturate": lambda amount: (Saturate(amount),),
    "contrast": lambda amount: (Contrast(amount),),
    "brightness": lambda amount: (Brightness(amount),),
    "invert": _invert,
}
_CSS_FUNCTION = re.compile(r"([a-z-]+)\(([0-9.]+)\)")


def steps_of(css: str) -> tuple[Step, ...]:
    """The steps of a CSS filter string ("none" has none); one written definition per look, so
    the preview and the processed look cannot drift apart."""
    if css == "none":
        return ()
    functions = _CSS_FUNCTION.findall(css)
    written_back = " ".join(f"{name}({amount})" for name, amount in functions)
    if not functions or written_back != css or not all(name in _CSS_STEPS for name, _ in functions):
        raise ValueError(f"Not a filter list of the kind looks use: {css!r}")
    return tuple(step for name, amount in functions for step in _CSS_STEPS[name](float(amount)))


def fold(steps: tuple[Step, ...], weights: LumaWeights) -> Tone:
    """The look's steps as one Tone in the given colour space."""
    tone = Tone()
    for step in steps:
        tone = tone.then(step.tone(weights))
    return tone


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    css: str
    steps: tuple[Step, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", steps_of(self.css))

    @property
    def is_identity(self) -> bool:
        return not self.steps

    def apply_to_stream(self, stream, colour_space: str | None = None):
        """Append this look to an ffmpeg-python stream of 8-bit limited-range 4:2:0 frames in
        `colour_space` (ffprobe's name; None when untagged)."""
        for filter_name, options in fold(self.steps, luma_weights(colour_space)).ffmpeg_steps():
            stream = stream.filter(filter_name, **options)
        return stream

    def apply_to_image(self, image: Image.Image) -> Image.Image:
        """The same look on an RGB Pillow image."""
        if self.is_identity:
            return image
        return image.convert("RGB", fold(self.steps, PHOTO_WEIGHTS).rgb_matrix(PHOTO_WEIGHTS))


FILTERS: dict[str, Filter] = {
    look.name: look
    for look in (
        Filter("none", "Original", "none"),
        Filter("mono", "Mono", "grayscale(1) contrast(1.1)"),
        Filter("sepia", "Sepia", "sepia(0.85)"),
        Filter("vivid", "Vivid", "saturate(1.45) contrast(1.12)"),
        Filter("vintage", "Vintage", "sepia(0.4) saturate(0.85) contrast(0.9) brightness(1.06)"),
        # Sepia on the negative: blue-grey shadows and midtones, clean whites. CSS has no other
        # way to a cool tint that the live preview could show without clipping bright colours.
        Filter("cool", "Cool", "invert(1) sepia(0.3) invert(1) saturate(1.1) brightness(1.03)"),
        Filter("warm", "Warm", "sepia(0.25) saturate(1.3) brightness(1.03)"),
        Filter("fade", "Fade", "saturate(0.8) contrast(0.8) brightness(1.08)"),
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
