/** CSV export (pure): RFC 4180 quoting, times as ISO 8601 UTC so spreadsheets and scripts read them alike. */

export type Cell = string | number | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  // Quoted when needed; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The rows as CSV text with a header line, lines ended by CRLF. */
export function toCsv(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [headers, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** An ISO 8601 UTC time for a CSV cell. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
