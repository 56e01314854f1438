import express, { type Express, type NextFunction, type Response } from 'express'
import { answerOcsp, fromPem, loadCrls, ocspErrorResponse, type CaStatusSource } from '../signing/pki'
import type { Services } from '../workflows/context'
import { CRL_PATH, OCSP_PATH } from '../workflows/ca-endpoints'
import { caStatusOf } from '../workflows/internal-ca'
import { WorkflowError } from '../shared/errors'

/** RFC 6960 Appendix A.1: a request is small; 64 KB is far above any real one. */
const MAX_REQUEST_BYTES = 64 * 1024

/**
 * The internal CA's public endpoints (issue 18), unauthenticated as relying parties need them:
 *  - OCSP (RFC 6960 Appendix A): `POST /ocsp` with application/ocsp-request, or `GET /ocsp/{request}`
 *    with the DER request in base64, URL-encoded; answers application/ocsp-response, signed by the
 *    issuing CA for the certificates it issued (`unauthorized` for others);
 *  - `GET /api/ca/crl.crl`, the issuing CA's CRL, DER: the cRLDistributionPoints of the
 *    certificates it issues (RFC 5280 §4.2.1.13); both CRLs as PEM are at /api/ca/crl.pem
 *    (key-routes.ts).
 * Both read the CA through CaStatusSource (the database's CA: workflows/internal-ca.ts).
 */
export function mountCa(app: Express, s: Services, log: (line: Record<string, unknown>) => void): void {
  const raw = express.raw({ type: 'application/ocsp-request', limit: MAX_REQUEST_BYTES })
  app.post(OCSP_PATH, raw, (req, res, next) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined
    void respond(s, body, res, log).catch(next)
  })
  const get = (text: string, res: Response, next: NextFunction): void => {
    const ok = /^[A-Za-z0-9+/=_-]+$/.test(text) && text.length <= MAX_REQUEST_BYTES
    void respond(s, ok ? Buffer.from(text, 'base64') : undefined, res, log).catch(next)
  }
  app.get(`${OCSP_PATH}/:request`, (req, res, next) => get(String(req.params.request), res, next))
  // Clients that leave a "/" of the base64 unencoded (NSS does) send a path of several segments.
  app.use(OCSP_PATH, (req, res, next) => {
    if (req.method !== 'GET' || req.path.length <= 1) return next()
    let text: string
    try {
      text = decodeURIComponent(req.path.slice(1))
    } catch {
      text = ''
    }
    get(text, res, next)
  })
  app.get(CRL_PATH, (_req, res, next) => {
    void Promise.resolve()
      .then(async () => {
        const [issuing] = await crlsOf(s)
        res.type('application/pkix-crl').setHeader('Cache-Control', 'no-cache')
        res.send(issuing)
      })
      .catch(next)
  })
}

function sourceOf(s: Services): CaStatusSource {
  if (!s.ca) throw new WorkflowError('NOT_FOUND', 'Máy chủ không có CA nội bộ')
  return caStatusOf(s.ca)
}

/** The current CRLs, DER: the issuing CA's first, then the root's. */
async function crlsOf(s: Services): Promise<Buffer[]> {
  const bytes = await sourceOf(s).currentCrls()
  const ders = fromPem(bytes.toString('latin1'), 'X509 CRL')
  return ders.length ? ders : loadCrls(bytes).map((c) => c.der)
}

/** An unreadable request is answered malformedRequest; a failure of ours internalError (§4.2.1). */
async function respond(
  s: Services,
  der: Buffer | undefined,
  res: Response,
  log: (line: Record<string, unknown>) => void,
): Promise<void> {
  const source = sourceOf(s)
  let answer: Buffer
  try {
    answer = der && der.length > 0 ? await answerOcsp(source, der) : ocspErrorResponse('malformedRequest')
  } catch (err) {
    log({
      level: 'error',
      msg: 'the OCSP responder failed',
      error: err instanceof Error ? err.stack : String(err),
    })
    answer = ocspErrorResponse('internalError')
  }
  res.type('application/ocsp-response').setHeader('Cache-Control', 'no-cache')
  res.setHeader('Connection', 'close')
  res.send(answer)
}
