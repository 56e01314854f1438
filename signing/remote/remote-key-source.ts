/**
 * A KeySource whose key is at a remote-signing provider: `sign(data)` sends SHA-256(data) to the
 * connector, then polls until the holder confirms on their phone, refuses, or time runs out.
 * signPdf and the CMS code see an ordinary KeySource (key-source.ts) and wait meanwhile.
 *
 * The value that comes back is checked against the credential's certificate over `data` before
 * it is handed on: a provider that signs the wrong thing, or with another key, fails here rather
 * than producing a PDF whose signature does not verify.
 */
import { createHash, verify, X509Certificate } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import type { RemoteCredential, RemoteSigningConnector } from './connector'

export interface RemoteKeySourceOptions {
  /** Who signs, as the provider knows them. */
  userRef: string
  /** Shown on the holder's phone, e.g. the document's number and title. */
  description: string
  /** Between two polls; default 2000 ms. */
  pollIntervalMs?: number
  /**
   * Longest wait for the holder, whatever the provider's own validity period; default 10 min.
   * Past it the signature is REMOTE_EXPIRED.
   */
  timeoutMs?: number
}

/**
 * @example
 * const credential = await smartca.credential(userRef, credentialId)
 * const keySource = remoteKeySource(smartca, credential, { userRef, description: 'Công văn 123/UBND' })
 * const { pdf } = await signPdf(input, { keySource })
 */
export function remoteKeySource(
  connector: RemoteSigningConnector,
  credential: RemoteCredential,
  opts: RemoteKeySourceOptions,
): KeySource {
  const pollIntervalMs = opts.pollIntervalMs ?? 2000
  const timeoutMs = opts.timeoutMs ?? 600_000
  const publicKey = new X509Certificate(credential.certificate).publicKey
  const where = `${connector.provider}, credential ${credential.credentialId}`
  return {
    certificate: credential.certificate,
    chain: credential.chain,
    keyAlgorithm: credential.keyAlgorithm,
    async sign(data: Buffer): Promise<Buffer> {
      // 1. Start: the provider holds the key and asks the holder.
      const deadline = Date.now() + timeoutMs
      const digest = createHash('sha256').update(data).digest()
      const { transactionId } = await connector.startSignature({
        userRef: opts.userRef,
        credentialId: credential.credentialId,
        digest,
        description: opts.description,
      })
      // 2. Poll until the holder decides or time runs out.
      for (;;) {
        const outcome = await connector.pollSignature(transactionId)
        if (outcome.state === 'signed') {
          // 3. The value must verify over exactly `data` with the credential's key.
          if (!verify('sha256', data, publicKey, outcome.signature)) {
            const message = `${where}: the signature returned does not verify`
            throw new SigningError('REMOTE_SIGNING_FAILED', message)
          }
          return outcome.signature
        }
        if (outcome.state === 'refused') {
          const message = `Người ký đã từ chối ký (${where}: ${outcome.reason})`
          throw new SigningError('REMOTE_REFUSED', message)
        }
        const left = deadline - Date.now()
        if (outcome.state === 'expired' || left <= 0) {
          const message = `Hết thời gian chờ người ký xác nhận (${where})`
          throw new SigningError('REMOTE_EXPIRED', message)
        }
        await sleep(Math.min(pollIntervalMs, left))
      }
    },
  }
}
