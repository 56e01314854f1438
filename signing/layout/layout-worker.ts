import { parentPort, workerData } from 'node:worker_threads'
import { analyseLayout } from './analyse'

/** The worker side of analyseLayoutIsolated. pdf.js's warnings about damaged files stay here. */
async function main(): Promise<void> {
  const { pdf } = workerData as { pdf: Uint8Array }
  try {
    parentPort?.postMessage({ ok: true, report: await analyseLayout(pdf) })
  } catch (err) {
    parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}

void main()
