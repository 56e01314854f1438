import { parentPort, workerData } from 'node:worker_threads'
import { loadCrls } from '../pki/crl'
import { analyseIncrement } from './increment'
import { inputBytes, type WorkerTask } from './isolated'
import { verifyPdf, type VerifyOptions } from './verify-pdf'

/** Buffers arrive in a worker as Uint8Array: wrap them again. */
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

function optionsOf(input: WorkerTask): VerifyOptions {
  return {
    trustAnchors: (input.trustAnchors ?? []).map(buf),
    crls: (input.crls ?? []).flatMap((b) => loadCrls(buf(b))),
    ...(input.now && { now: new Date(input.now) }),
  }
}

/** The worker side of verifyPdfIsolated and analyseIncrementIsolated. */
async function main(): Promise<void> {
  const input = workerData as WorkerTask
  try {
    let report: unknown
    if (input.task === 'increment') {
      report = analyseIncrement(buf(input.base), buf(input.file), optionsOf(input))
    } else {
      const pdf =
        Buffer.isBuffer(input.pdf) || input.pdf instanceof Uint8Array
          ? buf(input.pdf)
          : await inputBytes(input.pdf)
      report = verifyPdf(pdf, optionsOf(input))
    }
    parentPort?.postMessage({ ok: true, report })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const message = (err as Error).message
    parentPort?.postMessage({
      ok: false,
      code: typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'VALIDATION_FAILED',
      message,
    })
  }
}

void main()
