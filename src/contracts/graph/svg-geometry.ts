/**
 * The little geometry the SVG map needs: rectangles, cubic curves and an estimate of how wide a
 * text is. There is no font to measure with in a pure function, so widths are estimated from the
 * number of characters; the estimate errs wide, which costs some space but never overlaps text.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A cubic Bézier curve: start, two control points, end. */
export type Curve = readonly [Point, Point, Point, Point];

/** Font sizes in pixels. */
export const fontSize = { node: 13, label: 11, title: 15, legend: 12 } as const;

/** Estimated width of `text` in the sans-serif font the SVG asks for. */
export function textWidth(text: string, size: number, bold = false): number {
  return [...text].length * size * (bold ? 0.63 : 0.58);
}

/** The point at `t` (0 to 1) along a curve. */
export function pointOn(curve: Curve, t: number): Point {
  const [a, b, c, d] = curve;
  const u = 1 - t;
  const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t] as const;
  return {
    x: w[0] * a.x + w[1] * b.x + w[2] * c.x + w[3] * d.x,
    y: w[0] * a.y + w[1] * b.y + w[2] * c.y + w[3] * d.y,
  };
}

/** The area two rectangles share, 0 when they do not overlap. */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** A rectangle grown by `by` on every side. */
export function inflate(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

/** A coordinate as SVG text: at most one decimal, no trailing `.0`, never `-0`. */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

/** The SVG path data of a curve. */
export function curvePath(curve: Curve): string {
  const [a, b, c, d] = curve;
  return `M${num(a.x)},${num(a.y)} C${num(b.x)},${num(b.y)} ${num(c.x)},${num(c.y)} ${num(d.x)},${num(d.y)}`;
}
