import { createPrivateKey, type KeyObject } from 'node:crypto'
import { SigningError } from '../signing/errors'
import type { KeySource } from '../signing/keys/key-source'
import { unwrap, type KeyRing } from '../signing/keys/key-wrap'
import { privateKeySource, writePkcs12 } from '../signing/keys/pkcs12'
import type { ServiceToken } from '../signing/keys/pkcs11-service'
import {
  certifyLeaf,
  CRL_VALIDITY_DAYS,
  documentProfile,
  generateKey,
  normaliseSerial,
  readCertificate,
  REVOCATION_REASONS,
  signCrls,
  toPem,
  type DocumentProfileOptions,
  type KeyType,
  type LeafProfile,
  type RevocationReason,
  type CaStatusSource,
  type SerialStatus,
} from '../signing/pki'
import {
  caCertificate,
  caCrl,
  caKeys,
  insertCaCertificate,
  markCaCertificateRevoked,
  nextCrlNumber,
  revokedCaCertificates,
  saveCaCrl,
  type CaKeyName,
  type CaKeyRecord,
} from '../storage/ca-records'
import type { Db } from '../storage/db'
import { takeLock } from '../storage/sql'
import { inTransaction, type Tx } from '../storage/transaction'

/**
 * The service's internal CA (issue 15), kept in the database so that every instance issues,
 * revokes and timestamps from the same one without a shared folder: keys wrapped under the
 * key-wrapping key (or in the HSM), the index of what it issued, and its current CRLs. Issuing and
 * revoking take the `ca` lock (storage/sql.ts), so instances take turns. The store's API is what
 * an OCSP responder needs too (issue 18): `statusOf`, `crlPem`, and the issuing key as a KeySource.
 */
export interface InternalCa {
  readonly name: string
  readonly root: Buffer
  readonly issuing: Buffer
  /**
   * Where the certificates it issues name its CRL and OCSP responder (issue 18: under
   * KYSO_PUBLIC_URL); makeStoredKey adds them to every profile.
   */
  readonly urls: { crlUrl?: string; ocspUrl?: string }
  /** A personal or seal certificate for a key made here, returned as a PKCS#12 under `pin`. */
  issueWithKey(
    opts: DocumentProfileOptions & { keyType?: KeyType },
    pin: string,
  ): Promise<{ certificate: Buffer; serialHex: string; p12: Buffer }>
  /** A certificate for a key made elsewhere (the HSM), from its public key. */
  certify(profile: LeafProfile, publicKey: KeyObject): Promise<{ certificate: Buffer; serialHex: string }>
  /** Revokes inside the caller's transaction and re-signs the CRLs there; false when already revoked. */
  revoke(trx: Tx, serialHex: string, reason?: string): Promise<boolean>
  statusOf(serialHex: string): Promise<SerialStatus>
  /** The current CRLs (the issuing CA's, then the root's), re-signed once past half their validity. */
  crlPem(): Promise<string>
  key(name: CaKeyName): Promise<KeySource>
}

export const caKeyContext = (name: CaKeyName): string => `ca-key:${name}`

