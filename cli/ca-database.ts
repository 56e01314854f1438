import { writeFileSync } from 'node:fs'
import { parse, required, UsageError } from './args'
import { spec } from './commands'
import { readPin } from './pin'
import { openServiceKeys, type ServiceKeys } from './service-keys'

type KeyType = 'rsa2048' | 'rsa3072' | 'p256'

export function keyType(v: unknown): KeyType | undefined {
  if (v === undefined) return undefined
  if (v === 'rsa2048' || v === 'rsa3072' || v === 'p256') return v
  throw new UsageError(`--key must be rsa2048, rsa3072 or p256, not '${String(v)}'`)
}

/**
 * `kyso ca` on the service's own CA, in its database (issue 15): the same store the running
 * instances use, so what the command issues or revokes is at once in the CRL they serve
 * (`GET /api/ca/crl.pem`). Revoking a certificate the service holds for a user also stops its use
 * there, audited like a revocation from the administration page.
 */
export async function caInDatabase(sub: string | undefined, rest: string[]): Promise<number> {
  if (sub === 'init') {
    const { values } = parse(rest, spec('ca init'))
    const keys = await openServiceKeys(values['data-dir'], { create: true })
    return withKeys(keys, async () => {
      const { createInternalCa } =
        require('../workflows/internal-ca-setup') as typeof import('../workflows/internal-ca-setup')
      const kt = keyType(values.key)
      const name = typeof values.name === 'string' ? values.name : 'Kyso CA'
      await createInternalCa(keys.db, keys.ring, {
        name,
        ...(kt && { keyType: kt }),
        ...(keys.hsm && { hsm: keys.hsm }),
      })
      process.stdout.write(
        `CA "${name}" created in the service's database; its root is served at /api/ca/root.pem\n`,
      )
      return 0
    })
  }
  if (!['issue', 'revoke', 'root', 'crl'].includes(sub ?? ''))
    throw new UsageError(`unknown 'ca ${sub ?? ''}': use init, issue, revoke, root or crl`)
  const { values } = parse(rest, spec(`ca ${sub}`))
  const keys = await openServiceKeys(values['data-dir'], { create: false })
  return withKeys(keys, async () => {
    const { openInternalCa } =
      require('../workflows/internal-ca') as typeof import('../workflows/internal-ca')
    const ca = await openInternalCa(keys.db, keys.ring, keys.hsm)
    if (!ca) throw new UsageError('the service has no internal CA yet: kyso ca init')
    const pki = require('../signing/pki') as typeof import('../signing/pki')
    if (sub === 'root' || sub === 'crl') {
      process.stdout.write(sub === 'root' ? pki.toPem('CERTIFICATE', ca.root) : await ca.crlPem())
      return 0
    }
    if (sub === 'issue') {
      const out = required(values, 'out')
      const pin = await readPin('KYSO_PIN', 'PIN for the new key')
      const kt = keyType(values.key)
      const issued = await ca.issueWithKey(
        {
          name: required(values, 'name'),
          ...(typeof values.title === 'string' && { title: values.title }),
          ...(typeof values.org === 'string' && { org: values.org }),
          ...(values.seal === true && { seal: true }),
          ...(kt && { keyType: kt }),
        },
        pin,
      )
      writeFileSync(out, issued.p12, { mode: 0o600 })
      process.stdout.write(`issued serial ${issued.serialHex} -> ${out}\n`)
      return 0
    }
    const serial = pki.normaliseSerial(required(values, 'serial'))
    const reason = typeof values.reason === 'string' ? values.reason : 'unspecified'
    const { appendAudit } = require('../storage/audit') as typeof import('../storage/audit')
    const { revokeHeldSerial } =
      require('../storage/certificate-records') as typeof import('../storage/certificate-records')
    const { inTransaction } = require('../storage/transaction') as typeof import('../storage/transaction')
    await inTransaction(keys.db, async (trx) => {
      await ca.revoke(trx, serial, reason)
      const held = await revokeHeldSerial(trx, serial, new Date().toISOString())
      await appendAudit(trx, {
        actorId: null,
        action: 'certificate.revoked',
        detail: { serialHex: serial, reason, by: 'kyso ca revoke', heldByService: held > 0 },
      })
    })
    process.stdout.write(`revoked ${serial}; the CRL in the database is updated\n`)
    return 0
  })
}

async function withKeys(keys: ServiceKeys, work: () => Promise<number>): Promise<number> {
  try {
    return await work()
  } finally {
    await keys.close()
  }
}
