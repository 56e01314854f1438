import type { Knex } from 'knex'
import type { Config } from '../config'
import type { KeyRing } from '../signing/keys/key-wrap'
import type { ServiceToken } from '../signing/keys/pkcs11-service'
import type { RemoteSigningConnector } from '../signing/remote'
import type { BlobStore } from '../storage/blob-store'
import type { InternalCa } from './internal-ca'
import type { UnlockedKeys } from './unlocked-keys'

// Who acts and on which document: defined in shared/ (reporting/ and the access rules use them too).
export type { Actor, Role } from '../shared/actor'
export type { DocumentRow } from '../shared/document-row'

/** Everything a use case needs, built once in main.ts (the composition root). */
export interface Services {
  db: Knex
  blobs: BlobStore
  config: Config
  /**
   * Trust anchors (DER: the internal CA's root, then those an administrator added) and the
   * internal CA's current CRLs, read from the database, so every instance sees the same.
   */
  trustAnchors: () => Promise<Buffer[]>
  crls: () => Promise<Buffer[]>
  /** RFC 3161 source for B-T signatures (the built-in TSA, or a configured URL). */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>
  /** The same TSA over a SHA-256 imprint: the document time-stamps of B-LTA (issue 18). */
  documentTimestamp?: (imprint: Buffer) => Promise<Buffer>
  /** The internal CA, in the database (issue 15), when this service issues and revokes certificates. */
  ca?: InternalCa
  /** The key-wrapping keys: every key the service stores is sealed under the current one (issue 15). */
  keyRing: KeyRing
  /** The service's HSM (KYSO_PKCS11_MODULE): seal keys, and a CA's keys when made there. */
  hsm?: ServiceToken
  /** Key of the HMAC that fingerprints idempotent requests; the same on every instance. */
  requestHmacKey: Buffer
  /** Structured log (JSON lines); never PINs, keys or document contents. */
  log?: (line: Record<string, unknown>) => void
  /** Counters for /metrics (server/metrics.ts); absent in tools that need none. */
  metrics?: WorkflowMetrics
  /** Work started after a response (final validation): graceful shutdown waits for it. */
  track?: (task: Promise<unknown>) => void
  /** Keys opened with their holder's PIN, kept briefly (unlocked-keys.ts). */
  keys: UnlockedKeys
  /** Remote-signing sessions this service is finishing now (the poller and a client's poll race). */
  remoteFinishing: Set<string>
  /** Remote-signing providers by name (CSC API v2 services, SmartCA-style APIs). */
  remoteSigning?: Map<string, RemoteSigningConnector>
}

export interface WorkflowMetrics {
  signed(action: string): void
  validated(indication: string): void
  /** Seconds a use case waited for a lock another request held (e.g. the document's row). */
  waited(lock: string, seconds: number): void
}
