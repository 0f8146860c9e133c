/**
 * The little geometry the SVG map needs: points, rectangles, paths and an estimate of how wide a
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

/** Font sizes in pixels. */
export const fontSize = { node: 13, label: 11, title: 15, legend: 12 } as const;

/** Estimated width of `text` in the sans-serif font the SVG asks for. */
export function textWidth(text: string, size: number, bold = false): number {
  return [...text].length * size * (bold ? 0.63 : 0.58);
}

/** The area two rectangles share, 0 when they do not overlap. */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** A coordinate as SVG text: at most one decimal, no trailing `.0`, never `-0`. */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

/** Radius of the rounded corners of an orthogonal edge. */
const cornerRadius = 6;

/**
 * The SVG path data of a polyline with its corners rounded (a quadratic curve through each bend,
 * cut short on short segments), which reads as one line where edges run side by side.
 */
export function polylinePath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  const parts = [`M${num(first.x)},${num(first.y)}`];
  rest.forEach((p, i) => {
    const next = rest[i + 1];
    if (!next) {
      parts.push(`L${num(p.x)},${num(p.y)}`);
      return;
    }
    const prev = i === 0 ? first : (rest[i - 1] as Point);
    const r = Math.min(cornerRadius, distance(prev, p) / 2, distance(p, next) / 2);
    const a = towards(p, prev, r);
    const b = towards(p, next, r);
    parts.push(`L${num(a.x)},${num(a.y)}`, `Q${num(p.x)},${num(p.y)} ${num(b.x)},${num(b.y)}`);
  });
  return parts.join(' ');
}

function distance(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/** The point `by` away from `from` in the direction of `to`. */
function towards(from: Point, to: Point, by: number): Point {
  const d = distance(from, to);
  return d === 0 ? from : { x: from.x + ((to.x - from.x) * by) / d, y: from.y + ((to.y - from.y) * by) / d };
}
