/**
 * Certificates and CRLs picked as files, in the browser: PEM as it is, DER (a .cer or .crl saved
 * in binary, as Windows often does) turned into PEM, so the API always receives PEM text.
 */
export type PemLabel = 'CERTIFICATE' | 'X509 CRL'

function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

export function toPem(label: PemLabel, body64: string): string {
  return `-----BEGIN ${label}-----\n${
    body64
      .replace(/\s+/g, '')
      .match(/.{1,64}/g)
      ?.join('\n') ?? ''
  }\n-----END ${label}-----\n`
}

/** Every PEM block of this label in a text. */
export function pemBlocks(text: string, label: PemLabel): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g')
  return (text.match(re) ?? []).map((b) => `${b}\n`)
}

/**
 * The PEM blocks of a file: its PEM blocks when it has some, the DER bytes as one block when it
 * starts like DER (an ASN.1 SEQUENCE), or bare base64 as one block. Empty when it is none of these.
 */
export async function pemFromFile(file: Blob, label: PemLabel): Promise<string[]> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const text = new TextDecoder('latin1').decode(bytes)
  const blocks = pemBlocks(text, label)
  if (blocks.length > 0) return blocks
  if (bytes[0] === 0x30) return [toPem(label, base64(bytes))]
  const bare = text.trim()
  return /^[A-Za-z0-9+/=\s]+$/.test(bare) && bare.length > 100 ? [toPem(label, bare)] : []
}
