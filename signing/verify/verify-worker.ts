import { parentPort, workerData } from 'node:worker_threads'
import { loadCrls } from '../pki'
import { inputBytes, type IsolatedInput } from './isolated'
import { verifyPdf } from './verify-pdf'

/** The worker side of verifyPdfIsolated: buffers arrive as Uint8Array and are wrapped again. */
async function main(): Promise<void> {
  const input = workerData as IsolatedInput
  try {
    const pdf = Buffer.isBuffer(input.pdf) || input.pdf instanceof Uint8Array ? Buffer.from(input.pdf as Uint8Array) : await inputBytes(input.pdf)
    const report = verifyPdf(pdf, {
      trustAnchors: (input.trustAnchors ?? []).map((b) => Buffer.from(b)),
      crls: (input.crls ?? []).flatMap((b) => loadCrls(Buffer.from(b))),
      ...(input.now && { now: new Date(input.now) }),
    })
    parentPort?.postMessage({ ok: true, report })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    parentPort?.postMessage({ ok: false, code: typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'VALIDATION_FAILED', message: (err as Error).message })
  }
}

void main()
