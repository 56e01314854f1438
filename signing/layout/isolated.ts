import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { KysoError } from '../errors'
import type { LayoutReport } from './analyse'

export type LayoutErrorCode = 'LAYOUT_TIMEOUT' | 'LAYOUT_OUT_OF_MEMORY' | 'LAYOUT_FAILED'

/** Why a document's layout could not be read; placement then falls back (and says so). */
export class LayoutError extends KysoError<LayoutErrorCode> {}

export interface LayoutLimits {
  /** Wall-clock limit (default 10 s). */
  timeoutMs?: number
  /** Heap limit of the worker (default 384 MB): decoding a scanned page's image needs some. */
  maxMemoryMb?: number
}

/**
 * `analyseLayout` in a worker thread with a heap limit and a wall-clock limit: a draft is
 * untrusted input, and pdf.js parses fonts, images and content streams of it. The worker is
 * terminated at either limit and the caller gets LAYOUT_TIMEOUT or LAYOUT_OUT_OF_MEMORY (as
 * signing/verify/isolated.ts does for validation).
 */
export function analyseLayoutIsolated(pdf: Buffer, limits: LayoutLimits = {}): Promise<LayoutReport> {
  const timeoutMs = limits.timeoutMs ?? 10_000
  const maxMemoryMb = limits.maxMemoryMb ?? 384
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'layout-worker.js'), {
      workerData: { pdf },
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    })
    let settled = false
    const finish = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      void worker.terminate()
    }
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new LayoutError('LAYOUT_TIMEOUT', `reading the document's text took more than ${timeoutMs} ms`),
          ),
        ),
      timeoutMs,
    )
    worker.once('message', (msg: { ok: true; report: LayoutReport } | { ok: false; message: string }) => {
      finish(() => (msg.ok ? resolve(msg.report) : reject(new LayoutError('LAYOUT_FAILED', msg.message))))
    })
    worker.once('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish(() =>
        reject(
          new LayoutError(
            oom ? 'LAYOUT_OUT_OF_MEMORY' : 'LAYOUT_FAILED',
            oom ? `reading the document's text needed more than ${maxMemoryMb} MB` : err.message,
            { cause: err },
          ),
        ),
      )
    })
    worker.once('exit', (code) =>
      finish(() => reject(new LayoutError('LAYOUT_FAILED', `the layout worker exited (${code})`))),
    )
  })
}
