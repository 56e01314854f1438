/**
 * A small PKI for the algorithm tests: one RSA root that certifies leaves with any key node:crypto
 * makes (RSA of any size, RSA-PSS, NIST and brainpool curves, Ed25519, Ed448), a TSA, and a
 * current CRL. Built with the library's certificate and CRL builders, dated from 2015 so that
 * signatures and time-stamps can be placed in the past (the SHA-1 cases).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { randomSerial, signCertificate } from '../../signing/pki/certificate-builder'
import { signCrl } from '../../signing/pki/crl-builder'
import {
  basicConstraints,
  extKeyUsage,
  keyIdentifierOf,
  keyUsage,
  subjectKeyIdentifier,
  authorityKeyIdentifier,
  EKU,
} from '../../signing/pki/extensions'
import { encodeName } from '../../signing/pki/names'
import { parseCrl, type ParsedCrl } from '../../signing/pki/crl'

export type LeafKey =
  | 'rsa1024'
  | 'rsa2048'
  | 'rsa3072'
  | 'rsa-pss'
  | 'p256'
  | 'p384'
  | 'p521'
  | 'brainpoolP256r1'
  | 'brainpoolP384r1'
  | 'brainpoolP512r1'
  | 'ed25519'
  | 'ed448'

export interface Leaf {
  certificate: Buffer
  privateKey: KeyObject
}

export interface AlgorithmPki {
  rootDer: Buffer
  crls: ParsedCrl[]
  leaf(key: LeafKey): Leaf
  tsa: Leaf
}

const SINCE = new Date('2015-01-01T00:00:00Z')
const UNTIL = new Date('2040-01-01T00:00:00Z')

function keyPair(key: LeafKey): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (key) {
    case 'rsa1024':
      return generateKeyPairSync('rsa', { modulusLength: 1024 })
    case 'rsa2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 })
    case 'rsa3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 })
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
    case 'p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    case 'p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' })
    case 'p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' })
    case 'ed25519':
      return generateKeyPairSync('ed25519')
    case 'ed448':
      return generateKeyPairSync('ed448')
    default:
      return generateKeyPairSync('ec', { namedCurve: key })
  }
}

let cached: AlgorithmPki | undefined

/** The PKI (created on first use; leaves are made once per key kind). */
export function getAlgorithmPki(): AlgorithmPki {
  if (cached) return cached
  const root = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const rootName = encodeName({ commonName: 'Kyso Algorithm Test Root', organization: 'Kyso (thử nghiệm)' })
  const rootKeyId = keyIdentifierOf(root.publicKey)
  const rootDer = signCertificate(
    {
      serial: randomSerial(),
      issuerName: rootName,
      subjectName: rootName,
      notBefore: SINCE,
      notAfter: UNTIL,
      publicKey: root.publicKey,
      extensions: [
        basicConstraints(true),
        keyUsage(['keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(rootKeyId),
      ],
    },
    root.privateKey,
  )
  const issue = (name: string, publicKey: KeyObject, eku: string, critical: boolean): Buffer =>
    signCertificate(
      {
        serial: randomSerial(),
        issuerName: rootName,
        subjectName: encodeName({ commonName: name, organization: 'Kyso (thử nghiệm)' }),
        notBefore: SINCE,
        notAfter: UNTIL,
        publicKey,
        extensions: [
          basicConstraints(false),
          keyUsage(['digitalSignature', 'nonRepudiation']),
          extKeyUsage([eku], critical),
          subjectKeyIdentifier(keyIdentifierOf(publicKey)),
          authorityKeyIdentifier(rootKeyId),
        ],
      },
      root.privateKey,
    )
  const now = new Date()
  const crl = signCrl({
    issuerCertificate: rootDer,
    issuerKey: root.privateKey,
    thisUpdate: new Date(now.getTime() - 3600_000),
    nextUpdate: new Date(now.getTime() + 7 * 86_400_000),
    crlNumber: 1,
    entries: [],
  })
  const tsaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const leaves = new Map<LeafKey, Leaf>()
  cached = {
    rootDer,
    crls: [parseCrl(crl)],
    tsa: {
      certificate: issue('Kyso Algorithm Test TSA', tsaKeys.publicKey, EKU.timeStamping, true),
      privateKey: tsaKeys.privateKey,
    },
    leaf(key) {
      let leaf = leaves.get(key)
      if (!leaf) {
        const pair = keyPair(key)
        leaf = {
          certificate: issue(`Người ký ${key}`, pair.publicKey, EKU.documentSigning, false),
          privateKey: pair.privateKey,
        }
        leaves.set(key, leaf)
      }
      return leaf
    },
  }
  return cached
}
