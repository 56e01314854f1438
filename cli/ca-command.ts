import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, required, UsageError, type Values } from './args'
import { spec } from './commands'
import { readPin } from './pin'
import { caInDatabase, keyType } from './ca-database'

/** File name of the built-in TSA's key inside a CA directory (protected by the CA PIN). */
export const TSA_P12 = 'tsa.p12'

/**
 * `kyso ca init|issue|revoke|root|crl`: with `--dir DIR`, a CA kept in a directory (offline use and
 * tests, keys under the CA PIN); without it, the service's own CA in its database (issue 15), with
 * the service's settings and key-wrapping key, the one every instance issues and revokes from.
 */
export async function caCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (!rest.some((a) => a === '--dir' || a.startsWith('--dir='))) return caInDatabase(sub, rest)
  const pki = require('../signing/pki') as typeof import('../signing/pki')
  if (sub === 'init') {
    const { values } = parseInDirectory(rest, 'init')
    const dir = required(values, 'dir')
    const caPin = await readPin('KYSO_CA_PIN', 'CA PIN')
    const kt = keyType(values.key)
    await pki.initCa(dir, {
      pin: caPin,
      ...(typeof values.name === 'string' && { name: values.name }),
      ...(kt && { keyType: kt }),
    })
    const tsa = await pki.issueTsaCertificate(dir, { caPin, pin: caPin })
    writeFileSync(join(dir, TSA_P12), tsa.p12, { mode: 0o600 })
    process.stdout.write(
      `CA created in ${dir}: trust anchor ${join(dir, 'root.pem')}, CRL ${join(dir, 'crl.pem')}\n`,
    )
    return 0
  }
  if (sub === 'issue') {
    const { values } = parseInDirectory(rest, 'issue')
    const dir = required(values, 'dir')
    const out = required(values, 'out')
    const caPin = await readPin('KYSO_CA_PIN', 'CA PIN')
    const pin = await readPin('KYSO_PIN', 'PIN for the new key')
    const kt = keyType(values.key)
    const issued = await pki.issueCertificate(dir, {
      name: required(values, 'name'),
      caPin,
      pin,
      ...(typeof values.title === 'string' && { title: values.title }),
      ...(typeof values.org === 'string' && { org: values.org }),
      ...(values.seal === true && { seal: true }),
      ...(kt && { keyType: kt }),
      // Where the CA publishes its CRL and answers OCSP (e.g. the service's /api/ca/crl.crl, /ocsp).
      ...(typeof values['crl-url'] === 'string' && { crlUrl: values['crl-url'] }),
      ...(typeof values['ocsp-url'] === 'string' && { ocspUrl: values['ocsp-url'] }),
    })
    writeFileSync(out, issued.p12, { mode: 0o600 })
    process.stdout.write(`issued serial ${issued.serialHex} -> ${out}\n`)
    return 0
  }
  if (sub === 'revoke') {
    const { values } = parseInDirectory(rest, 'revoke')
    const caPin = await readPin('KYSO_CA_PIN', 'CA PIN')
    const reason = typeof values.reason === 'string' ? values.reason : undefined
    await pki.revokeCertificate(required(values, 'dir'), required(values, 'serial'), {
      caPin,
      ...(reason && { reason }),
    })
    process.stdout.write(`revoked ${values.serial}; ${join(String(values.dir), 'crl.pem')} updated\n`)
    return 0
  }
  throw new UsageError(`unknown 'ca ${sub ?? ''}': use init, issue or revoke (and root, crl without --dir)`)
}

/** The options of `kyso ca SUB --dir DIR`: a folder's CA, so not the service's (--data-dir). */
function parseInDirectory(args: string[], sub: string): { values: Values } {
  const { values, positionals } = parse(args, spec(`ca ${sub}`))
  if (values['data-dir'] !== undefined) throw new UsageError('--dir and --data-dir exclude each other')
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  return { values }
}
