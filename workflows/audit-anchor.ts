import { createHash } from 'node:crypto'
import { buildPadesSignature, parseSignedData } from '../signing/cms'
import { loadCrls } from '../signing/pki'
import { verifyDetachedSignature } from '../signing/verify'
import { auditHead, checkAgainst, verifyAudit, type AuditVerification } from '../storage/audit'
import {
  checkpointBytes,
  readCheckpoints,
  writeCheckpointFile,
  type StoredCheckpoint,
} from '../storage/audit-checkpoints'
import { caCrl, caKeys } from '../storage/ca-records'
import type { Queryable } from '../storage/transaction'
import type { Services } from './context'

/**
 * An audit log whose end is anchored (issue 15). The hash chain shows an event edited, swapped or
 * removed in the middle, but not the newest ones deleted: the shorter chain is whole. So, now and
 * then and at shutdown, the service writes a checkpoint outside the database — the newest event's
 * id and hash and the count up to it — signed by the service's own key (a certificate of the
 * internal CA) with a timestamp from the TSA. Verification checks the chain, then that the table
 * still holds what the newest valid checkpoint recorded.
 */
export interface AnchoredVerification extends AuditVerification {
  checkpoint?: { events: number; lastId: number; headHash: string; at: string; file: string }
  /** The newest checkpoint file does not verify (tampered, or not signed by the service's key). */
  checkpointInvalid?: string
}

export interface AnchorTrust {
  /** The service's own certificate (ca_keys 'service'): the only signer a checkpoint is taken from. */
  serviceCertificate: Buffer
  trustAnchors: Buffer[]
  crls: Buffer[]
}

/** The public facts verification needs, from the database alone (no key-wrapping key). */
export async function anchorTrust(db: Queryable): Promise<AnchorTrust | undefined> {
  const keys = await caKeys(db)
  const root = keys.find((k) => k.name === 'root')
  const service = keys.find((k) => k.name === 'service')
  const crl = await caCrl(db)
  if (!root || !service) return undefined
  return {
    serviceCertificate: service.certificateDer,
    trustAnchors: [root.certificateDer],
    crls: crl ? [Buffer.from(crl.crlPem, 'latin1')] : [],
  }
}

function verifies(c: StoredCheckpoint, trust: AnchorTrust): boolean {
  try {
    const cms = Buffer.from(c.signature, 'base64')
    if (!parseSignedData(cms).certificates.some((d) => d.equals(trust.serviceCertificate))) return false
    const crls = trust.crls.flatMap((b) => loadCrls(b))
    return (
      verifyDetachedSignature(cms, checkpointBytes(c), 'audit-checkpoint', {
        trustAnchors: trust.trustAnchors,
        crls,
      }).indication === 'PASSED'
    )
  } catch {
    return false
  }
}

/** The newest checkpoint whose signature verifies, and whether the newest file was one. */
export function latestCheckpoint(
  dir: string,
  trust: AnchorTrust | undefined,
): { checkpoint?: StoredCheckpoint; invalid?: string } {
  const all = readCheckpoints(dir)
  if (!trust || all.length === 0) return {}
  const valid = all.find((c) => verifies(c, trust))
  const newest = all[0] as StoredCheckpoint
  return { ...(valid && { checkpoint: valid }), ...(valid !== newest && { invalid: newest.file }) }
}

/** `GET /api/audit/verify`, `kyso audit verify`: the chain, then what the newest checkpoint recorded. */
export async function verifyAnchoredAudit(db: Queryable, dir: string): Promise<AnchoredVerification> {
  const { checkpoint, invalid } = latestCheckpoint(dir, await anchorTrust(db))
  const result: AnchoredVerification = await verifyAudit(db, checkpoint)
  if (checkpoint)
    result.checkpoint = {
      events: checkpoint.events,
      lastId: checkpoint.lastId,
      headHash: checkpoint.headHash,
      at: checkpoint.at,
      file: checkpoint.file,
    }
  if (invalid) return { ...result, ok: false, checkpointInvalid: invalid }
  return result
}

/**
 * Writes a checkpoint of the current head, unless nothing was added since the last one, or the
 * table no longer holds what the last one recorded: a log cut short is never blessed by a new
 * checkpoint (it stays reported until someone looks). Needs the internal CA's service key.
 */
export async function writeCheckpoint(
  s: Services,
): Promise<StoredCheckpoint | 'unchanged' | 'inconsistent' | undefined> {
  if (!s.ca) return undefined
  const head = await auditHead(s.db)
  if (!head) return undefined
  const dir = s.config.auditCheckpoint.dir
  const { checkpoint: last } = latestCheckpoint(dir, await anchorTrust(s.db))
  if (last) {
    const against = await checkAgainst(s.db, last)
    if (!against.ok) {
      s.log?.({
        level: 'error',
        msg: 'audit log cut short: events the last checkpoint covers are missing',
        ...against,
        checkpoint: last.file,
      })
      return 'inconsistent'
    }
    if (last.lastId === head.lastId) return 'unchanged'
  }
  const at = new Date().toISOString()
  const digest = createHash('sha256')
    .update(checkpointBytes({ ...head, at }))
    .digest()
  const keySource = await s.ca.key('service')
  const cms = await buildPadesSignature({ digest, keySource, ...(s.timestamp && { timestamp: s.timestamp }) })
  const stored = { ...head, at, signature: cms.toString('base64') }
  const file = writeCheckpointFile(dir, stored)
  // The log is a second witness, kept by whoever collects it.
  s.log?.({
    msg: 'audit checkpoint',
    events: head.events,
    lastId: head.lastId,
    headHash: head.headHash,
    file,
  })
  return { ...stored, file }
}
