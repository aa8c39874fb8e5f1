// Where the editor puts a new item. Positions are fractions of the frame (0..1), kept to four
// decimals.
import { clamp } from "./lib/dom.js";

export function round(n) { return Math.round(n * 10000) / 10000; }

// New items land where nothing is yet (text near the top, stickers lower down), so a new one
// never hides another: the first free slot, else the least covered one, nudged off any centre
// already taken. Each item covers about half its width and height around its centre
// (fractions of the frame): text is wide, a poll is tall, an emoji is small.
const TEXT_ROWS = [0.25, 0.4, 0.15, 0.55, 0.7, 0.85];
const STICKER_ROWS = [0.55, 0.78, 0.4, 0.9, 0.25, 0.12];
const COLUMNS = [0.5, 0.3, 0.7];
const HALF = { text: [0.3, 0.045], emoji: [0.06, 0.036], mention: [0.15, 0.035], answer: [0.33, 0.08] };
const NUDGE = 0.04;

function area(kind, x, y, scale) {
  const half = HALF[kind] || [0.33, 0.12];
  const k = kind === "text" || kind === "answer" ? 1 : Number(scale) || 1;
  return { x: x, y: y, w: half[0] * k, h: half[1] * k };
}

function covered(spot, spots) {
  return spots.reduce(function (sum, other) {
    const w = Math.max(0, spot.w + other.w - Math.abs(spot.x - other.x));
    const h = Math.max(0, spot.h + other.h - Math.abs(spot.y - other.y));
    return sum + w * h;
  }, 0);
}

// Where a new item of this kind goes, given what is `placed` ({kind, x, y, scale} each): {x, y}.
export function freeSpot(kind, placed) {
  const spots = placed.map(function (p) { return area(p.kind, p.x, p.y, p.scale); });
  const scale = kind === "emoji" ? 1.4 : 1;
  const rows = kind === "text" ? TEXT_ROWS : STICKER_ROWS;
  // Text is wide: it fills the middle column first. Stickers fill a row before the next one.
  const slots = [];
  rows.forEach(function (y) { COLUMNS.forEach(function (x) { slots.push(area(kind, x, y, scale)); }); });
  if (kind === "text") slots.sort(function (a, b) { return COLUMNS.indexOf(a.x) - COLUMNS.indexOf(b.x); });
  let best = slots[0];
  let least = Infinity;
  slots.forEach(function (spot) {
    const cover = covered(spot, spots);
    if (cover < least) { best = spot; least = cover; }
  });
  const same = function (spot) { return spots.some(function (o) { return Math.hypot(spot.x - o.x, spot.y - o.y) < NUDGE; }); };
  for (let tries = 0; same(best) && tries < 50; tries += 1) {
    best = area(kind, round(clamp(best.x + NUDGE, 0.1, 0.9)), round(best.y + NUDGE > 0.92 ? 0.1 : best.y + NUDGE), scale);
  }
  return { x: best.x, y: best.y };
}
