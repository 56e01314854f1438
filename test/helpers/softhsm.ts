/**
 * A private SoftHSM2 token for the tests (issue 11), made once per mocha process in a temporary
 * directory (removed at exit) and cached, like the test PKI:
 *
 * 1. `<tmp>/softhsm2.conf` with `directories.tokendir = <tmp>/tokens`, so no test touches the
 *    machine's own tokens; SOFTHSM2_CONF is set in process.env for this process, and `env` holds
 *    it for child processes (an agent started by a test).
 * 2. `softhsm2-util --init-token --free` with the user PIN 1234 and the SO PIN 5678.
 * 3. An RSA-2048 and a P-256 key pair generated inside the token (generateTokenKeyPair), each
 *    certified by the test CA (issueCertificateForKey) with the key's CKA_ID, and the issuing CA
 *    and root certificates stored beside them without keys, so key sources find their chain.
 *
 * CI installs the Debian package `softhsm2` (.ci/run).
 */
import { spawnSync } from 'node:child_process'
import { createPublicKey } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateTokenKeyPair, storeTokenCertificate } from '../../signing/keys/pkcs11-provision'
import { issueCertificateForKey } from '../../signing/pki'
import { getTestPki, TEST_ORG } from './test-pki'
import { tempDir } from './tools'

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'

export interface TokenSigner {
  /** CKA_ID, hex. */
  id: string
  label: string
  name: string
  title: string
  certificate: Buffer
  keyAlgorithm: 'RSA' | 'EC'
}

export interface SoftHsmToken {
  module: string
  /** Slot index (the token is the only one in its directory). */
  slot: number
  label: string
  pin: string
  soPin: string
  /** Environment a child process needs to see this token. */
  env: { SOFTHSM2_CONF: string }
  rsa: TokenSigner
  ec: TokenSigner
  /** CKA_IDs of the CA certificates stored without a key. */
  caIds: { issuing: string; root: string }
}

let cached: Promise<SoftHsmToken> | undefined

/** The shared test token (first call makes it, ~1 s; later calls return the same object). */
export function getSoftHsmToken(): Promise<SoftHsmToken> {
  cached ??= createToken()
  return cached
}

async function createToken(): Promise<SoftHsmToken> {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`${SOFTHSM_MODULE} is missing: apt-get install softhsm2`)
  // 1. A configuration of our own, seen by this process and by children given `env`.
  const dir = tempDir('kyso-softhsm-')
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'tokens'))
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  )
  process.env.SOFTHSM2_CONF = conf
  // 2. The token.
  const label = 'Kyso test token'
  const pin = '1234'
  const soPin = '5678'
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
    {
      encoding: 'utf8',
      env: { ...process.env, SOFTHSM2_CONF: conf },
    },
  )
  if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}${init.stdout}`)
  // 3. Keys made inside the token, certified by the test CA, then the CA certificates.
  const pki = await getTestPki()
  const ref = { module: SOFTHSM_MODULE, slot: 0, pin }
  const signer = async (
    id: string,
    keyType: 'rsa2048' | 'p256',
    name: string,
    title: string,
  ): Promise<TokenSigner> => {
    const label = `${name} (${keyType})`
    const spki = await generateTokenKeyPair({ ...ref, id, label, keyType })
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' })
    const { certificate } = await issueCertificateForKey(pki.dir, {
      name,
      title,
      org: TEST_ORG,
      caPin: pki.caPin,
      publicKey,
    })
    storeTokenCertificate({ ...ref, id, label, certificate })
    return { id, label, name, title, certificate, keyAlgorithm: keyType === 'p256' ? 'EC' : 'RSA' }
  }
  const rsa = await signer('01a7', 'rsa2048', 'Phạm Thị Thanh Tâm', 'Giám đốc Sở')
  const ec = await signer('02b8', 'p256', 'Lý Văn Minh', 'Phó Giám đốc Sở')
  const caIds = { issuing: 'ca01', root: 'ca02' }
  storeTokenCertificate({ ...ref, id: caIds.issuing, label: 'Issuing CA', certificate: pki.issuingDer })
  storeTokenCertificate({ ...ref, id: caIds.root, label: 'Root CA', certificate: pki.rootDer })
  return { module: SOFTHSM_MODULE, slot: 0, label, pin, soPin, env: { SOFTHSM2_CONF: conf }, rsa, ec, caIds }
}

export interface ServiceToken {
  module: string
  tokenLabel: string
  pin: string
  /** KYSO_PKCS11_PIN_FILE: the HSM user PIN in a file of mode 0600. */
  pinFile: string
  /**
   * Points SOFTHSM2_CONF at this token's own configuration until `release` (the module reads it
   * when it initialises, i.e. when its first session opens), so the test token above keeps slot 0.
   */
  use: () => void
  release: () => void
}

/**
 * A token of its own, in a SoftHSM2 configuration of its own, for a service's own HSM (issue 15):
 * seal keys, the CA's keys and the key-wrapping key are made inside it by the service itself.
 */
export function createServiceToken(label: string): ServiceToken {
  const dir = tempDir('kyso-service-hsm-')
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'tokens'))
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  )
  const pin = `hsm-${label}-2468`
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '97531'],
    {
      encoding: 'utf8',
      env: { ...process.env, SOFTHSM2_CONF: conf },
    },
  )
  if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}${init.stdout}`)
  const pinFile = join(dir, 'hsm-pin')
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 })
  let saved: string | undefined
  return {
    module: SOFTHSM_MODULE,
    tokenLabel: label,
    pin,
    pinFile,
    use: () => {
      saved = process.env.SOFTHSM2_CONF
      process.env.SOFTHSM2_CONF = conf
    },
    release: () => {
      if (saved === undefined) delete process.env.SOFTHSM2_CONF
      else process.env.SOFTHSM2_CONF = saved
    },
  }
}
