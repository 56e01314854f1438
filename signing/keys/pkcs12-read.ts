/**
 * Reading a PFX (RFC 7292) with the one ASN.1 reader of signing/cms: the MAC first (a mismatch is
 * a wrong PIN), then the SafeContents, plain or encrypted (PBES2, or the older PBE-SHA1-3DES),
 * their key and certificate bags, and the certificate that belongs to the key.
 */
import * as crypto from 'node:crypto'
import {
  Asn1Error,
  elementsOf,
  integerOf,
  octetsOf,
  oidOf,
  readDer,
  smallIntegerOf,
  type DerNode,
} from '../cms/der-read'
import { SigningError } from '../errors'
import {
  bmpPassword,
  CIPHERS,
  DIGESTS,
  MAX_ITERATIONS,
  OID,
  PRFS,
  pkcs12Kdf,
  publicSpki,
} from './pkcs12-params'

export interface Pkcs12Contents {
  key: crypto.KeyObject
  /** The end-entity certificate (the one whose public key matches `key`), DER. */
  certificate: Buffer
  /** The other certificates, DER, nearest issuer first where the file lets us tell. */
  chain: Buffer[]
}

interface Bags {
  keys: crypto.KeyObject[]
  certificates: Buffer[]
}

/**
 * The key and certificates of a PFX, PIN_INCORRECT when its MAC (or, without one, its decryption)
 * fails, Asn1Error for anything else that is not as RFC 7292 has it.
 */
export function readPfx(p12: Buffer, pin: string): Pkcs12Contents {
  const pfx = elementsOf(readDer(p12, 'PFX'), 2)
  if (integerOf(integerNode(pfx[0])) !== 3n) throw new Asn1Error('PFX version is not 3')
  const authSafeInfo = elementsOf(pfx[1], 2)
  if (oidOf(authSafeInfo[0]) !== OID.data) throw new Asn1Error('only password integrity is supported')
  const authSafe = octetsOf(explicitChild(authSafeInfo[1]))
  if (pfx[2]) verifyMac(pfx[2], authSafe, pin)
  return selectEndEntity(readAuthenticatedSafe(authSafe, pin))
}

/** MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 } (§4). */
function verifyMac(macData: DerNode, authSafe: Buffer, pin: string): void {
  const [digestInfo, saltNode, iterNode] = elementsOf(macData, 2)
  const [algorithm, digestNode] = elementsOf(digestInfo, 2)
  const digest = DIGESTS[oidOf(elementsOf(algorithm, 1)[0])]
  if (!digest) throw new Asn1Error('unsupported MAC digest')
  const iterations = iterNode ? iterationCount(iterNode) : 1
  const key = pkcs12Kdf(digest, bmpPassword(pin), octetsOf(saltNode), 3, iterations, digest.u)
  const expected = octetsOf(digestNode)
  const actual = crypto.createHmac(digest.name, key).update(authSafe).digest()
  if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) {
    throw new SigningError('PIN_INCORRECT', 'Mã PIN không đúng')
  }
}

/** AuthenticatedSafe ::= SEQUENCE OF ContentInfo, each Data or EncryptedData (§4.1). */
function readAuthenticatedSafe(authSafe: Buffer, pin: string): Bags {
  const bags: Bags = { keys: [], certificates: [] }
  for (const info of elementsOf(readDer(authSafe, 'AuthenticatedSafe'))) {
    const [type, content] = elementsOf(info, 2)
    const contentType = oidOf(type)
    if (contentType === OID.data) {
      readSafeContents(readDer(octetsOf(explicitChild(content)), 'SafeContents'), pin, bags)
    } else if (contentType === OID.encryptedData) {
      // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo } (RFC 5652 §8),
      // EncryptedContentInfo ::= SEQUENCE { contentType, algorithm, [0] IMPLICIT content }
      const eci = elementsOf(elementsOf(explicitChild(content), 2)[1], 3)
      const plain = decrypt(eci[1] as DerNode, octetsOf(eci[2]), pin)
      readSafeContents(readDer(plain, 'SafeContents'), pin, bags)
    } else {
      throw new Asn1Error(`unsupported content type ${contentType}`)
    }
  }
  return bags
}

/** SafeContents ::= SEQUENCE OF SafeBag { bagId, bagValue [0] EXPLICIT, bagAttributes } (§4.2). */
function readSafeContents(safeContents: DerNode, pin: string, bags: Bags): void {
  for (const bag of elementsOf(safeContents)) {
    const [id, value] = elementsOf(bag, 2)
    const bagId = oidOf(id)
    const inner = explicitChild(value)
    if (bagId === OID.keyBag) {
      bags.keys.push(privateKey(inner.raw))
    } else if (bagId === OID.shroudedKeyBag) {
      const [algorithm, data] = elementsOf(inner, 2)
      bags.keys.push(privateKey(decrypt(algorithm as DerNode, octetsOf(data), pin)))
    } else if (bagId === OID.certBag) {
      const [certType, certValue] = elementsOf(inner, 2)
      if (oidOf(certType) === OID.x509Certificate)
        bags.certificates.push(Buffer.from(octetsOf(explicitChild(certValue))))
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(inner, pin, bags)
    }
    // CRL and secret bags carry nothing a signer needs: skipped.
  }
}

