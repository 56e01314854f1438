import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { KysoError } from '../signing/errors'

/**
 * Refuses an output that is the input itself (issue 16): by the same path, a relative one, a
 * symbolic link or a hard link (the same file on the same device). Checked before anything is
 * read or written, so the input is never touched.
 */
export function refuseOutputOverInput(input: string, output: string): void {
  const a = statOf(input)
  const b = statOf(output)
  const same = a && b ? a.dev === b.dev && a.ino === b.ino : resolve(input) === resolve(output)
  if (same) {
    throw new KysoError(
      'OUTPUT_IS_INPUT',
      `--out ${output} is the input ${input}: choose another file (the input is never overwritten)`,
    )
  }
}

function statOf(path: string): { dev: number; ino: number } | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
