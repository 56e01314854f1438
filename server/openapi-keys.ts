import { jsonSchemaOf } from './body-schema'
import type { STATUS } from './errors'
import { PIN_CHANGE, UNLOCK_WITH_CODE } from './schemas-keys'

/**
 * Issue 15's routes in the OpenAPI description: a key's PIN and lock, the unlock code, and the
 * internal CA's root and CRL published without login. Built with openapi.ts's own helpers (passed
 * in, so that neither file imports the other).
 */
type Json = Record<string, unknown>
type Code = keyof typeof STATUS

export interface OpenApiKit {
  operation: (
    method: 'get' | 'post',
    o: {
      id: string
      tag: string
      summary: string
      description?: string
      auth?: boolean
      path?: 'Id'
      body?: Json
      ok: [number, string, Json?]
      codes?: Code[]
    },
  ) => Json
  json: (schema: Json) => Json
  object: (properties: Record<string, Json>, required?: string[]) => Json
  str: (description?: string, extra?: Json) => Json
  int: (description?: string) => Json
  bool: (description?: string) => Json
  date: (description?: string) => Json
}

const PIN_TRY: Code[] = ['NOT_FOUND', 'PIN_INCORRECT', 'KEY_LOCKED', 'BAD_REQUEST']

export function keyPaths(k: OpenApiKit): Record<string, Record<string, Json>> {
  const { operation, json, object, str, int, bool, date } = k
  const unlocked = json(object({ id: int(), unlocked: bool(), triesLeft: int() }))
  const pem = (description: string): Json => ({ 'application/x-pem-file': { schema: str(description) } })
  return {
    '/api/me/certificates/{id}/pin': {
      post: operation('post', {
        id: 'changePin',
        tag: 'auth',
        summary: 'Change the PIN of my certificate: the key is sealed again under the new PIN',
        auth: true,
        path: 'Id',
        description:
          'The old PIN is a counted try like a signature (wrong: 403 PIN_INCORRECT with triesLeft; ' +
          'locked: 423 KEY_LOCKED). The new PIN follows the PIN policy (KYSO_PIN_MIN_LENGTH).',
        body: json(jsonSchemaOf(PIN_CHANGE)),
        ok: [200, 'Changed', json(object({ id: int(), changedAt: date() }))],
        codes: PIN_TRY,
      }),
    },
    '/api/me/certificates/{id}/unlock': {
      post: operation('post', {
        id: 'unlockWithCode',
        tag: 'auth',
        summary: 'Unlock my locked key with the one-time code an administrator issued',
        auth: true,
        path: 'Id',
        body: json(jsonSchemaOf(UNLOCK_WITH_CODE)),
        ok: [200, 'Unlocked', unlocked],
        codes: ['NOT_FOUND', 'UNLOCK_CODE_INVALID', 'BAD_REQUEST'],
      }),
    },
    '/api/admin/certificates/{id}/unlock': {
      post: operation('post', {
        id: 'unlockCertificate',
        tag: 'admin',
        summary: "Unlock a key locked by wrong PINs (audited); the PIN stays the holder's",
        auth: true,
        path: 'Id',
        ok: [200, 'Unlocked', unlocked],
        codes: ['FORBIDDEN', 'NOT_FOUND'],
      }),
    },
    '/api/admin/certificates/{id}/unlock-code': {
      post: operation('post', {
        id: 'issueUnlockCode',
        tag: 'admin',
        summary:
          "Issue a one-time unlock code (like a card's PUK) for the holder to unlock their key themselves",
        auth: true,
        path: 'Id',
        description:
          'Shown once (only its SHA-256 is kept; an Idempotency-Key does not replay it), ' +
          'valid 72 hours, void after 5 wrong tries.',
        ok: [201, 'The code', json(object({ id: int(), unlockCode: str(), expiresAt: date() }))],
        codes: ['FORBIDDEN', 'NOT_FOUND'],
      }),
    },
    '/api/ca/root.pem': {
      get: operation('get', {
        id: 'caRoot',
        tag: 'ca',
        summary: "The internal CA's root certificate, for relying parties to install (no login)",
        ok: [200, 'PEM', pem('CERTIFICATE')],
        codes: ['NOT_FOUND'],
      }),
    },
    '/api/ca/crl.pem': {
      get: operation('get', {
        id: 'caCrl',
        tag: 'ca',
        summary: "The internal CA's current CRLs: the issuing CA's, then the root's (no login)",
        ok: [200, 'PEM', pem('X509 CRL, twice')],
        codes: ['NOT_FOUND'],
      }),
    },
  }
}
