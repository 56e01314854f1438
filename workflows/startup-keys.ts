import { X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { SigningError } from '../signing/errors'
import type { KeyRing } from '../signing/keys/key-wrap'
import type { ServiceToken } from '../signing/keys/pkcs11-service'
import { fromPem, type KeyType } from '../signing/pki'
import { hasCaKeys, releaseSetupLock, setupLockTakenAt, takeSetupLock } from '../storage/ca-records'
import type { Db } from '../storage/db'
import { insertTrustAnchor } from '../storage/trust-anchor-records'
import { extraAnchorsFile } from './admin'
import { openInternalCa, type InternalCa } from './internal-ca'
import { createInternalCa, importCaDirectory } from './internal-ca-setup'

const LOCK = 'internal-ca'
/** A lock row older than this was left by an instance that crashed while making the CA. */
const STALE_LOCK_MS = 10 * 60_000
export const DEMO_CA_NAME = 'Kyso CA - Sở Thông tin và Truyền thông (demo)'

export interface EnsureCaOptions {
  dataDir: string
  /** The PIN of a DATA_DIR/ca made before issue 15 (KYSO_CA_PIN, else its ca-pin file). */
  caPin?: string
  /** Make a CA when there is none (the demo). */
  create: boolean
  name?: string
  keyType?: KeyType
  hsm?: ServiceToken
  log?: (line: Record<string, unknown>) => void
  /** The CRL and OCSP addresses the CA writes into what it issues (issue 18). */
  urls?: { crlUrl?: string; ocspUrl?: string }
}

/**
 * The internal CA at start-up (issue 15): the one in the database; else a CA folder of an older
 * version (DATA_DIR/ca) moved into the database once; else, for the demo, a new one. Instances
 * starting together make or move it once: the first takes a lock row, the others wait for it.
 */
export async function ensureInternalCa(
  db: Db,
  ring: KeyRing,
  opts: EnsureCaOptions,
): Promise<InternalCa | undefined> {
  const legacy = join(opts.dataDir, 'ca')
  for (;;) {
    const ca = await openInternalCa(db, ring, opts.hsm, opts.urls)
    if (ca) {
      if (existsSync(join(legacy, 'root.p12')))
        opts.log?.({
          level: 'warn',
          msg: `${legacy} still holds CA keys the service does not use: delete them`,
        })
      return ca
    }
    const hasLegacy = existsSync(join(legacy, 'index.json')) && existsSync(join(legacy, 'root.p12'))
    if (!hasLegacy && !opts.create) return undefined
    if (!(await takeSetupLock(db, LOCK, new Date().toISOString()))) {
      const takenAt = await setupLockTakenAt(db, LOCK)
      if (takenAt && Date.now() - new Date(takenAt).getTime() > STALE_LOCK_MS)
        await releaseSetupLock(db, LOCK)
      await new Promise((r) => setTimeout(r, 250))
      continue
    }
    try {
      if (await hasCaKeys(db)) continue
      if (hasLegacy) {
        const pin = opts.caPin ?? readLegacyPin(legacy)
        const { certificates } = await importCaDirectory(db, ring, legacy, pin)
        opts.log?.({
          msg: `moved the CA of ${legacy} into the database (${certificates} certificates); its key files were deleted`,
        })
      } else {
        opts.log?.({ msg: 'creating the internal CA in the database' })
        await createInternalCa(db, ring, {
          name: opts.name ?? DEMO_CA_NAME,
          ...(opts.keyType && { keyType: opts.keyType }),
          ...(opts.hsm && { hsm: opts.hsm }),
        })
      }
    } finally {
      await releaseSetupLock(db, LOCK)
    }
  }
}

function readLegacyPin(dir: string): string {
  const file = join(dir, 'ca-pin')
  if (!existsSync(file)) {
    throw new SigningError(
      'CA_NOT_FOUND',
      `${dir} holds a CA made before issue 15: set KYSO_CA_PIN so that it can be moved into the database`,
    )
  }
  return readFileSync(file, 'utf8').trim()
}

/**
 * Trust anchors an administrator added before issue 15 lived in DATA_DIR/trust-anchors.pem: moved
 * into the database once (every instance then trusts them), the file renamed `.imported`.
 */
export async function importTrustAnchorsFile(db: Db, dataDir: string): Promise<number> {
  const file = extraAnchorsFile(dataDir)
  if (!existsSync(file)) return 0
  let n = 0
  for (const der of fromPem(readFileSync(file, 'latin1'), 'CERTIFICATE')) {
    const c = new X509Certificate(der)
    const fingerprint = c.fingerprint256.replace(/:/g, '').toLowerCase()
    if (
      await insertTrustAnchor(db, {
        fingerprint,
        der,
        subject: c.subject.replace(/\n/g, ', '),
        addedBy: null,
      })
    )
      n++
  }
  renameSync(file, `${file}.imported`)
  return n
}
