/**
 * How `kyso agent` asks for a token PIN: at the agent, never over HTTP. On a terminal, a prompt
 * that echoes nothing; otherwise a prompt line on stderr and one line read from stdin (how tests
 * and scripted setups answer). Either can be abandoned through an AbortSignal (the agent's PIN
 * timeout, or its shutdown), which leaves stdin paused and the prompt's listeners removed.
 */
import { KysoError } from '../signing/errors'

export interface PinPrompt {
  /** The web page asking for a signature (its Origin). */
  origin: string
  /** The certificate's subject, as the person knows it. */
  subject: string
}

export type AskPin = (prompt: PinPrompt, signal: AbortSignal) => Promise<string>

/** No PIN came: stdin closed, Ctrl-C at the prompt, or the timeout. */
export class PinNotEntered extends KysoError<'PIN_NOT_ENTERED'> {
  constructor(why: string) {
    super('PIN_NOT_ENTERED', `Chưa nhập mã PIN tại máy ký (${why})`)
  }
}

/** A longer line is not a PIN (PKCS#11 tokens take at most a few dozen characters). */
const MAX_LINE = 1024

export function stdinPinReader(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream): AskPin {
  const question = (p: PinPrompt): string =>
    `kyso agent: ${p.origin} yêu cầu ký bằng chứng thư "${p.subject}". ` +
    `Nhập mã PIN của thiết bị ký số (PIN for ${p.origin}): `
  if (stdin.isTTY) return (p, signal) => hiddenPrompt(stdin, stderr, question(p), signal)
  const lines = lineReader(stdin)
  return (p, signal) => {
    stderr.write(`${question(p)}\n`)
    return lines(signal)
  }
}

/**
 * Reads one line per call. What follows the line in the same chunk is kept for the next call, so
 * a script may write several PINs at once; stdin is paused between calls.
 */
function lineReader(stdin: NodeJS.ReadStream): (signal: AbortSignal) => Promise<string> {
  let buffered = ''
  return (signal) =>
    new Promise<string>((resolve, reject) => {
      const finish = (err: Error | undefined, line = ''): void => {
        stdin.off('data', onData)
        stdin.off('end', onEnd)
        signal.removeEventListener('abort', onAbort)
        stdin.pause()
        if (err) reject(err)
        else resolve(line)
      }
      const take = (): boolean => {
        const at = buffered.indexOf('\n')
        if (at < 0) {
          if (buffered.length <= MAX_LINE) return false
          buffered = ''
          finish(new PinNotEntered('dòng quá dài'))
          return true
        }
        const line = buffered.slice(0, at).replace(/\r$/, '')
        buffered = buffered.slice(at + 1)
        finish(undefined, line)
        return true
      }
      const onData = (chunk: Buffer | string): void => {
        buffered += chunk.toString()
        take()
      }
      const onEnd = (): void => finish(new PinNotEntered('stdin đã đóng'))
      const onAbort = (): void =>
        finish(signal.reason instanceof Error ? signal.reason : new PinNotEntered('hủy'))
      if (signal.aborted) return onAbort()
      if (take()) return
      if (stdin.readableEnded) return onEnd()
      stdin.on('data', onData)
      stdin.once('end', onEnd)
      signal.addEventListener('abort', onAbort, { once: true })
      stdin.resume()
    })
}

/** Raw mode, nothing echoed; Enter ends, Backspace deletes, Ctrl-C or Ctrl-D abandons. */
function hiddenPrompt(
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WritableStream,
  question: string,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pin = ''
    const finish = (err: Error | undefined): void => {
      stdin.off('data', onData)
      signal.removeEventListener('abort', onAbort)
      stdin.setRawMode(false)
      stdin.pause()
      stderr.write('\n')
      if (err) reject(err)
      else resolve(pin)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(undefined)
        if (ch === '\u0003' || ch === '\u0004') return finish(new PinNotEntered('hủy'))
        if (ch === '\u007f' || ch === '\b') pin = pin.slice(0, -1)
        else if (pin.length < MAX_LINE) pin += ch
      }
    }
    const onAbort = (): void =>
      finish(signal.reason instanceof Error ? signal.reason : new PinNotEntered('hủy'))
    if (signal.aborted) return onAbort()
    // Raw mode (echo off) before the question: keys typed as soon as it shows are not echoed.
    stdin.setRawMode(true)
    stderr.write(question)
    stdin.on('data', onData)
    signal.addEventListener('abort', onAbort, { once: true })
    stdin.resume()
  })
}
