/**
 * What the sign dialog finds on the official's computer (issue 11): `kyso agent` (a USB token, no
 * vendor plugin) and the VGCA signing plugin. Nothing here runs on page load: the dialog calls it
 * when it opens. Every failure to find a tool is caught and becomes "not found", silently.
 */
import { ApiError } from './api.js'
import type { AgentReply } from './agent-worker.js'
import { L } from './i18n.js'

/** A certificate with its private key on the token, as `GET {agent}/v1/certificates` lists it. */
export interface AgentCertificate {
  /** CKA_ID, hex: what /v1/sign names. */
  id: string
  label: string
  /** Base64 DER. */
  certificate: string
  subject: string
  notAfter: string
}

let worker: Worker | undefined
let nextId = 0
const pending = new Map<number, (reply: AgentReply | undefined) => void>()

function settle(id: number, reply: AgentReply | undefined): void {
  pending.get(id)?.(reply)
  pending.delete(id)
}

/** One request to the agent, made by the worker (agent-worker.ts says why); undefined: not reachable. */
function agentCall(
  url: string,
  method: 'GET' | 'POST',
  timeoutMs: number,
  body?: unknown,
): Promise<AgentReply | undefined> {
  try {
    if (!worker) {
      worker = new Worker('/app/agent-worker.js', { type: 'module' })
      worker.onmessage = (e: MessageEvent<AgentReply>) => settle(e.data.id, e.data)
      // A worker that cannot start answers nothing: every waiting call ends as "not reachable".
      worker.onerror = (e) => {
        e.preventDefault()
        worker = undefined
        for (const id of [...pending.keys()]) settle(id, undefined)
      }
    }
    const id = ++nextId
    const reply = new Promise<AgentReply | undefined>((resolve) => {
      pending.set(id, resolve)
      // Whatever happens in the worker, the caller hears back shortly after the timeout.
      setTimeout(() => settle(id, undefined), timeoutMs + 2000)
    })
    worker.postMessage({ id, url, method, timeoutMs, ...(body !== undefined && { body }) })
    return reply
  } catch {
    return Promise.resolve(undefined)
  }
}

const okBody = (r: AgentReply | undefined): Record<string, unknown> | undefined =>
  r && 'status' in r && r.status === 200 && typeof r.body === 'object' && r.body !== null
    ? (r.body as Record<string, unknown>)
    : undefined

/** The agent and its token's certificates, or undefined when no agent answers (quickly) for this page. */
export async function findAgent(agentUrl: string): Promise<{ certificates: AgentCertificate[] } | undefined> {
  const info = okBody(await agentCall(`${agentUrl}/v1/info`, 'GET', 1500))
  if (info?.agent !== 'kyso-agent') return undefined
  const list = okBody(await agentCall(`${agentUrl}/v1/certificates`, 'GET', 10_000))
  const certificates = Array.isArray(list?.certificates) ? (list.certificates as AgentCertificate[]) : []
  return { certificates }
}

/** Refusals of the agent, for a person (its codes: cli/agent-server.ts). */
const AGENT_ERRORS: Record<string, [string, string]> = {
  PIN_INCORRECT: [
    'Mã PIN của USB token không đúng. Bấm Ký để thử lại (nhập sai nhiều lần, token sẽ bị khóa).',
    'Wrong token PIN. Press Sign to try again (too many wrong PINs lock the token).',
  ],
  PIN_NOT_ENTERED: [
    'Chưa nhập mã PIN tại cửa sổ Kyso Agent (đã hủy hoặc hết thời gian chờ). Bấm Ký để thử lại.',
    'No PIN was typed at the Kyso Agent window (cancelled or timed out). Press Sign to try again.',
  ],
  PIN_LOCKED: [
    'USB token đã bị khóa do nhập sai mã PIN quá nhiều lần. Hãy liên hệ nơi cấp chứng thư số để mở khóa.',
    'The token is locked after too many wrong PINs. Ask the certificate issuer to unlock it.',
  ],
  KEY_NOT_FOUND: [
    'Không thấy khóa ký của chứng thư này trên USB token đang cắm.',
    "This certificate's key is not on the plugged-in token.",
  ],
  TOKEN_NOT_FOUND: [
    'Không thấy USB token. Hãy cắm token vào máy rồi thử lại.',
    'No token found. Plug it in and try again.',
  ],
}

