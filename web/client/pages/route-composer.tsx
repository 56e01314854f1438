import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { DateInput, INVALID_DATE } from '../components.js'
import { actionLabel, L, roleLabel } from '../i18n.js'
import { PagePlacement, type PdfRect } from '../page-placement.js'

export interface StepSpec {
  action: 'approve' | 'sign' | 'seal'
  assignees: string[]
  rule?: 'all' | 'any'
  deadline?: string
  placement?: { page: number; rect: PdfRect }
}
export interface Directory {
  agency: { code: string; name: string }
  users: { username: string; fullName: string; title: string | null; roles: string[] }[]
  templates: { name: string; steps: StepSpec[] }[]
  procedures: { code: string; name: string }[]
}

const TEMPLATE_NAMES: Record<string, [string, string]> = {
  'cong-van-thuong': [
    'Công văn thông thường (2 trưởng phòng duyệt, giám đốc ký, văn thư đóng dấu)',
    'Ordinary letter (2 heads approve, director signs, clerk seals)',
  ],
  'mot-truong-phong': [
    'Một trưởng phòng duyệt, giám đốc ký, văn thư đóng dấu',
    'One head approves, director signs, clerk seals',
  ],
}

/** Who may be picked for an action: approvals by heads and leaders, signatures by leaders, seals by clerks. */
function candidates(dir: Directory, action: StepSpec['action']): Directory['users'] {
  const want = action === 'seal' ? ['clerk'] : action === 'sign' ? ['leader'] : ['head', 'leader']
  return dir.users.filter((u) => u.roles.some((r) => want.includes(r)))
}

/**
 * The route of a document: a template of the agency, or steps composed here (people, order, and
 * whether all or any one of several must act). The server checks it again on submit.
 */
