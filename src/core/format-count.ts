/**
 * The one number format of steward's text output (reports, progress lines, the demo): whole
 * numbers with thousands separators (12,345), the same on every machine whatever its locale, so a
 * log reads alike everywhere. Only for counts (documents, findings, incidents, records): keys,
 * seqs, versions, ports and durations in ms are printed as they are. JSON output keeps plain
 * numbers. In the core because the capabilities' pure render functions use it; it does no I/O.
 */
export function formatCount(n: number): string {
  const whole = Math.round(n);
  // Digits grouped here rather than by `toLocaleString('en-US')`, whose first call loads the ICU
  // locale data: about 17 ms of every command that prints a count (issue 17, tenth pass).
  if (!Number.isSafeInteger(whole)) return whole.toLocaleString('en-US');
  const digits = String(Math.abs(whole));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return whole < 0 ? `-${grouped}` : grouped;
}

/** A duration for an ETA: 45s, 3m 05s, 1h 02m. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
