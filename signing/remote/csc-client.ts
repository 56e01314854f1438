/**
 * A RemoteSigningConnector over the Cloud Signature Consortium API v2 (clauses of v2.0.0.2),
 * acting as a signature application that authenticates itself with OAuth 2.0 client credentials
 * (§8.1, §8.5.2.2) and signs for users the provider knows by `userID`.
 *
 * One signature, step by step:
 *  1. `oauth2/token` (§8.4.4, grant_type client_credentials, form-encoded) gives a bearer token,
 *     kept until 30 s before its expires_in;
 *  2. `credentials/list` (§11.4) for the user: the credential must be theirs, and its certificate
 *     says RSA or EC;
 *  3. `credentials/authorize` (§11.6) for one signature bound to the one hash gives a SAD;
 *  4. `signatures/signHash` (§11.10), operationMode "A" with validity_period, gives a responseID
 *     and the provider asks the holder to confirm on their phone;
 *  5. `signatures/signPolling` (§11.12, requestID = that responseID) answers 202 until the holder
 *     confirms, then `signatures`.
 * Error answers mean what CSC_ERROR_TABLE (csc-errors.ts) says. The client secret and the SAD
 * only ever travel in request bodies: never in a URL, a message or an error's cause.
 */
import { HASH_OID } from '../cms'
import { SigningError } from '../errors'
import type {
  RemoteCredential,
  RemoteSigningConnector,
  RemoteSignState,
  StartedSignature,
  StartSignatureRequest,
} from './connector'
import { decodeBase64, parseCredentialInfo, type KeyFacts } from './csc-credential'
import { classifyCscAnswer, errorFor, type CscError } from './csc-errors'
import { toDerEcdsaSignature } from '../cms'
import { asRecord, checkServiceUrl, DEFAULT_TIMEOUT_MS, exchange } from './http-exchange'
import type { ExchangeOptions } from './http-exchange'
import { cscToken } from './csc-token'
import { decodeTransaction, encodeTransaction } from './csc-transaction'

export interface CscConnectorOptions {
  /** A name for messages and audit rows, e.g. 'vnpt-smartca'. */
  provider: string
  /** API methods are POSTed to `{baseUrl}/csc/v2/{method}` (§7.2). */
  baseUrl: string
  /** Base URI of the OAuth 2.0 server (the `oauth2` answer of info, §11.1); default baseUrl. */
  oauth2Url?: string
  clientId: string
  clientSecret: string
  /** How long the provider waits for the holder: signHash's validity_period, in ms. Default 5 min. */
  validityMs?: number
  /** Deadline of each HTTP exchange; default 10 000 ms. */
  timeoutMs?: number
  fetch?: typeof fetch
}

type Call = { ok: true; body: Record<string, unknown> } | { ok: false; error: CscError }

/**
 * @example
 * const rssp = cscConnector({
 *   provider: 'example-rssp',
 *   baseUrl: 'https://rssp.example.vn/',
 *   clientId: 'kyso',
 *   clientSecret: secretFromConfig,
 * })
 * const [credential] = await rssp.listCredentials('079123456789')
 */
