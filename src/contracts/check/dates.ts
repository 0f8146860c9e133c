/** Calendar dates as contracts write them: `YYYY-MM-DD`, read as UTC days. */

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;

/** True for a real calendar date written `YYYY-MM-DD` (not `2026-02-30`). */
export function isDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** Whole days from `from` to `to`; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / dayMs);
}

/** The UTC day of an instant, `YYYY-MM-DD`: what `--as-of` defaults to. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
