import { createPublicKey, type KeyObject } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SigningError } from '../signing/errors'
import { wrap, type KeyRing } from '../signing/keys/key-wrap'
import { readPkcs12 } from '../signing/keys/pkcs12'
import { publicKeyOfSpki, type ServiceToken } from '../signing/keys/pkcs11-service'
import {
  caCertificates,
  certifyLeaf,
  fromPem,
  generateKey,
  keySigner,
  loadCrls,
  readCertificate,
  readIndex,
  serviceProfile,
  signCrls,
  toPem,
  tsaProfile,
  type CaIndexEntry,
  type KeyType,
  type LeafProfile,
  type TbsSigner,
} from '../signing/pki'
import {
  caCertificate,
  hasCaKeys,
  insertCaCertificate,
  insertCaKey,
  markCaCertificateRevoked,
  saveCaCrl,
  type CaKeyName,
} from '../storage/ca-records'
import type { Db } from '../storage/db'
import { inTransaction } from '../storage/transaction'
import { caKeyContext } from './internal-ca'

/** A new CA key: made in the HSM when there is one, else here and wrapped. */
interface NewKey {
  publicKey: KeyObject
  signer: TbsSigner
  store: (certificate: Buffer) => Promise<Parameters<typeof insertCaKey>[1]>
}

async function newKey(name: CaKeyName, ring: KeyRing, keyType: KeyType, hsm?: ServiceToken): Promise<NewKey> {
  if (hsm) {
    const hsmType = keyType === 'p256' ? 'p256' : 'rsa2048'
    const { keyId, spki } = await hsm.generateKeyPair({ label: `Kyso CA ${name}`, keyType: hsmType })
    return {
      publicKey: publicKeyOfSpki(spki),
      signer: hsm.signer(keyId, hsmType === 'p256' ? 'EC' : 'RSA'),
      store: async (certificateDer) => ({
        name,
        certificateDer,
        keyProtection: 'hsm',
        wrappedKey: null,
        hsmKeyId: keyId,
      }),
    }
  }
  const pair = await generateKey(keyType)
  return existingKey(name, ring, pair.privateKey, pair.publicKey)
}

function existingKey(
  name: CaKeyName,
  ring: KeyRing,
  privateKey: KeyObject,
  publicKey = createPublicKey(privateKey),
): NewKey {
  return {
    publicKey,
    signer: keySigner(privateKey),
    store: async (certificateDer) => ({
      name,
      certificateDer,
      keyProtection: 'wrapped',
      hsmKeyId: null,
      wrappedKey: await wrap(ring, privateKey.export({ type: 'pkcs8', format: 'der' }), caKeyContext(name)),
    }),
  }
}

interface Row {
  key: Parameters<typeof insertCaKey>[1]
  kind: string
  issuedBy: 'root' | 'issuing'
}

async function leaf(
  issuing: { certificate: Buffer; signer: TbsSigner },
  key: NewKey,
  profile: LeafProfile,
): Promise<Row> {
  const certificate = await certifyLeaf(issuing, profile, key.publicKey)
  return { key: await key.store(certificate), kind: profile.kind, issuedBy: 'issuing' }
}

/**
 * Writes the CA's keys, the certificates it made for itself (and, for an imported CA, its whole
 * index) and its current CRLs, in one transaction.
 */
async function save(
  db: Db,
  name: string,
  rows: Row[],
  crl: { number: number; pem: string; thisUpdate: Date; nextUpdate: Date },
  index: CaIndexEntry[] = [],
): Promise<void> {
  await inTransaction(db, async (trx) => {
    for (const c of index) {
      await insertCaCertificate(trx, { ...c, certificateDer: Buffer.alloc(0) })
      // Just inserted, so not revoked yet: the index's date and reason are written as they are.
      if (c.revokedAt) await markCaCertificateRevoked(trx, c.serialHex, c.revokedAt, c.reason ?? null)
    }
    for (const r of rows) {
      await insertCaKey(trx, r.key)
      const facts = readCertificate(r.key.certificateDer)
      const kind = r.key.name === 'root' ? 'root-ca' : r.key.name === 'issuing' ? 'issuing-ca' : r.kind
      if (!(await caCertificate(trx, facts.serialHex))) {
        await insertCaCertificate(trx, {
          serialHex: facts.serialHex,
          subject: facts.subject,
          kind,
          issuedBy: r.issuedBy,
          notBefore: facts.notBefore.toISOString(),
          notAfter: facts.notAfter.toISOString(),
          certificateDer: r.key.certificateDer,
        })
      }
    }
    await saveCaCrl(trx, {
      name,
      crlNumber: crl.number,
      thisUpdate: crl.thisUpdate.toISOString(),
      nextUpdate: crl.nextUpdate.toISOString(),
      crlPem: crl.pem,
    })
  })
}

/**
 * A new internal CA in the database: root, issuing CA, the built-in TSA's key and the service's
 * own key (which signs audit checkpoints), each in the HSM when one is configured. CA_EXISTS when
 * there is one already.
 */
