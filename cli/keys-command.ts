import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from './main'
import { UsageError } from './pin'
import { openServiceKeys } from './service-keys'

/**
 * `kyso keys generate FILE | status | rewrap [--data-dir DIR]` (issue 15): the key-wrapping key.
 * A rotation, as the README tells it: generate a new key, give every instance the new key as
 * KYSO_KEY_WRAP_FILE and the old one in KYSO_KEY_WRAP_PREVIOUS_FILES and restart them, `rewrap`,
 * check with `status` that only the new key id is left, then drop the old key from the settings.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'generate') {
    const { positionals } = parse(rest, {})
    const [file, ...extra] = positionals
    if (!file || extra.length) throw new UsageError('usage: kyso keys generate FILE')
    const target = resolve(file)
    if (existsSync(target)) throw new UsageError(`${target} exists: a key file is never overwritten`)
    const { createKeyWrapFile, readKeyWrapFile } =
      require('../storage/key-wrap-file') as typeof import('../storage/key-wrap-file')
    const { rawKeyWrapKey } = require('../signing/keys/key-wrap') as typeof import('../signing/keys/key-wrap')
    createKeyWrapFile(target)
    process.stdout.write(
      `${JSON.stringify({ file: target, keyId: rawKeyWrapKey(readKeyWrapFile(target) as Buffer, target).id })}\n`,
    )
    return 0
  }
  if (sub !== 'status' && sub !== 'rewrap')
    throw new UsageError(`unknown 'keys ${sub ?? ''}': use generate, status or rewrap`)
  const { values } = parse(rest, { 'data-dir': { type: 'string' } })
  const keys = await openServiceKeys(values['data-dir'], { create: false })
  try {
    const rotation = require('../workflows/key-rotation') as typeof import('../workflows/key-rotation')
    const current = { keyId: keys.ring.current.id, location: keys.ring.current.location }
    if (sub === 'rewrap') {
      const rewrapped = await rotation.rewrapAll(keys.db, keys.ring)
      process.stdout.write(
        `${JSON.stringify({ current, rewrapped, ...(await rotation.envelopeCounts(keys.db)) })}\n`,
      )
      return 0
    }
    const counts = await rotation.envelopeCounts(keys.db)
    process.stdout.write(`${JSON.stringify({ current, ...counts })}\n`)
    // Exit 1 while anything is sealed under another key (or not sealed at all): the rotation is not done.
    return Object.keys(counts.byKeyId).every((id) => id === current.keyId) && counts.legacy === 0 ? 0 : 1
  } finally {
    await keys.close()
  }
}