export function RouteComposer(props: {
  directory: Directory
  busy: boolean
  submitLabel: string
  onSubmit: (route: { template: string } | { steps: StepSpec[] }) => void
  pdf?: string | Uint8Array | undefined
}): JSX.Element {
  const dir = props.directory
  const [mode, setMode] = useState<'template' | 'custom'>(dir.templates.length ? 'template' : 'custom')
  const [template, setTemplate] = useState(dir.templates[0]?.name ?? '')
  const [steps, setSteps] = useState<StepSpec[]>(
    dir.templates[0]?.steps.map((s) => ({ ...s, rule: s.rule ?? 'all' })) ?? [
      { action: 'sign', assignees: [], rule: 'all' },
    ],
  )
  const [error, setError] = useState<string | undefined>()
  // The step whose place is being chosen on the page (issue 12: a dragged box wins over the text's).
  const [picking, setPicking] = useState<number | undefined>()
  const name = (u: string): string => dir.users.find((x) => x.username === u)?.fullName ?? u
  const update = (i: number, patch: Partial<StepSpec>): void =>
    setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)))
  const move = (i: number, by: number): void => {
    const next = [...steps]
    const [s] = next.splice(i, 1)
    next.splice(i + by, 0, s as StepSpec)
    setSteps(next)
  }
  const submit = (e: Event): void => {
    e.preventDefault()
    if (mode === 'template') {
      if (!template) return setError(L('Chọn một quy trình.', 'Pick a route.'))
      setError(undefined)
      return props.onSubmit({ template })
    }
    const empty = steps.findIndex((s) => s.assignees.length === 0)
    if (!steps.length) return setError(L('Cần ít nhất một bước.', 'At least one step is needed.'))
    if (empty >= 0)
      return setError(L(`Bước ${empty + 1}: chọn người xử lý.`, `Step ${empty + 1}: pick who acts.`))
    const badDate = steps.findIndex((s) => s.deadline === INVALID_DATE)
    if (badDate >= 0)
      return setError(
        L(
          `Bước ${badDate + 1}: hạn xử lý không phải ngày (dd/mm/yyyy).`,
          `Step ${badDate + 1}: the deadline is not a date (dd/mm/yyyy).`,
        ),
      )
    setError(undefined)
    props.onSubmit({
      steps: steps.map((s) => ({
        action: s.action,
        assignees: s.assignees,
        rule: s.rule ?? 'all',
        ...(s.deadline && { deadline: new Date(`${s.deadline}T17:00:00+07:00`).toISOString() }),
        ...(s.placement && { placement: s.placement }),
      })),
    })
  }
  const chosen = dir.templates.find((t) => t.name === template)
  return (
    <form class="route" onSubmit={submit} noValidate>
      <fieldset class="segmented">
        <legend>{L('Quy trình trình ký', 'Route')}</legend>
        <label>
          <input
            type="radio"
            name="route-mode"
            checked={mode === 'template'}
            disabled={!dir.templates.length}
            onChange={() => setMode('template')}
          />{' '}
          {L('Theo mẫu của cơ quan', 'Agency template')}
        </label>
        <label>
          <input
            type="radio"
            name="route-mode"
            checked={mode === 'custom'}
            onChange={() => setMode('custom')}
          />{' '}
          {L('Tự chọn các bước', 'Compose steps')}
        </label>
      </fieldset>
      {mode === 'template' ? (
        <div class="field">
          <label for="route-template">{L('Mẫu quy trình', 'Template')}</label>
          <select id="route-template" value={template} onChange={(e) => setTemplate(e.currentTarget.value)}>
            {dir.templates.map((t) => (
              <option key={t.name} value={t.name}>
                {TEMPLATE_NAMES[t.name] ? L(...(TEMPLATE_NAMES[t.name] as [string, string])) : t.name}
              </option>
            ))}
          </select>
          {chosen && (
            <ol class="route-preview">
              {chosen.steps.map((s, i) => (
                <li key={i}>
                  <strong>{actionLabel(s.action)}</strong>:{' '}
                  {s.assignees.map(name).join(s.rule === 'any' ? L(' hoặc ', ' or ') : ', ')}
                </li>
              ))}
            </ol>
          )}
        </div>
      ) : (
        <ol class="step-editor">
          {steps.map((s, i) => (
            <li key={i} class="step-edit">
              <div class="step-edit-head">
                <strong>
                  {L('Bước', 'Step')} {i + 1}
                </strong>
                <label class="visually-hidden" for={`step-${i}-action`}>
                  {L('Việc', 'Action')}
                </label>
                <select
                  id={`step-${i}-action`}
                  value={s.action}
                  onChange={(e) =>
                    update(i, { action: e.currentTarget.value as StepSpec['action'], assignees: [] })
                  }
                >
                  {(['approve', 'sign', 'seal'] as const).map((a) => (
                    <option key={a} value={a}>
                      {actionLabel(a)}
                    </option>
                  ))}
                </select>
                <select
                  aria-label={L('Quy tắc', 'Rule')}
                  value={s.rule ?? 'all'}
                  onChange={(e) => update(i, { rule: e.currentTarget.value as 'all' | 'any' })}
                >
                  <option value="all">{L('Tất cả cùng xử lý', 'All must act')}</option>
                  <option value="any">{L('Một người là đủ', 'Any one is enough')}</option>
                </select>
                <DateInput
                  aria-label={L('Hạn xử lý (dd/mm/yyyy)', 'Deadline (dd/mm/yyyy)')}
                  value={s.deadline ?? ''}
                  onChange={(v) => update(i, { deadline: v ?? INVALID_DATE })}
                />
                <span class="step-tools">
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={L('Lên', 'Up')}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={L('Xuống', 'Down')}
                    disabled={i === steps.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={L('Xóa bước', 'Remove step')}
                    onClick={() => setSteps(steps.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </span>
              </div>
              <div class="people">
                {candidates(dir, s.action).map((u) => (
                  <label key={u.username} class="person">
                    <input
                      type="checkbox"
                      checked={s.assignees.includes(u.username)}
                      onChange={(e) =>
                        update(i, {
                          assignees: e.currentTarget.checked
                            ? [...s.assignees, u.username]
                            : s.assignees.filter((a) => a !== u.username),
                        })
                      }
                    />
                    <span>
                      {u.fullName}
                      <small>{u.title ?? u.roles.map(roleLabel).join(', ')}</small>
                    </span>
                  </label>
                ))}
              </div>
              {props.pdf !== undefined && (
                <div class="step-place">
                  <span class="small">
                    {s.placement
                      ? L(
                          `Vị trí ký: trang ${s.placement.page}, do bạn chọn`,
                          `Place: page ${s.placement.page}, chosen by you`,
                        )
                      : L('Vị trí ký: tìm theo văn bản', 'Place: found from the text')}
                  </span>
                  <button
                    type="button"
                    data-testid={`pick-place-${i}`}
                    onClick={() => setPicking(picking === i ? undefined : i)}
                  >
                    {picking === i ? L('Xong', 'Done') : L('Chọn vị trí trên trang', 'Choose on the page')}
                  </button>
                  {s.placement && (
                    <button
                      type="button"
                      class="icon-button"
                      aria-label={L('Bỏ vị trí đã chọn', 'Clear the chosen place')}
                      onClick={() => update(i, { placement: undefined })}
                    >
                      ×
                    </button>
                  )}
                  {picking === i && (
                    <PagePlacement
                      src={props.pdf}
                      page={s.placement?.page ?? 1}
                      {...(s.placement && { rect: s.placement.rect })}
                      label={L('Kéo để vẽ ô chữ ký', "Drag to draw the signature's box")}
                      onPick={(page, rect) => update(i, { placement: { page, rect } })}
                    />
                  )}
                </div>
              )}
            </li>
          ))}
          <li>
            <button
              type="button"
              onClick={() => setSteps([...steps, { action: 'approve', assignees: [], rule: 'all' }])}
            >
              {L('+ Thêm bước', '+ Add a step')}
            </button>
          </li>
        </ol>
      )}
      {error && (
        <p class="error-note" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-foot">
        <button type="submit" class="primary" disabled={props.busy} data-testid="submit-route">
          {props.busy ? L('Đang gửi…', 'Sending…') : props.submitLabel}
        </button>
      </div>
    </form>
  )
}
