import { X509Certificate } from 'node:crypto'
import { nameAttributes } from '../pki/name-attributes'
import type { SigningMarker } from '../appearance'
import type { VisibleAppearance } from './sign-pdf'

/** The subject attributes we read (node decodes UTF8String names for us). */
export function subjectOf(cert: Buffer): Record<string, string | undefined> {
  return nameAttributes(new X509Certificate(cert).subject)
}

/**
 * An organisation (seal) certificate names the organisation itself as subject: CN equal to O and
 * no personal title. Everything else is treated as a person's certificate.
 */
export function isSealCertificate(cert: Buffer): boolean {
  const s = subjectOf(cert)
  return s.CN !== undefined && s.CN === s.O && s.title === undefined
}

/** Appearance defaults taken from the certificate: seal or personal, title and organisation. */
export function appearanceFromCertificate(
  cert: Buffer,
  overrides: {
    kind?: VisibleAppearance['kind']
    marker?: SigningMarker
    principalTitle?: string
    imagePng?: Buffer
  } = {},
): VisibleAppearance {
  const s = subjectOf(cert)
  const kind = overrides.kind ?? (isSealCertificate(cert) ? 'seal' : 'personal')
  return {
    kind,
    ...(s.title !== undefined && { title: s.title }),
    ...(s.O !== undefined && { organisation: s.O }),
    ...(overrides.marker !== undefined && { marker: overrides.marker }),
    ...(overrides.principalTitle !== undefined && { principalTitle: overrides.principalTitle }),
    ...(overrides.imagePng !== undefined && { imagePng: overrides.imagePng }),
  }
}
