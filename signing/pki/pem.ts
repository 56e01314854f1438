/** Every PEM block with the given label, decoded; RFC 7468 §2 lets text surround them. */
export function fromPem(text: string, label: 'CERTIFICATE' | 'X509 CRL'): Buffer[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*?)-----END ${label}-----`, 'g')
  return [...text.matchAll(pattern)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
}
