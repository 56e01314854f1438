import { randomBytes } from 'node:crypto'
import { SigningError } from '../signing/errors'
import type { KeySource } from '../signing/keys/key-source'
import { unwrap, wrap } from '../signing/keys/key-wrap'
import { openWithPin, sealWithPin } from '../signing/keys/pin-seal'
import { openPkcs12KeySource, readPkcs12, writePkcs12 } from '../signing/keys/pkcs12'
import { publicKeyOfSpki } from '../signing/keys/pkcs11-service'
import { documentProfile, readCertificate, type DocumentProfileOptions } from '../signing/pki'
import type { KeyProtection, StoredKeyRecord } from '../storage/key-records'
import type { Services } from './context'
import { WorkflowError } from '../shared/errors'
import { certificateKeyContext } from './key-ring'

/**
 * The keys Kyso holds for signers (issue 15), stored twice locked: under the holder's PIN and
 * under the key-wrapping key. Personal keys (and seals without an HSM) are a PKCS#12 under the
 * PIN inside a key-wrapping envelope. With an HSM, an agency seal's key is made inside it and
 * never leaves; what is stored is an authorisation naming that key, sealed under the clerk's PIN
 * and wrapped the same way: only the right PIN opens it, and only then is the HSM key used.
 */
export interface NewStoredKey {
  certificate: Buffer
  serialHex: string
  /** What goes in `certificates.p12`. */
  p12: Buffer
  keyProtection: Exclude<KeyProtection, 'pin'>
  hsmKeyId: string | null
}

type KeyServices = Pick<Services, 'ca' | 'keyRing' | 'hsm'>

interface Authorisation {
  v: 1
  keyId: string
  serialHex: string
  /** Random: the sealed record is worth nothing without the PIN that opens it. */
  nonce: string
}

function caOf(s: KeyServices): NonNullable<Services['ca']> {
  if (!s.ca)
    throw new WorkflowError('CONFLICT', 'Máy chủ không có CA nội bộ để cấp hoặc thu hồi chứng thư số')
  return s.ca
}

/** Makes a key and its certificate for a holder who has just chosen `pin`. */
export async function makeStoredKey(
  s: KeyServices,
  spec: { seal: boolean; profile: DocumentProfileOptions },
  pin: string,
): Promise<NewStoredKey> {
  const ca = caOf(s)
  // Issue 18: the CA's CRL and OCSP addresses (KYSO_PUBLIC_URL) in every certificate from now on.
  spec = { ...spec, profile: { ...ca.urls, ...spec.profile } }
  if (spec.seal && s.hsm) {
    const { keyId, spki } = await s.hsm.generateKeyPair({
      label: `Kyso seal ${spec.profile.org ?? spec.profile.name}`,
      keyType: 'p256',
    })
    const { certificate, serialHex } = await ca.certify(
      documentProfile({ ...spec.profile, seal: true }),
      publicKeyOfSpki(spki),
    )
    const authorisation: Authorisation = { v: 1, keyId, serialHex, nonce: randomBytes(16).toString('base64') }
    const sealed = await sealWithPin(Buffer.from(JSON.stringify(authorisation), 'utf8'), pin)
    return {
      certificate,
      serialHex,
      p12: await wrap(s.keyRing, sealed, certificateKeyContext(serialHex)),
      keyProtection: 'hsm',
      hsmKeyId: keyId,
    }
  }
  const issued = await ca.issueWithKey(
    { ...spec.profile, seal: spec.seal, ...(spec.seal && { keyType: 'p256' as const }) },
    pin,
  )
  const p12 = await wrap(s.keyRing, issued.p12, certificateKeyContext(issued.serialHex))
  return {
    certificate: issued.certificate,
    serialHex: issued.serialHex,
    p12,
    keyProtection: 'wrapped',
    hsmKeyId: null,
  }
}

/** What the PIN opens: the PKCS#12, or the HSM authorisation. PIN_INCORRECT when it is not the PIN. */
async function innerOf(s: KeyServices, k: StoredKeyRecord): Promise<Buffer> {
  return k.keyProtection === 'pin' ? k.p12 : unwrap(s.keyRing, k.p12, certificateKeyContext(k.serialHex))
}

/** Opens a stored key with the holder's PIN (the caller counts the try: pin-tries.ts). */
export async function openStoredKey(s: KeyServices, k: StoredKeyRecord, pin: string): Promise<KeySource> {
  const inner = await innerOf(s, k)
  if (k.keyProtection !== 'hsm') return openPkcs12KeySource(inner, pin)
  const authorisation = JSON.parse((await openWithPin(inner, pin)).toString('utf8')) as Authorisation
  // The record names its key and certificate: a row pointed at another HSM key opens nothing.
  if (
    authorisation.keyId !== k.hsmKeyId ||
    authorisation.serialHex !== readCertificate(k.certificateDer).serialHex
  ) {
    throw new SigningError('KEY_MISMATCH', `The authorisation of certificate ${k.id} names another key`)
  }
  if (!s.hsm)
    throw new SigningError(
      'TOKEN_NOT_FOUND',
      'Khóa con dấu nằm trong HSM nhưng máy chủ chưa kết nối HSM (KYSO_PKCS11_MODULE)',
    )
  const ca = caOf(s)
  return s.hsm.keySource(authorisation.keyId, k.certificateDer, [ca.issuing, ca.root])
}

/** The same key sealed under a new PIN (and the current key-wrapping key); opens with `oldPin` first. */
export async function resealStoredKey(
  s: KeyServices,
  k: StoredKeyRecord,
  oldPin: string,
  newPin: string,
): Promise<Buffer> {
  const inner = await innerOf(s, k)
  let resealed: Buffer
  if (k.keyProtection === 'hsm') {
    resealed = await sealWithPin(await openWithPin(inner, oldPin), newPin)
  } else {
    const { key, certificate, chain } = readPkcs12(inner, oldPin)
    resealed = writePkcs12({
      key,
      certificate,
      chain,
      pin: newPin,
      friendlyName: readCertificate(certificate).commonName ?? 'Kyso',
    })
  }
  return wrap(s.keyRing, resealed, certificateKeyContext(k.serialHex))
}
