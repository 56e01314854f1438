import { UsageError } from './args'

/**
 * PINs come from the environment or a terminal prompt, never from argv (argv is visible to every
 * user of the machine in `ps`). This is the one place outside config.ts that reads process.env.
 */
export async function readPin(envName: 'KYSO_PIN' | 'KYSO_CA_PIN', label: string): Promise<string> {
  const fromEnv = process.env[envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (envName === 'KYSO_CA_PIN') return readPin('KYSO_PIN', label)
  if (!process.stdin.isTTY) throw new UsageError(`set ${envName} (no terminal to ask for the ${label} on)`)
  return promptHidden(`${label}: `)
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stderr.write(question)
    stdin.setRawMode(true)
    stdin.resume()
    let pin = ''
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done()
          resolve(pin)
          return
        }
        if (ch === '\u0003') {
          done()
          reject(new UsageError('cancelled'))
          return
        }
        if (ch === '\u007f') pin = pin.slice(0, -1)
        else pin += ch
      }
    }
    const done = (): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    stdin.on('data', onData)
  })
}
