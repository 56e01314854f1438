/** Vietnam's offset from UTC: +07:00 all year (no daylight saving). */
const VN_OFFSET_MIN = 7 * 60

/** A PDF date (ISO 32000-2 §7.9.4) in Vietnam's time, e.g. `D:20240725091530+07'00'`. */
export function pdfDate(d: Date): string {
  const t = new Date(d.getTime() + VN_OFFSET_MIN * 60_000)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `D:${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}+07'00'`
}

/** Parses a PDF date; returns undefined when it is not one. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([+\-Z])(\d{2})?'?(\d{2})?'?)?/.exec(s)
  if (!m) return undefined
  const [, y, mo = '01', da = '01', h = '00', mi = '00', se = '00', sign, oh = '00', om = '00'] = m
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se))
  const off = sign === '+' || sign === '-' ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0
  return new Date(utc - off * 60_000)
}