export class AgentFailure extends Error {
  constructor(readonly code: string) {
    super(code)
  }
}

export function agentMessage(err: AgentFailure): string {
  if (err.code === 'UNREACHABLE') {
    return L(
      'Không kết nối được Kyso Agent. Hãy kiểm tra Kyso Agent còn chạy trên máy này.',
      'Kyso Agent cannot be reached. Check that it still runs on this computer.',
    )
  }
  const known = AGENT_ERRORS[err.code]
  return known
    ? L(...known)
    : L(
        'USB token hoặc Kyso Agent gặp lỗi. Hãy rút token ra, cắm lại rồi thử lại.',
        'The token or Kyso Agent failed. Replug the token and try again.',
      )
}

/** The token signs the signed attributes once its PIN is typed at the agent (its own window, never here). */
export async function agentSign(agentUrl: string, keyId: string, signedAttributes: string): Promise<string> {
  // The agent waits up to its PIN timeout (120 s by default) for the person.
  const reply = await agentCall(`${agentUrl}/v1/sign`, 'POST', 300_000, {
    certificateId: keyId,
    data: signedAttributes,
    digestAlgorithm: 'SHA-256',
  })
  const body = okBody(reply)
  if (typeof body?.signature === 'string') return body.signature
  if (!reply || !('status' in reply)) throw new AgentFailure('UNREACHABLE')
  const code = (reply.body as { error?: { code?: unknown } } | undefined)?.error?.code
  throw new AgentFailure(typeof code === 'string' ? code : 'INTERNAL')
}

/**
 * The VGCA signing plugin (Ban Cơ yếu Chính phủ), the shape agencies' document systems use:
 * the agency serves its `vgcaplugin.js`; that script defines global functions which hand a JSON
 * string of parameters to the VGCA signing service on the official's computer (over a WebSocket
 * on loopback) and call back with a JSON string `{Status, Message, FileServer}`. The service
 * downloads `FileName`, lets the official pick their certificate and type the token PIN in its
 * own window, draws its own appearance, posts the signed file to `FileUploadHandler` (multipart)
 * and gives back, as `FileServer`, the text that URL answered. Kyso calls exactly two of them:
 * - `vgca_sign_approved(params, callback)` to approve or sign (the personal signature);
 * - `vgca_sign_issued(params, callback)` for the seal at issuance, with `DocNumber` (số, ký hiệu)
 *   and `IssuedDate`, which the plugin writes into its seal appearance.
 * Both URLs carry a file ticket (POST /api/steps/:id/file-ticket) because the service has no
 * session cookie; `SessionId` and `JWTToken` stay empty for the same reason. A seal's number and
 * date (and a comment) ride in the upload URL's query, since the service posts only the file.
 */
export interface VgcaParams {
  FileUploadHandler: string
  SessionId: ''
  JWTToken: ''
  FileName: string
  DocNumber?: string
  IssuedDate?: string
}

export type VgcaFunction = 'vgca_sign_approved' | 'vgca_sign_issued'
type VgcaSign = (params: string, callback: (result: string) => void) => void

export interface Issuance {
  outgoingNumber?: string
  /** YYYY-MM-DD. */
  outgoingDate?: string
  comment?: string
}

/** The plugin call for a step: which function, and its parameters (absolute URLs of this origin). */
export function vgcaCall(
  ticket: { toSignUrl: string; signedFileUrl: string },
  origin: string,
  seal: boolean,
  issuance: Issuance,
): { fn: VgcaFunction; params: VgcaParams } {
  const upload = new URL(ticket.signedFileUrl, origin)
  for (const [k, v] of Object.entries(issuance)) if (v) upload.searchParams.set(k, v)
  const params: VgcaParams = {
    FileUploadHandler: upload.href,
    SessionId: '',
    JWTToken: '',
    FileName: new URL(ticket.toSignUrl, origin).href,
  }
  if (!seal) return { fn: 'vgca_sign_approved', params }
  return {
    fn: 'vgca_sign_issued',
    params: {
      ...params,
      DocNumber: issuance.outgoingNumber ?? '',
      ...(issuance.outgoingDate && { IssuedDate: `${issuance.outgoingDate}T00:00:00+07:00` }),
    },
  }
}

