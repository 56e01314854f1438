import { expect } from 'chai'
import { contentSecurityPolicy } from '../../server/web'

const directives = (csp: string): Map<string, string[]> =>
  new Map(csp.split('; ').map((d) => [d.split(' ')[0] as string, d.split(' ').slice(1)]))

describe("the page's Content-Security-Policy (issue 11)", () => {
  it("adds only the configured agent's origin to connect-src when no plugin is configured", () => {
    const csp = directives(contentSecurityPolicy({ agentUrl: 'http://127.0.0.1:8765' }))
    expect(csp.get('connect-src')).to.deep.equal(["'self'", 'http://127.0.0.1:8765'])
    expect(csp.get('script-src')?.filter((s) => !s.startsWith("'sha256-"))).to.deep.equal([
      "'self'",
      "'wasm-unsafe-eval'",
    ])
    expect(csp.get('object-src')).to.deep.equal(["'none'"])
  })

  it("allows the VGCA plugin's origin for its script and loopback WebSockets for its service", () => {
    const csp = directives(
      contentSecurityPolicy({
        agentUrl: 'http://localhost:9000',
        vgcaPluginUrl: 'https://cdn.stttt.gov.vn/js/vgcaplugin.js',
      }),
    )
    expect(csp.get('script-src')).to.include('https://cdn.stttt.gov.vn')
    expect(csp.get('connect-src')).to.include.members([
      'http://localhost:9000',
      'https://cdn.stttt.gov.vn',
      'wss://127.0.0.1:*',
      'ws://localhost:*',
    ])
    expect(csp.get('connect-src')).to.not.include('http://127.0.0.1:*')
  })

  it('adds no origin for a plugin served by Kyso itself (a path)', () => {
    const csp = directives(
      contentSecurityPolicy({ agentUrl: 'http://127.0.0.1:8765', vgcaPluginUrl: '/static/vgcaplugin.js' }),
    )
    expect(csp.get('script-src')?.filter((s) => !s.startsWith("'sha256-"))).to.deep.equal([
      "'self'",
      "'wasm-unsafe-eval'",
    ])
  })
})
