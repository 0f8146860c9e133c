/**
 * The one number format of steward's text output (reports, progress lines, the demo): whole
 * numbers with thousands separators (12,345), the same on every machine whatever its locale, so a
 * log reads alike everywhere. Only for counts (documents, findings, incidents, records): keys,
 * seqs, versions, ports and durations in ms are printed as they are. JSON output keeps plain
 * numbers. In the core because the capabilities' pure render functions use it; it does no I/O.
 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A duration for an ETA: 45s, 3m 05s, 1h 02m. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
