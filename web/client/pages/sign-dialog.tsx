import type { JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from '../api.js'
import { DateInput, Dialog, Field, INVALID_DATE, Link } from '../components.js'
import { todayVn } from '../format.js'
import { L } from '../i18n.js'
import type { SigningTools } from '../main.js'
import {
  commonName,
  findAgent,
  findVgcaPlugin,
  type AgentCertificate,
  type Issuance,
} from '../signing-tools.js'
import { AgentPanel, FilePanel, PinPanel, RemotePanel, VgcaPanel, type PanelProps } from './sign-ways.js'

/** A certificate of mine, as GET /api/me/signing-certificates answers. */
export interface SigningCertificate {
  id: number
  kind: 'personal' | 'seal'
  source: 'internal' | 'external'
  status: 'pending' | 'active' | 'rejected' | 'revoked'
  subject: string
  notAfter: string
  remote: { provider: string; credentialId: string } | null
  /** Base64 DER. */
  certificate: string
}

type Way = 'pin' | 'agent' | 'vgca' | 'remote' | 'file'

/** What the dialog looked for when it opened; undefined while still looking. */
interface Found {
  /** null: the list could not be loaded (the PIN way stays, as before issue 11). */
  certificates?: SigningCertificate[] | null
  agent?: { certificates: AgentCertificate[] } | null
  vgca?: boolean
}

/** Looks for the certificates, the agent and the plugin once, when the dialog opens. */
function useFound(tools: SigningTools | undefined): Found {
  const [found, setFound] = useState<Found>({})
  useEffect(() => {
    let live = true
    const merge = (part: Found): void => {
      if (live) setFound((f) => ({ ...f, ...part }))
    }
    api.get<SigningCertificate[]>('/api/me/signing-certificates').then(
      (c) => merge({ certificates: c }),
      () => merge({ certificates: null }),
    )
    if (tools)
      findAgent(tools.agentUrl).then(
        (agent) => merge({ agent: agent ?? null }),
        () => merge({ agent: null }),
      )
    else merge({ agent: null })
    if (tools?.vgcaPluginUrl)
      findVgcaPlugin(tools.vgcaPluginUrl).then(
        (ok) => merge({ vgca: ok }),
        () => merge({ vgca: false }),
      )
    else merge({ vgca: false })
    return () => {
      live = false
    }
  }, [])
  return found
}

interface Options {
  ways: { way: Way; label: string; detail: string }[]
  agentKeys: { keyId: string; cert: SigningCertificate }[]
  remote: SigningCertificate[]
  notes: { text: string; certificatesPage?: boolean }[]
  looking: boolean
}

/** The ways that apply to this step and this person, from what was found. */
function optionsFor(found: Found, seal: boolean, tools: SigningTools | undefined): Options {
  const kind = seal ? 'seal' : 'personal'
  const mine = (found.certificates ?? []).filter((c) => c.kind === kind && c.status === 'active')
  const internal = mine.filter((c) => c.source === 'internal' && new Date(c.notAfter) > new Date())
  const external = mine.filter((c) => c.source === 'external')
  const local = external.filter((c) => !c.remote)
  const agentKeys = (found.agent?.certificates ?? []).flatMap((a) => {
    const cert = local.find((c) => c.certificate === a.certificate)
    return cert ? [{ keyId: a.id, cert }] : []
  })
  const remote = external.filter((c) => c.remote && tools?.remoteProviders.includes(c.remote.provider))
  const ways: Options['ways'] = []
  if (!found.certificates || internal.length > 0 || external.length === 0) {
    ways.push({
      way: 'pin',
      label: L('Mã PIN', 'PIN'),
      detail: L('Khóa ký do Kyso giữ', 'A key Kyso holds for you'),
    })
  }
  if (agentKeys.length > 0) {
    ways.push({
      way: 'agent',
      label: L('USB token qua Kyso Agent', 'USB token through Kyso Agent'),
      detail: commonName(agentKeys[0]?.cert.subject ?? ''),
    })
  }
  if (found.vgca && local.length > 0) {
    ways.push({
      way: 'vgca',
      label: L('Plugin ký số VGCA', 'VGCA signing plugin'),
      detail: L(
        'Phần mềm ký số của Ban Cơ yếu Chính phủ trên máy này',
        "The Government Cipher Committee's signing software on this computer",
      ),
    })
  }
  if (remote.length > 0) {
    const providers = [...new Set(remote.map((c) => c.remote?.provider))].join(', ')
    ways.push({
      way: 'remote',
      label: L('Ký từ xa (điện thoại)', 'Remote signing (phone)'),
      detail: L(`Xác nhận trên điện thoại · ${providers}`, `Confirm on your phone · ${providers}`),
    })
  }
  if (external.length > 0) {
    ways.push({
      way: 'file',
      label: L('Tải về để ký bằng công cụ khác', 'Download and sign in another tool'),
      detail: L('Tải văn bản về, ký, rồi tải tệp đã ký lên', 'Download, sign, upload the signed file'),
    })
  }
  const looking = found.certificates === undefined || found.agent === undefined || found.vgca === undefined
  const notes: Options['notes'] = []
  if (found.certificates && external.length === 0) {
    const text = L(
      'Muốn ký bằng USB token, điện thoại hoặc công cụ khác? Hãy đăng ký chứng thư số đó trước.',
      'To sign with a USB token, a phone or another tool, register that certificate first.',
    )
    notes.push({ text, certificatesPage: true })
  } else if (local.length > 0 && found.agent === null) {
    notes.push({
      text: L(
        'Không thấy Kyso Agent trên máy này: muốn ký bằng USB token, hãy mở Kyso Agent rồi mở lại hộp thoại.',
        'Kyso Agent is not running here: to sign with a USB token, start it and open this dialog again.',
      ),
    })
  } else if (local.length > 0 && found.agent && agentKeys.length === 0) {
    notes.push({
      text: L(
        'Kyso Agent đang chạy nhưng USB token đang cắm không có chứng thư số đã được duyệt của bạn.',
        'Kyso Agent runs, but the plugged-in token has none of your approved certificates.',
      ),
    })
  }
  return { ways, agentKeys, remote, notes, looking }
}

function doneMessage(action: string): string {
  if (action === 'seal') return L('Đã đóng dấu và phát hành văn bản.', 'Sealed and issued.')
  return action === 'approve'
    ? L('Đã duyệt và ký số.', 'Approved and signed.')
    : L('Đã ký số văn bản.', 'Signed.')
}

/**
 * The sign dialog: approve, sign or seal with a PIN (a key Kyso holds), or with a key Kyso never
 * holds (issue 11): a USB token through kyso agent, the VGCA plugin, a remote provider, or a file
 * signed in another tool. For a seal, the outgoing number and date apply to every way.
 */
export function SignDialog(props: {
  action: string
  stepId: number
  tools: SigningTools | undefined
  onClose: () => void
  onDone: (m: string) => void
  /** Where the signature will go: the page with the box (issue 12). */
  preview?: JSX.Element | undefined
}): JSX.Element {
  const seal = props.action === 'seal'
  const [comment, setComment] = useState('')
  const [number, setNumber] = useState('')
  const [date, setDate] = useState(todayVn())
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [chosen, setChosen] = useState<Way | undefined>()
  const live = useRef(true)
  useEffect(() => () => void (live.current = false), [])
  const found = useFound(props.tools)
  const o = optionsFor(found, seal, props.tools)
  const way = o.ways.find((w) => w.way === chosen)?.way ?? o.ways[0]?.way ?? 'pin'

  /** The fields every way carries, or undefined (errors shown) when a seal's are missing. */
  const issuance = (): Issuance | undefined => {
    const wrong: Record<string, string> = {}
    if (seal && (!date || date === INVALID_DATE))
      wrong.date = L('Nhập ngày ban hành (dd/mm/yyyy).', 'Enter the issue date (dd/mm/yyyy).')
    setErrors(wrong)
    if (Object.keys(wrong).length) return undefined
    return {
      ...(comment.trim() && { comment: comment.trim() }),
      // Issue 13: an empty number takes the register's next one; the date is today unless changed.
      ...(seal && number.trim() && { outgoingNumber: number.trim() }),
      ...(seal && { outgoingDate: date }),
    }
  }
  const title = seal
    ? L('Đóng dấu và phát hành', 'Seal and issue')
    : props.action === 'approve'
      ? L('Duyệt văn bản', 'Approve')
      : L('Ký số văn bản', 'Sign')
  const panel: PanelProps = {
    stepId: props.stepId,
    seal,
    title,
    issuance,
    live,
    onClose: props.onClose,
    onDone: () => props.onDone(doneMessage(props.action)),
  }
  return (
    <Dialog title={title} onClose={props.onClose}>
      <div class="dialog-body" data-testid="sign-dialog" data-way={way}>
        {props.preview}
        <p class="muted small">
          {L(
            'Chữ ký số được thêm vào văn bản như một phiên bản mới; các chữ ký trước vẫn giữ nguyên giá trị.',
            'The signature is appended as a new revision; earlier signatures stay valid.',
          )}
        </p>
        {seal && (
          <div class="two">
            <Field
              id="sign-number"
              label={L(
                'Số, ký hiệu (để trống: số tiếp theo trong sổ)',
                "Outgoing number (empty: the register's next)",
              )}
              error={errors.number}
            >
              <input
                id="sign-number"
                value={number}
                placeholder={L('Số tiếp theo trong sổ', 'Next in the register')}
                onInput={(e) => setNumber(e.currentTarget.value)}
                aria-invalid={Boolean(errors.number)}
              />
            </Field>
            <Field id="sign-date" label={L('Ngày ban hành', 'Issue date')} error={errors.date}>
              <DateInput
                id="sign-date"
                value={date}
                onChange={(v) => setDate(v ?? INVALID_DATE)}
                invalid={Boolean(errors.date)}
              />
            </Field>
          </div>
        )}
        <Field id="sign-comment" label={L('Ý kiến (không bắt buộc)', 'Comment (optional)')}>
          <textarea
            id="sign-comment"
            rows={2}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
        </Field>
        <WayChoice options={o} way={way} onChoose={setChosen} />
        {way === 'pin' && <PinPanel {...panel} />}
        {way === 'agent' && props.tools && (
          <AgentPanel {...panel} agentUrl={props.tools.agentUrl} keys={o.agentKeys} />
        )}
        {way === 'vgca' && <VgcaPanel {...panel} />}
        {way === 'remote' && <RemotePanel {...panel} certificates={o.remote} />}
        {way === 'file' && <FilePanel {...panel} />}
      </div>
    </Dialog>
  )
}

function WayChoice(props: { options: Options; way: Way; onChoose: (w: Way) => void }): JSX.Element | null {
  const { ways, notes, looking } = props.options
  return (
    <>
      {ways.length > 1 && (
        <fieldset class="ways" data-testid="sign-ways">
          <legend>{L('Cách ký số', 'How to sign')}</legend>
          {ways.map((w) => (
            <label key={w.way} class={w.way === props.way ? 'on' : ''} data-way={w.way}>
              <input
                type="radio"
                name="sign-way"
                value={w.way}
                checked={w.way === props.way}
                onChange={() => props.onChoose(w.way)}
              />
              <span>
                {w.label}
                <small>{w.detail}</small>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {looking && (
        <p class="probe muted small" role="status" data-testid="sign-looking">
          <span class="spinner" aria-hidden="true" />
          {L('Đang tìm các cách ký khác trên máy này…', 'Looking for other ways to sign on this computer…')}
        </p>
      )}
      {!looking &&
        notes.map((n) => (
          <p key={n.text} class="probe muted small" data-testid="sign-note">
            {n.text}{' '}
            {n.certificatesPage && (
              <Link href="/certificates">{L('Mở trang Chứng thư số', 'Open the Certificates page')}</Link>
            )}
          </p>
        ))}
    </>
  )
}
