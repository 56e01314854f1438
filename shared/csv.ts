// CSV for spreadsheets: coverage reports (reporting/) and the outgoing register (workflows/) both write it.

/** A cell: numbers are written as numbers ("-705"), text as text. */
export type Cell = string | number | boolean | null | undefined

/**
 * A CSV field (RFC 4180 quoting). Numbers go out as they are. Text a spreadsheet would run as a
 * formula (starting with =, +, -, @, a tab or a carriage return: user-typed titles and names) gets
 * a leading apostrophe; no figure ever does.
 */
function field(v: Cell): string {
  if (v === null || v === undefined) return ''
  let s = String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; `preamble` lines first. */
export function toCsv(headers: string[], rows: Cell[][], preamble: string[] = []): Buffer {
  const lines = [...preamble.map((p) => [p]), ...(preamble.length ? [[]] : []), headers, ...rows]
  const text = lines.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n'
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
}
