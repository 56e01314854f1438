import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { STATUS } from '../../server/errors'
import { WORKFLOW_ERROR_CODES } from '../../shared/errors'
import { type Lang, MESSAGES, reasonText, refusalText } from '../../shared/messages'
import { SUB_INDICATIONS } from '../../signing/verify'

const LANGS: Lang[] = ['vi', 'en']

/** Issue 16: one catalogue of the words for people, read by the API, the CLI and the web client. */
describe('the message catalogue (shared/messages.ts)', () => {
  it('says what every use-case refusal means, in Vietnamese and English', () => {
    const missing = WORKFLOW_ERROR_CODES.flatMap((code) =>
      LANGS.filter((lang) => !refusalText(code, lang)?.trim()).map((lang) => `${code} (${lang})`),
    )
    expect(missing).to.deep.equal([])
  })

  it('gives a reason for every sub-indication the validator can emit, in both languages', () => {
    const missing = SUB_INDICATIONS.flatMap((sub) =>
      LANGS.filter((lang) => !reasonText(sub, lang)?.trim()).map((lang) => `${sub} (${lang})`),
    )
    expect(missing).to.deep.equal([])
  })

  it('holds no code the API does not answer and no sub-indication the validator does not emit', () => {
    for (const lang of LANGS) {
      expect(Object.keys(MESSAGES[lang].refusals).filter((code) => !(code in STATUS))).to.deep.equal([])
      const emitted: readonly string[] = SUB_INDICATIONS
      expect(Object.keys(MESSAGES[lang].reasons).filter((s) => !emitted.includes(s))).to.deep.equal([])
    }
    expect(Object.keys(MESSAGES.en.refusals)).to.deep.equal(Object.keys(MESSAGES.vi.refusals))
  })

  it('knows nothing of an unknown code, nor of what an object inherits', () => {
    expect(refusalText('NO_SUCH_CODE', 'vi')).to.equal(undefined)
    expect(refusalText('constructor', 'en')).to.equal(undefined)
    expect(reasonText('toString', 'vi')).to.equal(undefined)
  })

  it('is what the build wrote for the web client (dist/web/client/messages.js)', async () => {
    const file = join(__dirname, '../../web/client/messages.js')
    const source = readFileSync(file, 'utf8')
    // The module as the browser loads it (ES syntax; dist/ is CommonJS to Node, hence a data: URL).
    const module = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as {
      MESSAGES: unknown
    }
    expect(module.MESSAGES).to.deep.equal(MESSAGES)
  })
})
