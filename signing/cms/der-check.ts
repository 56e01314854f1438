/**
 * Whether a node read by der-read is in the Distinguished Encoding Rules (ITU-T X.690 §10-11):
 * definite, minimal lengths (§10.1), primitive strings (§10.2), canonical BOOLEAN (§11.1) and
 * SET OF elements in ascending order of their encodings (§11.6). CMS signed attributes must be
 * DER (RFC 5652 §5.3): validators that re-encode them before checking the signature, as
 * BouncyCastle and so EU DSS do, reject a signature over attributes in another order.
 */
import type { DerNode } from './der-read'

/** String types that DER encodes as primitive only (X.690 §10.2). */
const STRING_TAGS = new Set([0x03, 0x04, 0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1e])

/**
 * Returns why `node` is not DER, or undefined when it is. `setOf` says that the node's own
 * children form a SET OF (for a [0] IMPLICIT SET OF such as SignerInfo.signedAttrs).
 */
export function derProblem(node: DerNode, setOf = false, depth = 0): string | undefined {
  if (depth > 64) return 'nested too deeply'
  const header = node.raw.length - node.content.length
  const tagBytes = tagLength(node)
  if (
    node.raw.length !== header + node.content.length ||
    header !== tagBytes + lengthOctets(node.content.length)
  ) {
    return 'a length is indefinite or not minimal (X.690 §10.1)'
  }
  const universal = node.tagClass === 'universal'
  if (universal && node.constructed && STRING_TAGS.has(node.tag)) return 'a constructed string (X.690 §10.2)'
  if (
    universal &&
    node.tag === 0x01 &&
    !(node.content.length === 1 && (node.content[0] === 0 || node.content[0] === 0xff))
  ) {
    return 'a BOOLEAN that is not 00 or FF (X.690 §11.1)'
  }
  if (setOf || (universal && node.tag === 0x11)) {
    for (let i = 1; i < node.children.length; i++) {
      if (Buffer.compare((node.children[i - 1] as DerNode).raw, (node.children[i] as DerNode).raw) > 0) {
        return 'SET OF elements are not in ascending order of their encodings (X.690 §11.6)'
      }
    }
  }
  for (const child of node.children) {
    const problem = derProblem(child, false, depth + 1)
    if (problem) return problem
  }
  return undefined
}

/** Identifier octets: one, or more for the high-tag-number form (X.690 §8.1.2.4). */
function tagLength(node: DerNode): number {
  if (node.tag < 31) return 1
  let n = 1
  for (let t = node.tag; t > 0; t = Math.floor(t / 128)) n++
  return n
}

/** Length octets of the minimal definite form (X.690 §10.1). */
function lengthOctets(length: number): number {
  if (length < 0x80) return 1
  let n = 1
  for (let l = length; l > 0; l = Math.floor(l / 256)) n++
  return n
}