let pluginLoad: { url: string; loaded: Promise<boolean> } | undefined

const pluginFunction = (fn: VgcaFunction): VgcaSign | undefined => {
  const f: unknown = (window as unknown as Record<string, unknown>)[fn]
  return typeof f === 'function' ? (f as VgcaSign) : undefined
}

/** Loads the plugin's script once per page; true when its signing function is there. */
export function findVgcaPlugin(url: string): Promise<boolean> {
  if (pluginLoad?.url !== url) {
    const loaded = new Promise<boolean>((resolve) => {
      try {
        const script = document.createElement('script')
        script.src = url
        script.async = true
        script.onload = () => resolve(true)
        script.onerror = () => resolve(false)
        document.head.append(script)
      } catch {
        resolve(false)
      }
    })
    pluginLoad = { url, loaded }
  }
  return pluginLoad.loaded.then((ok) => ok && pluginFunction('vgca_sign_approved') !== undefined)
}

export class VgcaFailure extends Error {}

/**
 * Runs one plugin call and resolves with what Kyso answered the plugin's upload (FileServer): a
 * signed step, or the refusal as an ApiError. A plugin error (Status not 0) is a VgcaFailure.
 */
export function signWithVgca(call: { fn: VgcaFunction; params: VgcaParams }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sign = pluginFunction(call.fn)
    if (!sign)
      return reject(
        new VgcaFailure(L('Không thấy plugin ký số VGCA trên trang.', 'The VGCA plugin is not on the page.')),
      )
    const done = (text: string): void => {
      let result: { Status?: unknown; Message?: unknown; FileServer?: unknown }
      try {
        result = JSON.parse(text) as typeof result
      } catch {
        return reject(
          new VgcaFailure(
            L('Plugin VGCA trả lời không đọc được.', "The VGCA plugin's answer cannot be read."),
          ),
        )
      }
      if (result.Status !== 0) {
        const why =
          typeof result.Message === 'string' && result.Message
            ? result.Message
            : `Status ${String(result.Status)}`
        return reject(new VgcaFailure(L(`Plugin VGCA báo lỗi: ${why}`, `The VGCA plugin failed: ${why}`)))
      }
      let answer: unknown
      try {
        answer = JSON.parse(typeof result.FileServer === 'string' ? result.FileServer : '')
      } catch {
        return reject(
          new VgcaFailure(
            L(
              'Plugin VGCA không chuyển lại trả lời của Kyso.',
              "The VGCA plugin did not pass Kyso's answer back.",
            ),
          ),
        )
      }
      const error = (answer as { error?: { code?: string; message?: string } }).error
      if (error) return reject(new ApiError(422, error.code ?? 'BAD_REQUEST', error.message ?? ''))
      resolve(answer)
    }
    try {
      sign(JSON.stringify(call.params), done)
    } catch {
      reject(new VgcaFailure(L('Plugin VGCA không chạy được.', 'The VGCA plugin could not run.')))
    }
  })
}

/** Saves a file the page fetched (the PDF to sign) through the browser's download. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** The common name of a subject ("CN=Võ Minh Thành, O=..." gives "Võ Minh Thành"), else the whole subject. */
export function commonName(subject: string): string {
  return /(?:^|[,/\n]\s*)CN=([^,/\n]+)/.exec(subject)?.[1]?.trim() ?? subject
}

/** How a signature was made (documents' keySource), for a person. */
export function keySourceLabel(keySource: string): string {
  if (keySource.startsWith('remote:'))
    return L(`Ký từ xa: ${keySource.slice(7)}`, `Remote signing: ${keySource.slice(7)}`)
  const labels: Record<string, [string, string]> = {
    internal: ['Khóa do Kyso giữ', 'Key held by Kyso'],
    agent: ['USB token (Kyso Agent)', 'USB token (Kyso Agent)'],
    'signed-file': ['Tệp ký bằng công cụ khác', 'File signed in another tool'],
    'two-phase': ['Ký hai bước', 'Two-phase signing'],
  }
  const known = labels[keySource]
  return known ? L(...known) : keySource
}
