/**
 * The attributes of a distinguished name as node's X509Certificate prints it (`subject`, `issuer`:
 * one `TYPE=value` per line, values UTF-8). Cheaper than `toLegacyObject()`, which also builds the
 * public key and every extension. The first value of a repeated attribute wins.
 */
export function nameAttributes(printed: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const line of printed.split('\n')) {
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq)
    if (out[key] === undefined) out[key] = line.slice(eq + 1).replace(/\\(.)/g, '$1')
  }
  return out
}
