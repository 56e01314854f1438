/** RSASSA-PSS-params (RFC 4055 §3.1, RFC 4056 §2) as node:crypto can check them. */
import { fieldsOf, integerOf, oidOf, type DerNode } from './der-read'
import { HASH_BY_OID, OID, type HashName } from './oids'

export interface SignatureAlgorithm {
  readonly oid: string
  readonly parameters?: DerNode
}

/**
 * The hash and salt length of a PSS signature. Defaults are SHA-1, MGF1 with SHA-1, salt 20,
 * trailer 1 (RFC 4055 §3.1). node:crypto always uses the message hash for MGF1, so parameters
 * naming another MGF1 hash, another mask function or another trailer field cannot be checked.
 */
export function pssParameters(
  algorithm: SignatureAlgorithm,
): { hash: HashName; saltLength: number } | { unsupported: string } {
  try {
    const params = algorithm.parameters ? fieldsOf(algorithm.parameters, 'RSASSA-PSS-params') : undefined
    const hashNode = params?.context(0)?.children[0]
    const mgfNode = params?.context(1)?.children[0]
    const saltNode = params?.context(2)?.children[0]
    const trailerNode = params?.context(3)?.children[0]
    const hash = hashNode
      ? HASH_BY_OID[oidOf(fieldsOf(hashNode, 'hashAlgorithm').required(0x06, 'algorithm'))]
      : 'sha1'
    const mgf = mgfNode ? fieldsOf(mgfNode, 'maskGenAlgorithm') : undefined
    const isMgf1 = !mgf || oidOf(mgf.required(0x06, 'algorithm')) === OID.mgf1
    const mgfHashNode = mgf?.optional(0x10)
    const mgfHash = mgfHashNode
      ? HASH_BY_OID[oidOf(fieldsOf(mgfHashNode, 'MGF1 hash').required(0x06, 'algorithm'))]
      : 'sha1'
    const trailer = trailerNode ? Number(integerOf(trailerNode)) : 1
    if (!hash || !isMgf1 || mgfHash !== hash || trailer !== 1) {
      return {
        unsupported:
          'RSASSA-PSS parameters that node:crypto cannot check (MGF1 hash, mask function or trailer)',
      }
    }
    return { hash, saltLength: saltNode ? Number(integerOf(saltNode)) : 20 }
  } catch {
    return { unsupported: 'malformed RSASSA-PSS parameters' }
  }
}
