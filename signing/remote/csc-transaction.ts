/**
 * The transaction id the CSC connector hands out. It carries everything polling needs, so a
 * process that restarts (or another instance) can keep polling: when the validity period ends,
 * the key (to put an EC value in DER), the userID, and the provider's responseID, or the value
 * itself when the provider signed at once instead of asynchronously. Nothing secret goes in it:
 * it may be stored beside a document.
 *
 * Form: `csc1.<expiresAt ms>.<rsa | curve name>.<base64url userID>.<base64url responseID>`, or
 * `csc1s.` and the same with the base64url signature value last.
 */
import { SigningError } from '../errors'

export type CscTransaction = {
  expiresAt: Date
  /** 'rsa', or node's curve name for EC keys (prime256v1, ...). */
  keyTag: string
  userRef: string
} & ({ responseId: string } | { signature: Buffer })

export function encodeTransaction(tx: CscTransaction): string {
  const signed = 'signature' in tx
  const last = (signed ? tx.signature : Buffer.from(tx.responseId, 'utf8')).toString('base64url')
  const user = Buffer.from(tx.userRef, 'utf8').toString('base64url')
  return [signed ? 'csc1s' : 'csc1', tx.expiresAt.getTime(), tx.keyTag, user, last].join('.')
}

/** BAD_OPTION for anything encodeTransaction did not make. */
export function decodeTransaction(id: string): CscTransaction {
  const parts = id.split('.')
  const [version, expires, keyTag, user, last] = parts
  const valid =
    parts.length === 5 &&
    (version === 'csc1' || version === 'csc1s') &&
    /^\d{1,15}$/.test(expires ?? '') &&
    /^[a-z0-9]{1,32}$/i.test(keyTag ?? '') &&
    [user, last].every((p) => p !== undefined && /^[A-Za-z0-9_-]+$/.test(p))
  if (!valid) throw new SigningError('BAD_OPTION', 'not a CSC transaction id')
  const common = {
    expiresAt: new Date(Number(expires)),
    keyTag: keyTag!,
    userRef: Buffer.from(user!, 'base64url').toString('utf8'),
  }
  const bytes = Buffer.from(last!, 'base64url')
  if (version === 'csc1s') return { ...common, signature: bytes }
  return { ...common, responseId: bytes.toString('utf8') }
}
