import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { newKeyWrapKeyBytes } from '../signing/keys/key-wrap'

/**
 * The key-wrapping key's file (issue 15): 32 random bytes written as one line of base64, mode
 * 0600 in a folder of mode 0700, outside the data folder (config.ts refuses one inside it).
 */
export function readKeyWrapFile(file: string): Buffer | undefined {
  let text: Buffer
  try {
    text = readFileSync(file)
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined
    throw err
  }
  if (text.length === 32) return text
  const key = Buffer.from(text.toString('latin1').trim(), 'base64')
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key-wrapping key`)
  return key
}

/**
 * Makes the file unless it exists (two instances starting on one data folder make it once: the
 * second finds the first's), and returns the key in it.
 */
export function createKeyWrapFile(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(file, `${newKeyWrapKeyBytes().toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err
  }
  return readKeyWrapFile(file) as Buffer
}

/** True when others than the owner may read the file (worth a warning at start-up). */
export function readableByOthers(file: string): boolean {
  try {
    return (statSync(file).mode & 0o077) !== 0
  } catch {
    return false
  }
}