/** The CA kept in the database, or undefined when there is none yet. */
export async function openInternalCa(
  db: Db,
  ring: KeyRing,
  hsm?: ServiceToken,
  urls: { crlUrl?: string; ocspUrl?: string } = {},
): Promise<InternalCa | undefined> {
  const rows = new Map((await caKeys(db)).map((k) => [k.name, k]))
  const rootRow = rows.get('root')
  const issuingRow = rows.get('issuing')
  const crl = await caCrl(db)
  if (!rootRow || !issuingRow || !crl) return undefined
  const root = rootRow.certificateDer
  const issuing = issuingRow.certificateDer
  const chains: Record<CaKeyName, Buffer[]> = {
    root: [],
    issuing: [root],
    tsa: [issuing, root],
    service: [issuing, root],
  }
  const opened = new Map<CaKeyName, Promise<KeySource>>()
  const key = (name: CaKeyName): Promise<KeySource> => {
    const row = rows.get(name)
    if (!row) return Promise.reject(new SigningError('CA_NOT_FOUND', `The internal CA has no ${name} key`))
    let ks = opened.get(name)
    if (!ks) {
      ks = caKeySource(row, chains[name], ring, hsm)
      ks.catch(() => opened.delete(name))
      opened.set(name, ks)
    }
    return ks
  }
  const signers = async () => ({
    root: { certificate: root, signer: await key('root') },
    issuing: { certificate: issuing, signer: await key('issuing') },
  })
  /** Both CRLs, numbered anew, in the caller's transaction (which holds the `ca` lock). */
  const publish = async (trx: Tx, now: Date): Promise<void> => {
    const crlNumber = await nextCrlNumber(trx)
    const revoked = (await revokedCaCertificates(trx)).map((c) => ({
      ...c,
      revokedAt: c.revokedAt as string,
      reason: (c.reason ?? undefined) as RevocationReason | undefined,
    }))
    const crls = await signCrls(revoked, crlNumber, await signers(), now)
    const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_DAYS.issuing * 86_400_000).toISOString()
    await saveCaCrl(trx, {
      name: crl.name,
      crlNumber,
      thisUpdate: now.toISOString(),
      nextUpdate,
      crlPem: toPem('X509 CRL', crls.issuing) + toPem('X509 CRL', crls.root),
    })
  }
  const ca: InternalCa = {
    name: crl.name,
    urls,
    root,
    issuing,
    async issueWithKey(opts, pin) {
      const pair = await generateKey(opts.keyType)
      const { certificate, serialHex } = await ca.certify(documentProfile(opts), pair.publicKey)
      const friendlyName = readCertificate(certificate).commonName ?? 'Kyso'
      return {
        certificate,
        serialHex,
        p12: writePkcs12({ key: pair.privateKey, certificate, chain: [issuing, root], pin, friendlyName }),
      }
    },
    async certify(profile, publicKey) {
      const signer = await key('issuing')
      return inTransaction(db, async (trx) => {
        await takeLock(trx, 'ca')
        const certificate = await certifyLeaf({ certificate: issuing, signer }, profile, publicKey)
        const facts = readCertificate(certificate)
        await insertCaCertificate(trx, {
          serialHex: facts.serialHex,
          subject: facts.subject,
          kind: profile.kind,
          issuedBy: 'issuing',
          notBefore: facts.notBefore.toISOString(),
          notAfter: facts.notAfter.toISOString(),
          certificateDer: certificate,
        })
        return { certificate, serialHex: facts.serialHex }
      })
    },
    async revoke(trx, serialHex, reason = 'unspecified') {
      if (!Object.hasOwn(REVOCATION_REASONS, reason))
        throw new SigningError('BAD_OPTION', `Unknown revocation reason "${reason}" (RFC 5280 §5.3.1)`)
      await takeLock(trx, 'ca')
      const serial = normaliseSerial(serialHex)
      const entry = await caCertificate(trx, serial)
      if (!entry)
        throw new SigningError('SERIAL_UNKNOWN', `CA không cấp chứng thư số nào có số sê-ri ${serialHex}`)
      if (entry.kind === 'root-ca')
        throw new SigningError('BAD_OPTION', 'The root CA cannot be revoked by its own CRL')
      // Whole seconds: the CRL's revocationDate carries no fractions (RFC 5280 §5.1.2.6).
      const now = new Date(Math.floor(Date.now() / 1000) * 1000)
      if (
        !(await markCaCertificateRevoked(
          trx,
          serial,
          now.toISOString(),
          reason === 'unspecified' ? null : reason,
        ))
      )
        return false
      await publish(trx, now)
      return true
    },
    async statusOf(serialHex) {
      const entry = await caCertificate(db, normaliseSerial(serialHex))
      // Only what the issuing CA issued: its own certificate is the root's to speak for.
      if (entry?.issuedBy !== 'issuing' || entry.kind === 'issuing-ca') return { status: 'unknown' }
      if (!entry.revokedAt) return { status: 'good' }
      return {
        status: 'revoked',
        revokedAt: new Date(entry.revokedAt),
        ...(entry.reason && { reason: entry.reason as RevocationReason }),
      }
    },
    async crlPem() {
      const current = (await caCrl(db)) ?? crl
      const half = (Date.parse(current.nextUpdate) - Date.parse(current.thisUpdate)) / 2
      if (Date.now() < Date.parse(current.thisUpdate) + half) return current.crlPem
      await inTransaction(db, async (trx) => {
        await takeLock(trx, 'ca')
        const again = (await caCrl(trx)) ?? current
        if (Date.now() >= Date.parse(again.thisUpdate) + half)
          await publish(trx, new Date(Math.floor(Date.now() / 1000) * 1000))
      })
      return ((await caCrl(db)) ?? current).crlPem
    },
    key,
  }
  return ca
}

/**
 * The CA as its OCSP responder and CRL endpoints read it (issue 18): the issuing CA answers for
 * what it issued, with its own key (RFC 6960 §4.2.2.2), and the CRLs are the current ones.
 */
export function caStatusOf(ca: InternalCa): CaStatusSource {
  return {
    issuerCertificate: () => ca.issuing,
    responderKey: () => ca.key('issuing'),
    statusOf: (serialHex) => ca.statusOf(serialHex),
    currentCrls: async () => Buffer.from(await ca.crlPem(), 'latin1'),
  }
}

async function caKeySource(
  row: CaKeyRecord,
  chain: Buffer[],
  ring: KeyRing,
  hsm?: ServiceToken,
): Promise<KeySource> {
  if (row.keyProtection === 'hsm') {
    if (!hsm || !row.hsmKeyId)
      throw new SigningError(
        'TOKEN_NOT_FOUND',
        `The CA's ${row.name} key is in the HSM: configure KYSO_PKCS11_MODULE`,
      )
    return hsm.keySource(row.hsmKeyId, row.certificateDer, chain)
  }
  const pkcs8 = await unwrap(ring, row.wrappedKey as Buffer, caKeyContext(row.name))
  return privateKeySource(
    createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    row.certificateDer,
    chain,
  )
}