function privateKey(pkcs8: Buffer): crypto.KeyObject {
  try {
    return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  } catch (err) {
    throw new Asn1Error(`private key is not PKCS#8: ${(err as Error).message}`)
  }
}

/** The key, its certificate (public keys equal) and the rest ordered leaf-upwards (issuer = subject). */
function selectEndEntity(bags: Bags): Pkcs12Contents {
  const key = bags.keys[0]
  if (!key) throw new Asn1Error('no private key in the file')
  const spki = publicSpki(key)
  const parsed = bags.certificates.map((der) => ({ der, x509: new crypto.X509Certificate(der) }))
  const leaf = parsed.find((c) => spki.equals(publicSpki(c.x509.publicKey)))
  if (!leaf) throw new Asn1Error('no certificate matches the private key')
  const rest = parsed.filter((c) => c !== leaf)
  const chain: Buffer[] = []
  for (let current = leaf; ; ) {
    const issuer = rest.find((c) => !chain.includes(c.der) && current.x509.checkIssued(c.x509))
    if (!issuer) break
    chain.push(issuer.der)
    current = issuer
  }
  for (const c of rest) if (!chain.includes(c.der)) chain.push(c.der)
  return { key, certificate: leaf.der, chain }
}

/** Decrypts under PBES2 (RFC 8018 §6.2) or pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 App. C). */
function decrypt(algorithm: DerNode, ciphertext: Buffer, pin: string): Buffer {
  const [id, params] = elementsOf(algorithm, 1)
  const scheme = oidOf(id)
  let cipher: string, key: Buffer, iv: Buffer
  if (scheme === OID.pbes2) {
    const [kdf, enc] = elementsOf(params, 2)
    const [kdfId, kdfParams] = elementsOf(kdf, 2)
    if (oidOf(kdfId) !== OID.pbkdf2) throw new Asn1Error('PBES2 key derivation is not PBKDF2')
    // PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }
    const [salt, iter, ...optional] = elementsOf(kdfParams, 2)
    const prfNode = optional.find((n) => n.tagClass === 'universal' && n.tag === 0x10)
    const prf = prfNode ? PRFS[oidOf(elementsOf(prfNode, 1)[0])] : 'sha1'
    const [encId, ivNode] = elementsOf(enc, 2)
    const spec = CIPHERS[oidOf(encId)]
    if (!prf || !spec) throw new Asn1Error('unsupported PBES2 PRF or cipher')
    cipher = spec.name
    key = crypto.pbkdf2Sync(
      Buffer.from(pin, 'utf8'),
      octetsOf(salt),
      iterationCount(iter),
      spec.keyLength,
      prf,
    )
    iv = octetsOf(ivNode)
  } else if (scheme === OID.pbeSha1Des3) {
    const [salt, iter] = elementsOf(params, 2)
    const sha1 = DIGESTS['1.3.14.3.2.26']!
    const password = bmpPassword(pin)
    const count = iterationCount(iter)
    cipher = 'des-ede3-cbc'
    key = pkcs12Kdf(sha1, password, octetsOf(salt), 1, count, 24)
    iv = pkcs12Kdf(sha1, password, octetsOf(salt), 2, count, 8)
  } else {
    throw new Asn1Error(`unsupported encryption ${scheme} (RC2 and RC4 need OpenSSL's legacy provider)`)
  }
  try {
    const decipher = crypto.createDecipheriv(cipher, key, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch (err) {
    // Reached only when the file has no MAC, or its MAC and contents use different passwords.
    throw new SigningError('PIN_INCORRECT', 'Mã PIN không đúng (decryption failed)', { cause: err })
  }
}

/** The [0] EXPLICIT wrapper's one element. */
function explicitChild(node: DerNode | undefined): DerNode {
  if (node?.tagClass !== 'context' || node.tag !== 0) throw new Asn1Error('expected [0]')
  return elementsOf(node, 1)[0] as DerNode
}

function integerNode(node: DerNode | undefined): DerNode {
  if (node?.tagClass !== 'universal' || node.tag !== 0x02) throw new Asn1Error('expected an INTEGER')
  return node
}

/** An iteration count in 1..MAX_ITERATIONS. */
function iterationCount(node: DerNode | undefined): number {
  const n = smallIntegerOf(integerNode(node), MAX_ITERATIONS)
  if (n < 1) throw new Asn1Error('iteration count 0')
  return n
}
