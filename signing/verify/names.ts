import { nameAttributes } from '../pki/name-attributes'
import { safeCert } from './chain'

/** The CN (or O) of a certificate's subject, for the report. */
export function signerName(der: Buffer | undefined): string | null {
  const subject = der ? safeCert(der)?.subject : undefined
  const s = subject !== undefined ? nameAttributes(subject) : undefined
  return s ? (s.CN ?? s.O ?? null) : null
}

/** The CN (or O) of a certificate's issuer. */
export function issuerName(der: Buffer): string | null {
  const issuer = safeCert(der)?.issuer
  const s = issuer !== undefined ? nameAttributes(issuer) : undefined
  return s ? (s.CN ?? s.O ?? null) : null
}
