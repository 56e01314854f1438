/**
 * The transaction id the CSC connector hands out. It carries everything signPolling needs, so a
 * process that restarts (or another instance) can keep polling: the provider's responseID, the
 * userID it was started for, when the validity period ends, and the key (to put an EC value in
 * DER). Nothing secret goes in it: it may be stored beside a document.
 *
 * Form: `csc1.<expiresAt ms>.<rsa | curve name>.<base64url userID>.<base64url responseID>`.
 */
import { SigningError } from '../errors'

export interface CscTransaction {
  expiresAt: Date
  /** 'rsa', or node's curve name for EC keys (prime256v1, ...). */
  keyTag: string
  userRef: string
  responseId: string
}

export function encodeTransaction(tx: CscTransaction): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url')
  return ['csc1', tx.expiresAt.getTime(), tx.keyTag, b64(tx.userRef), b64(tx.responseId)].join('.')
}

/** BAD_OPTION for anything encodeTransaction did not make. */
export function decodeTransaction(id: string): CscTransaction {
  const parts = id.split('.')
  const [version, expires, keyTag, user, response] = parts
  const valid =
    parts.length === 5 &&
    version === 'csc1' &&
    /^\d{1,15}$/.test(expires ?? '') &&
    /^[a-z0-9]{1,32}$/i.test(keyTag ?? '') &&
    [user, response].every((p) => p !== undefined && /^[A-Za-z0-9_-]+$/.test(p))
  if (!valid) throw new SigningError('BAD_OPTION', 'not a CSC transaction id')
  return {
    expiresAt: new Date(Number(expires)),
    keyTag: keyTag!,
    userRef: Buffer.from(user!, 'base64url').toString('utf8'),
    responseId: Buffer.from(response!, 'base64url').toString('utf8'),
  }
}