export function cscConnector(opts: CscConnectorOptions): RemoteSigningConnector {
  const base = checkServiceUrl(opts.baseUrl, 'baseUrl')
  const tokenUrl = new URL('oauth2/token', checkServiceUrl(opts.oauth2Url ?? opts.baseUrl, 'oauth2Url'))
  const validityMs = positive(opts.validityMs ?? 300_000, 'validityMs')
  const http: ExchangeOptions = {
    provider: opts.provider,
    timeoutMs: positive(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    fetch: opts.fetch ?? fetch,
  }
  const token = cscToken({ url: tokenUrl, clientId: opts.clientId, clientSecret: opts.clientSecret, http })
  const facts = new Map<string, KeyFacts>()
  const fail = (message: string): never => {
    throw new SigningError('REMOTE_SIGNING_FAILED', `${opts.provider}: ${message}`)
  }

  /** POSTs a CSC method with the service token; `secrets` of the body are masked in errors. */
  async function call(method: string, body: Record<string, unknown>, secrets: string[] = []): Promise<Call> {
    for (let attempt = 1; ; attempt++) {
      const url = new URL(`csc/v2/${method}`, base)
      const answer = await exchange(url, { json: body, bearer: await token.get() }, http)
      if (answer.status === 200) {
        return { ok: true, body: asRecord(answer.body) ?? fail(`${method} answered no JSON object`) }
      }
      const error = classifyCscAnswer(method, answer, secrets)
      // A token revoked or expired early (§10.2 invalid_token, expired_token): one fresh try.
      if (error.outcome !== 'token-rejected' || attempt > 1) return { ok: false, error }
      token.forget()
    }
  }

  async function listCredentials(userRef: string): Promise<RemoteCredential[]> {
    if (!userRef) throw new SigningError('BAD_OPTION', 'userRef is empty')
    const list = await call('credentials/list', {
      userID: userRef,
      credentialInfo: true,
      certificates: 'chain',
    })
    if (!list.ok) throw errorFor(opts.provider, 'credentials/list', list.error)
    const ids = list.body.credentialIDs
    const allStrings = Array.isArray(ids) && ids.every((id): id is string => typeof id === 'string')
    if (!allStrings) return fail('credentials/list answered no credentialIDs')
    const infos = Array.isArray(list.body.credentialInfos) ? list.body.credentialInfos.map(asRecord) : []
    const credentials: RemoteCredential[] = []
    for (const id of ids) {
      // credentialInfos is optional for a provider (§11.4): ask credentials/info when it is missing.
      const info = infos.find((i) => i?.credentialID === id) ?? (await credentialInfo(id))
      const parsed = parseCredentialInfo(opts.provider, id, info)
      if (parsed.disabled) continue
      facts.set(factsKey(userRef, id), parsed.facts)
      credentials.push(parsed.credential)
    }
    return credentials
  }

  async function credentialInfo(credentialId: string): Promise<Record<string, unknown>> {
    const info = await call('credentials/info', { credentialID: credentialId, certificates: 'chain' })
    if (!info.ok) throw errorFor(opts.provider, 'credentials/info', info.error)
    return info.body
  }

  async function credential(userRef: string, credentialId: string): Promise<RemoteCredential> {
    const found = (await listCredentials(userRef)).find((c) => c.credentialId === credentialId)
    if (found) return found
    const message = `${opts.provider} has no credential ${credentialId} for this user`
    throw new SigningError('REMOTE_NOT_FOUND', message)
  }

  async function startSignature(req: StartSignatureRequest): Promise<StartedSignature> {
    if (req.digest.length !== 32) {
      throw new SigningError('BAD_OPTION', 'the digest must be SHA-256 (32 bytes)')
    }
    // The credential must be the user's: listing it also tells its key algorithm.
    const key = factsKey(req.userRef, req.credentialId)
    if (!facts.has(key)) await credential(req.userRef, req.credentialId)
    const { keyAlgorithm, signAlgo, namedCurve } = facts.get(key) ?? fail('credential facts missing')
    const hashes = [req.digest.toString('base64')]
    const hashAlgorithmOID = HASH_OID.sha256

    // §11.6: one signature, bound to this hash (what SCAL2 requires; harmless under SCAL1).
    const authorize = await call('credentials/authorize', {
      credentialID: req.credentialId,
      numSignatures: 1,
      hashes,
      hashAlgorithmOID,
      description: req.description.slice(0, 500),
    })
    if (!authorize.ok) throw errorFor(opts.provider, 'credentials/authorize', authorize.error)
    const sad = authorize.body.SAD
    if (typeof sad !== 'string' || !sad) return fail('credentials/authorize answered no SAD')

    // §11.10: asynchronous, so the provider can wait for the holder's phone up to validity_period.
    const expiresAt = new Date(Date.now() + validityMs)
    const signHashRequest = {
      credentialID: req.credentialId,
      SAD: sad,
      hashes,
      hashAlgorithmOID,
      signAlgo,
      operationMode: 'A',
      validity_period: validityMs,
    }
    const signHash = await call('signatures/signHash', signHashRequest, [sad])
    if (!signHash.ok) throw errorFor(opts.provider, 'signatures/signHash', signHash.error)
    const keyTag = keyAlgorithm === 'RSA' ? 'rsa' : (namedCurve ?? 'ec')
    const { responseID, signatures } = signHash.body
    const transaction = { expiresAt, keyTag, userRef: req.userRef }
    if (typeof responseID === 'string' && responseID) {
      return { transactionId: encodeTransaction({ ...transaction, responseId: responseID }), expiresAt }
    }
    // A provider that ignores operationMode "A" signs at once (§11.10 synchronous output).
    const signature = Array.isArray(signatures) ? decodeBase64(signatures[0]) : undefined
    if (!signature) return fail('signatures/signHash answered neither responseID nor signatures')
    return { transactionId: encodeTransaction({ ...transaction, signature }), expiresAt }
  }

  async function pollSignature(transactionId: string): Promise<RemoteSignState> {
    const tx = decodeTransaction(transactionId)
    const result: Call =
      'signature' in tx
        ? { ok: true, body: { signatures: [tx.signature.toString('base64')] } }
        : await call('signatures/signPolling', { requestID: tx.responseId, userID: tx.userRef })
    const over = Date.now() > tx.expiresAt.getTime()
    if (result.ok) {
      const list = result.body.signatures
      // §11.12: `signatures` is present once the signature exists; a 200 without it is not done yet.
      if (list === undefined) return over ? { state: 'expired' } : { state: 'pending' }
      const raw = Array.isArray(list) ? decodeBase64(list[0]) : undefined
      if (!raw) return fail('signatures/signPolling answered a signature that is not Base64')
      if (tx.keyTag === 'rsa') return { state: 'signed', signature: raw }
      const der = toDerEcdsaSignature(raw, tx.keyTag)
      if (!der) return fail('signatures/signPolling answered something that is not an ECDSA value')
      return { state: 'signed', signature: der }
    }
    const { outcome, description } = result.error
    if (outcome === 'pending') return over ? { state: 'expired' } : { state: 'pending' }
    if (outcome === 'refused') return { state: 'refused', reason: description ?? 'refused' }
    if (outcome === 'expired' || (outcome === 'unknown-request' && over)) return { state: 'expired' }
    throw errorFor(opts.provider, 'signatures/signPolling', result.error)
  }

  return { provider: opts.provider, listCredentials, credential, startSignature, pollSignature }
}

const factsKey = (userRef: string, credentialId: string) => `${userRef}\n${credentialId}`

function positive(value: number, what: string): number {
  if (Number.isSafeInteger(value) && value > 0) return value
  throw new SigningError('BAD_OPTION', `${what} must be a positive integer`)
}
