/**
 * ECDSA values as CMS wants them. SignerInfo.signature holds the DER Ecdsa-Sig-Value
 * `SEQUENCE { r INTEGER, s INTEGER }` (RFC 5753 §7.2, RFC 3279 §2.2.3); some remote-signing
 * providers answer the fixed-width `r || s` of IEEE P1363 / RFC 7518 §3.4 instead.
 */
import * as derWrite from './der-write'
import { readDer, type DerNode } from './der-read'

/** Bytes of one coordinate, by the curve names node reports (SEC 2 §2.4-2.6). */
const FIELD_BYTES: Readonly<Record<string, number>> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 }

/**
 * Returns `signature` as a DER Ecdsa-Sig-Value: unchanged when it already is one, converted when
 * it is exactly `r || s` for the curve, undefined when it is neither.
 */
export function toDerEcdsaSignature(signature: Buffer, namedCurve: string | undefined): Buffer | undefined {
  if (isDerEcdsaSignature(signature)) return signature
  const width = namedCurve ? FIELD_BYTES[namedCurve] : undefined
  if (width === undefined || signature.length !== 2 * width) return undefined
  return ecdsaPlainToDer(signature)
}

/**
 * `r || s` (two equal halves, big-endian; BSI TR-03111 "plain") as a DER Ecdsa-Sig-Value;
 * undefined for an odd length or a zero half.
 */
export function ecdsaPlainToDer(plain: Buffer): Buffer | undefined {
  if (plain.length === 0 || plain.length % 2 !== 0) return undefined
  const half = plain.length / 2
  const r = BigInt('0x' + plain.subarray(0, half).toString('hex'))
  const s = BigInt('0x' + plain.subarray(half).toString('hex'))
  if (r === 0n || s === 0n) return undefined
  return derWrite.sequence(derWrite.integer(r), derWrite.integer(s))
}

/** A whole-buffer SEQUENCE of two positive INTEGERs. */
function isDerEcdsaSignature(signature: Buffer): boolean {
  try {
    const node = readDer(signature, 'Ecdsa-Sig-Value')
    const positiveInteger = (c: DerNode) =>
      c.tagClass === 'universal' && c.tag === 0x02 && c.content.length > 0 && (c.content[0]! & 0x80) === 0
    return (
      node.raw.length === signature.length &&
      node.tagClass === 'universal' &&
      node.tag === 0x10 &&
      node.children.length === 2 &&
      node.children.every(positiveInteger)
    )
  } catch {
    return false
  }
}
