import type { Config } from '../config'
import type { KeyRing } from '../signing/keys/key-wrap'
import type { ServiceToken } from '../signing/keys/pkcs11-service'
import type { Db } from '../storage/db'
import { openServiceDb } from './service-db'

export interface ServiceKeys {
  config: Config
  db: Db
  ring: KeyRing
  hsm?: ServiceToken
  close: () => Promise<void>
}

/**
 * The service's database and keys as `npm start` would open them (issue 15): the key-wrapping
 * key ring (KYSO_KEY_WRAP_FILE, KYSO_KEY_WRAP_PREVIOUS_FILES, or the HSM's), checked against the
 * database, and the HSM session when KYSO_PKCS11_MODULE is set. `create`: a key may be made when
 * the database holds nothing wrapped yet (`kyso ca init` on a new deployment).
 */
export async function openServiceKeys(
  dataDirOption: unknown,
  opts: { create: boolean },
): Promise<ServiceKeys> {
  const { config, db } = await openServiceDb(dataDirOption, { migrate: true, mustExist: !opts.create })
  let hsm: ServiceToken | undefined
  try {
    const { openServiceToken } =
      require('../signing/keys/pkcs11-service') as typeof import('../signing/keys/pkcs11-service')
    hsm = config.pkcs11 ? openServiceToken(config.pkcs11) : undefined
    const { openKeyRing } = require('../workflows/key-ring') as typeof import('../workflows/key-ring')
    const ring = await openKeyRing(config, db, {
      create: opts.create,
      ...(hsm && { hsm }),
      log: ({ msg }) => process.stderr.write(`kyso: ${String(msg)}\n`),
    })
    return {
      config,
      db,
      ring,
      ...(hsm && { hsm }),
      close: async () => {
        await db.destroy()
        hsm?.close()
      },
    }
  } catch (err) {
    hsm?.close()
    await db.destroy()
    throw err
  }
}