export async function createInternalCa(
  db: Db,
  ring: KeyRing,
  opts: { name: string; keyType?: KeyType; hsm?: ServiceToken },
): Promise<void> {
  if (await hasCaKeys(db)) throw new SigningError('CA_EXISTS', 'Cơ sở dữ liệu đã có CA nội bộ')
  const keyType = opts.keyType ?? 'rsa2048'
  const now = new Date()
  const [root, issuing, tsa, service] = await Promise.all(
    (['root', 'issuing', 'tsa', 'service'] as const).map((n) => newKey(n, ring, keyType, opts.hsm)),
  )
  const certs = await caCertificates({
    name: opts.name,
    now,
    root: root as NewKey,
    issuing: issuing as NewKey,
  })
  const issuingSigner = { certificate: certs.issuing, signer: (issuing as NewKey).signer }
  const rows: Row[] = [
    { key: await (root as NewKey).store(certs.root), kind: 'root-ca', issuedBy: 'root' },
    { key: await (issuing as NewKey).store(certs.issuing), kind: 'issuing-ca', issuedBy: 'root' },
    await leaf(issuingSigner, tsa as NewKey, tsaProfile({ now })),
    await leaf(issuingSigner, service as NewKey, serviceProfile({ now })),
  ]
  const crls = await signCrls(
    [],
    1,
    { root: { certificate: certs.root, signer: (root as NewKey).signer }, issuing: issuingSigner },
    now,
  )
  const pem = toPem('X509 CRL', crls.issuing) + toPem('X509 CRL', crls.root)
  await save(db, opts.name, rows, {
    number: 1,
    pem,
    thisUpdate: now,
    nextUpdate: loadCrls(crls.issuing)[0]?.nextUpdate ?? now,
  })
}

/**
 * Moves a CA directory made before issue 15 (DATA_DIR/ca: PKCS#12 files under the CA PIN, index.json,
 * crl.pem) into the database, once: its keys wrapped under the ring, its index and CRL as they are,
 * a service key added. Then the key files and the PIN file are deleted from the folder, so that a
 * copy of the data folder opens nothing; the certificates stay, with a note saying where the CA went.
 */
export async function importCaDirectory(
  db: Db,
  ring: KeyRing,
  dir: string,
  caPin: string,
): Promise<{ certificates: number }> {
  const index = await readIndex(dir)
  const open = (file: string) => readPkcs12(readFileSync(join(dir, file)), caPin)
  const rootP12 = open('root.p12')
  const issuingP12 = open('issuing.p12')
  const [root, issuing] = [rootP12.certificate, issuingP12.certificate]
  const name = readCertificate(root).organization ?? 'Kyso'
  const issuingSigner = { certificate: issuing, signer: keySigner(issuingP12.key) }
  const service = existingKey('service', ring, (await generateKey('rsa2048')).privateKey)
  const tsa = existsSync(join(dir, 'tsa.p12')) ? open('tsa.p12') : undefined
  const rows: Row[] = [
    { key: await existingKey('root', ring, rootP12.key).store(root), kind: 'root-ca', issuedBy: 'root' },
    {
      key: await existingKey('issuing', ring, issuingP12.key).store(issuing),
      kind: 'issuing-ca',
      issuedBy: 'root',
    },
    tsa
      ? {
          key: await existingKey('tsa', ring, tsa.key).store(tsa.certificate),
          kind: 'tsa',
          issuedBy: 'issuing',
        }
      : await leaf(
          issuingSigner,
          existingKey('tsa', ring, (await generateKey('rsa2048')).privateKey),
          tsaProfile(),
        ),
    await leaf(issuingSigner, service, serviceProfile()),
  ]
  const pem = readFileSync(join(dir, 'crl.pem'), 'latin1')
  const parsed = loadCrls(Buffer.from(pem, 'latin1'))[0]
  const crl = {
    number: index.crlNumber,
    pem,
    thisUpdate: parsed?.thisUpdate ?? new Date(),
    nextUpdate: parsed?.nextUpdate ?? new Date(),
  }
  await save(db, name, rows, crl, index.certificates)
  for (const f of ['root.p12', 'issuing.p12', 'tsa.p12', 'ca-pin']) rmSync(join(dir, f), { force: true })
  writeFileSync(
    join(dir, 'IMPORTED.txt'),
    `The CA of this folder was moved into the database on ${new Date().toISOString()} (issue 15):\n` +
      'its keys are there, wrapped under the key-wrapping key, and were deleted from here. These files are no longer read.\n',
  )
  return { certificates: index.certificates.length }
}

/** The root certificate of a CA directory (for a check before importing it). */
export function caDirectoryRoot(dir: string): Buffer | undefined {
  const file = join(dir, 'root.pem')
  return existsSync(file) ? fromPem(readFileSync(file, 'latin1'), 'CERTIFICATE')[0] : undefined
}
