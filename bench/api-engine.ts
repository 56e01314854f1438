/**
 * The signing engine alone, set up like the server signs a step, for `bench:api`: certificates
 * of the same key types from a copy of the server's demo CA, the server's own TSA key (B-T) and
 * CRL, the same appearance and reason per action.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KeySource } from '../signing/keys/key-source'
import { openPkcs12KeySource } from '../signing/keys/pkcs12'
import { issueCertificate, loadCrls, fromPem, type KeyType, type ParsedCrl } from '../signing/pki'
import { appearanceFromCertificate, signPdf, type SignPdfOptions } from '../signing/sign'
import { builtinTsa } from '../signing/tsa'
import { verifyPdf } from '../signing/verify'
import { ROOT } from './fixtures'

export type Action = 'approve' | 'sign' | 'seal'

/** One step of the `cong-van-thuong` chain, in the order the bench acts. */
export interface ChainStep {
  username: string
  action: Action
}

/** What the API's sign-step use case picks per action (workflows/sign-step.ts). */
const REASON: Record<Action, string> = { approve: 'Đã duyệt', sign: 'Ký ban hành', seal: 'Phát hành' }

interface Demo {
  agencies: { code: string; name: string }[]
  titles: Record<string, string>
  names: Record<string, string>
}

export interface Engine {
  /** signPdf options per chain step, index for index. */
  options: SignPdfOptions[]
  keyTypes: KeyType[]
  /** Opens each step's PKCS#12 with its PIN, as the API does on every request. */
  openKeys: () => void
  /** Validates a file as the API does when a chain completes (workflows/verdicts.ts). */
  validate: (pdf: Buffer) => string
  sign: (pdf: Buffer, step: number) => Promise<Buffer>
}

/**
 * Issues one certificate per chain step from a copy of `<dataDir>/ca` (the server's CA, its PIN
 * in ca-pin): personal RSA-2048 for approvals and signatures, P-256 for the agency seal, as the
 * demo seed does. The B-T timestamp comes from the server's TSA key (`<dataDir>/ca/tsa.p12`).
 */
export async function setUpEngine(
  dataDir: string,
  work: string,
  chain: ChainStep[],
  pins: Record<string, string>,
  agency: string,
): Promise<Engine> {
  const serverCa = join(dataDir, 'ca')
  const caDir = join(work, 'engine-ca')
  cpSync(serverCa, caDir, { recursive: true })
  const caPin = readFileSync(join(serverCa, 'ca-pin'), 'utf8').trim()
  const demo = JSON.parse(readFileSync(join(ROOT, 'fixtures/demo.json'), 'utf8')) as Demo
  const org = demo.agencies.find((a) => a.code === agency)?.name
  if (!org) throw new Error(`agency ${agency} is not in fixtures/demo.json`)
  const timestamp = builtinTsa(openPkcs12KeySource(readFileSync(join(serverCa, 'tsa.p12')), caPin))
  const crlFile = join(serverCa, 'crl.pem')
  const crls: ParsedCrl[] = existsSync(crlFile) ? loadCrls(readFileSync(crlFile)) : []
  const trustAnchors = fromPem(readFileSync(join(serverCa, 'root.pem'), 'latin1'), 'CERTIFICATE')

  const p12s: { p12: Buffer; pin: string }[] = []
  const keySources: KeySource[] = []
  const keyTypes: KeyType[] = []
  for (const step of chain) {
    const pin = pins[step.username] as string
    const keyType: KeyType = step.action === 'seal' ? 'p256' : 'rsa2048'
    const title = demo.titles[step.username]
    const issued =
      step.action === 'seal'
        ? await issueCertificate(caDir, { name: org, org, seal: true, caPin, pin, keyType })
        : await issueCertificate(caDir, {
            name: demo.names[step.username] as string,
            ...(title && { title }),
            org,
            caPin,
            pin,
            keyType,
          })
    p12s.push({ p12: issued.p12, pin })
    keySources.push(openPkcs12KeySource(issued.p12, pin))
    keyTypes.push(keyType)
  }
  const options = chain.map((step, i): SignPdfOptions => {
    const keySource = keySources[i] as KeySource
    return {
      keySource,
      appearance: appearanceFromCertificate(keySource.certificate, {
        kind: step.action === 'seal' ? 'seal' : 'personal',
      }),
      reason: REASON[step.action],
      ...(crls.length && { revocation: { crls } }),
      timestamp,
    }
  })
  return {
    options,
    keyTypes,
    openKeys: () => p12s.forEach(({ p12, pin }) => openPkcs12KeySource(p12, pin)),
    validate: (pdf) => verifyPdf(pdf, { trustAnchors, crls }).indication,
    sign: async (pdf, step) => (await signPdf(pdf, options[step] as SignPdfOptions)).pdf,
  }
}
