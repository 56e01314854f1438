import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { KysoError } from '../errors'
import type { IncrementReport } from './increment'
import type { VerifyReport } from './verify-pdf'

export interface IsolatedInput {
  /** The PDF, or a path the worker reads itself (saves copying a large file between threads). */
  pdf: Buffer | { path: string }
  trustAnchors?: Buffer[]
  /** CRLs as PEM or DER files' bytes; parsed inside the worker. */
  crls?: Buffer[]
  now?: Date
}

export interface IsolationLimits {
  /** Wall-clock limit for one validation (default 20 s). */
  timeoutMs?: number
  /** Heap limit of the worker (default 512 MB). */
  maxMemoryMb?: number
}

export class ValidationError extends KysoError<
  'VALIDATION_TIMEOUT' | 'VALIDATION_OUT_OF_MEMORY' | 'PDF_UNREADABLE' | 'PDF_TOO_LARGE' | 'VALIDATION_FAILED'
> {}

/**
 * Validates in a worker thread with a heap limit and a wall-clock timeout, and terminates it when
 * either is reached: a hostile file (a parser loop, a decompression bomb, deep nesting) costs the
 * caller a clear error, never its life. Unusable input comes back as its own code.
 */
export function verifyPdfIsolated(input: IsolatedInput, limits: IsolationLimits = {}): Promise<VerifyReport> {
  return inWorker<VerifyReport>({ task: 'verify', ...input }, limits)
}

export interface IncrementInput extends Omit<IsolatedInput, 'pdf'> {
  /** The version Kyso served. */
  base: Buffer
  /** The file the signer's tool returned. */
  file: Buffer
}

/** `analyseIncrement` (increment.ts) under the same limits: the returned file is untrusted input. */
export function analyseIncrementIsolated(
  input: IncrementInput,
  limits: IsolationLimits = {},
): Promise<IncrementReport> {
  return inWorker<IncrementReport>({ task: 'increment', ...input }, limits)
}

export type WorkerTask = ({ task: 'verify' } & IsolatedInput) | ({ task: 'increment' } & IncrementInput)

function inWorker<T>(data: WorkerTask, limits: IsolationLimits): Promise<T> {
  const timeoutMs = limits.timeoutMs ?? 20_000
  const maxMemoryMb = limits.maxMemoryMb ?? 512
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'verify-worker.js'), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
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
            new ValidationError('VALIDATION_TIMEOUT', `validation did not finish within ${timeoutMs} ms`),
          ),
        ),
      timeoutMs,
    )
    worker.once('message', (msg: { ok: true; report: T } | { ok: false; code: string; message: string }) => {
      finish(() =>
        msg.ok ? resolve(msg.report) : reject(new ValidationError(msg.code as 'PDF_UNREADABLE', msg.message)),
      )
    })
    worker.once('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish(() =>
        reject(
          new ValidationError(
            oom ? 'VALIDATION_OUT_OF_MEMORY' : 'VALIDATION_FAILED',
            oom ? `validation needed more than ${maxMemoryMb} MB` : err.message,
            { cause: err },
          ),
        ),
      )
    })
    worker.once('exit', (code) =>
      finish(() =>
        reject(new ValidationError('VALIDATION_FAILED', `the validation worker exited (${code})`)),
      ),
    )
  })
}

/** Reads the input's bytes (in the worker). */
export async function inputBytes(pdf: IsolatedInput['pdf']): Promise<Buffer> {
  return Buffer.isBuffer(pdf) ? pdf : 'path' in pdf ? readFile(pdf.path) : Buffer.from(pdf as Uint8Array)
}
