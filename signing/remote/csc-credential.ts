/**
 * Reading a CSC API v2 credential description (the credentialInfo objects of credentials/list,
 * §11.4, and the answer of credentials/info, §11.5) into a RemoteCredential, trusting nothing:
 * every field is checked before use and the certificates must parse.
 */
import { X509Certificate } from 'node:crypto'
import { OID } from '../cms'
import { SigningError } from '../errors'
import type { RemoteCredential } from './connector'
import { asRecord } from './http-exchange'

/** What signing needs beyond the certificate: the signAlgo to ask for and the EC curve. */
export interface KeyFacts {
  keyAlgorithm: 'RSA' | 'EC'
  signAlgo: string
  /** node's curve name (prime256v1, ...) for EC keys. */
  namedCurve?: string
}

/**
 * Raw-hash signature algorithms in order of preference (CSC API v2 §5 expresses them as OIDs).
 * RSA: rsaEncryption with a separate hashAlgorithmOID (§11.10), or sha256WithRSAEncryption for
 * providers that list only that; EC: ecdsa-with-SHA256.
 */
const SIGN_ALGOS: Readonly<Record<'RSA' | 'EC', readonly string[]>> = {
  RSA: [OID.rsaEncryption, OID.sha256WithRSAEncryption],
  EC: [OID.ecdsaWithSha256],
}

export interface ParsedCredential {
  credential: RemoteCredential
  facts: KeyFacts
  /** key/status is "disabled" (§11.4): listed by the provider but unable to sign. */
  disabled: boolean
}

/** Throws REMOTE_SIGNING_FAILED naming the provider and the field that is wrong. */
export function parseCredentialInfo(
  provider: string,
  credentialId: string,
  value: unknown,
): ParsedCredential {
  const fail = (what: string): never => {
    const message = `${provider} described credential ${credentialId} with ${what}`
    throw new SigningError('REMOTE_SIGNING_FAILED', message)
  }
  const info = asRecord(value) ?? fail('something that is not a JSON object')
  const certificates = asRecord(info.cert)?.certificates
  if (!Array.isArray(certificates) || certificates.length === 0) return fail('no cert/certificates')
  const ders = certificates.map((c, i) => decodeBase64(c) ?? fail(`certificate ${i} that is not Base64`))
  const parsed = ders.map((der, i) => parseCertificate(der) ?? fail(`certificate ${i} that is not X.509`))
  const publicKey = parsed[0]!.publicKey
  const type = publicKey.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec') return fail(`a ${String(type)} key (RSA or EC expected)`)
  const keyAlgorithm = type === 'rsa' ? 'RSA' : 'EC'
  const key = asRecord(info.key)
  const listed = Array.isArray(key?.algo) ? key.algo.filter((a): a is string => typeof a === 'string') : []
  // A provider may list only id-ecPublicKey or nothing at all: then ask for our first choice.
  const signAlgo = SIGN_ALGOS[keyAlgorithm].find((a) => listed.includes(a)) ?? SIGN_ALGOS[keyAlgorithm][0]!
  const namedCurve = publicKey.asymmetricKeyDetails?.namedCurve
  const label = typeof info.description === 'string' && info.description ? info.description : undefined
  const [certificate, ...chain] = ders
  return {
    credential: { credentialId, certificate: certificate!, chain, keyAlgorithm, ...(label && { label }) },
    facts: { keyAlgorithm, signAlgo, ...(namedCurve && { namedCurve }) },
    disabled: key?.status === 'disabled',
  }
}

/** Standard or URL-safe Base64 (providers use both); undefined for anything else. */
export function decodeBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined
  const compact = value.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

function parseCertificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der)
  } catch {
    return undefined
  }
}
