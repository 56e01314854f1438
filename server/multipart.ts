import busboy from 'busboy'
import type { Request } from 'express'
import { WorkflowError } from '../shared/errors'

export interface Multipart {
  fields: Record<string, string>
  file?: Buffer
}

/**
 * Reads a multipart/form-data upload with busboy, refusing an oversized body before it is
 * buffered whole: by Content-Length when it is declared, else as soon as the file passes the limit.
 * A field given twice, or a second file, is refused (400) rather than one of them silently winning
 * (issue 15: which one a proxy, a log or a validator saw could differ from the one used).
 */
export function readMultipart(
  req: Request,
  maxBytes: number,
  opts: { anyFileField?: boolean } = {},
): Promise<Multipart> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > maxBytes + 64 * 1024)
      return reject(new WorkflowError('UPLOAD_TOO_LARGE', `Tệp vượt quá ${maxBytes} byte`))
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? ''))
      return reject(new WorkflowError('BAD_REQUEST', 'expected multipart/form-data with a file field'))
    let bb: busboy.Busboy
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024 },
      })
    } catch (err) {
      return reject(new WorkflowError('BAD_REQUEST', `bad multipart body: ${(err as Error).message}`))
    }
    const out: Multipart = { fields: {} }
    let failed = false
    const fail = (err: Error): void => {
      if (failed) return
      failed = true
      req.unpipe(bb)
      req.resume()
      reject(err)
    }
    let files = 0
    bb.on('field', (name, value) => {
      if (Object.hasOwn(out.fields, name))
        return fail(new WorkflowError('BAD_REQUEST', `${name}: given more than once`))
      out.fields[name] = value
    })
    bb.on('filesLimit', () => fail(new WorkflowError('BAD_REQUEST', 'file: only one file may be sent')))
    bb.on('fieldsLimit', () => fail(new WorkflowError('BAD_REQUEST', 'too many fields')))
    bb.on('file', (name, stream) => {
      if (++files > 1) {
        stream.resume()
        return fail(new WorkflowError('BAD_REQUEST', `${name}: only one file may be sent`))
      }
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('limit', () => fail(new WorkflowError('UPLOAD_TOO_LARGE', `Tệp vượt quá ${maxBytes} byte`)))
      stream.on('end', () => {
        // A signing plugin names its file part as it likes: with anyFileField the one file is taken.
        if (name === 'file' || opts.anyFileField) out.file = Buffer.concat(chunks)
      })
    })
    bb.on('error', (err: Error) =>
      fail(new WorkflowError('BAD_REQUEST', `bad multipart body: ${err.message}`)),
    )
    bb.on('close', () => {
      if (!failed) resolve(out)
    })
    req.pipe(bb)
  })
}
