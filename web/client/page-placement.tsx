import type { JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { L } from './i18n.js'
import { pdfjs, sourceOf, type PdfDoc, type Viewport } from './pdf-view.js'

/** [x, y, width, height] in PDF points, user space of the page (what the API speaks). */
export type PdfRect = [number, number, number, number]

interface Box {
  left: number
  top: number
  width: number
  height: number
}

/** A PDF rectangle as a box over the canvas (CSS pixels). */
function boxOf(viewport: Viewport, rect: PdfRect, ratio: number): Box {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = viewport.convertToViewportRectangle([
    rect[0],
    rect[1],
    rect[0] + rect[2],
    rect[1] + rect[3],
  ])
  return {
    left: Math.min(x1, x2) / ratio,
    top: Math.min(y1, y2) / ratio,
    width: Math.abs(x2 - x1) / ratio,
    height: Math.abs(y2 - y1) / ratio,
  }
}

/**
 * One page of a PDF drawn with pdf.js, and a box on it: where a signature will go (the PIN
 * dialog shows it before signing), or, with `onPick`, the box the drafter drags to fix a step's
 * place (the composer). The page's own rotation is pdf.js's business: the box is converted
 * through the same viewport, so it lands where the widget will.
 */
export function PagePlacement(props: {
  src: string | Uint8Array
  page: number
  rect?: PdfRect
  label: string
  onPick?: (page: number, rect: PdfRect) => void
}): JSX.Element {
  const host = useRef<HTMLDivElement>(null)
  const [state, setState] = useState<{ viewport?: Viewport; ratio: number; pages?: number; error?: boolean }>(
    { ratio: 1 },
  )
  const [page, setPage] = useState(props.page)
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number } | undefined>()
  useEffect(() => setPage(props.page), [props.page])
  useEffect(() => {
    let doc: PdfDoc | undefined
    let cancelled = false
    const el = host.current
    if (!el) return undefined
    void (async () => {
      try {
        doc = await (await pdfjs()).getDocument(
          sourceOf(typeof props.src === 'string' ? props.src : props.src.slice()),
        ).promise
        const p = await doc.getPage(Math.min(page, doc.numPages))
        // Small enough in the PIN dialog that the PIN field stays in view on a laptop screen.
        const room = el.parentElement?.clientWidth || 300
        const width = Math.min(props.onPick ? 420 : 300, Math.max(200, room - 2))
        const ratio = window.devicePixelRatio || 1
        const base = p.getViewport({ scale: 1 })
        const viewport = p.getViewport({ scale: (width / base.width) * ratio })
        const canvas = el.querySelector('canvas') ?? document.createElement('canvas')
        canvas.width = Math.floor(viewport.width)
        canvas.height = Math.floor(viewport.height)
        canvas.style.width = `${Math.floor(viewport.width / ratio)}px`
        if (!canvas.parentElement) el.prepend(canvas)
        const ctx = canvas.getContext('2d')
        if (ctx) await p.render({ canvasContext: ctx, viewport, canvas }).promise
        if (!cancelled) setState({ viewport, ratio, pages: doc.numPages })
      } catch {
        if (!cancelled) setState({ ratio: 1, error: true })
      }
    })()
    return () => {
      cancelled = true
      void doc?.destroy()
    }
  }, [props.src, page])
  /** Device pixels of the canvas per CSS pixel as it is laid out now (it may be shrunk to fit). */
  const scale = (): number => {
    const canvas = host.current?.querySelector('canvas')
    const shown = canvas?.getBoundingClientRect().width
    return canvas && shown ? canvas.width / shown : state.ratio
  }
  const at = (e: PointerEvent): [number, number] => {
    const r = (host.current as HTMLDivElement).getBoundingClientRect()
    return [e.clientX - r.left, e.clientY - r.top]
  }
  const finish = (): void => {
    const v = state.viewport
    if (!drag || !v || !props.onPick) return
    const k = scale()
    const [ax = 0, ay = 0] = v.convertToPdfPoint(
      Math.min(drag.x0, drag.x1) * k,
      Math.max(drag.y0, drag.y1) * k,
    )
    const [bx = 0, by = 0] = v.convertToPdfPoint(
      Math.max(drag.x0, drag.x1) * k,
      Math.min(drag.y0, drag.y1) * k,
    )
    const rect: PdfRect = [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)].map(
      (n) => Math.round(n * 100) / 100,
    ) as PdfRect
    setDrag(undefined)
    if (rect[2] >= 12 && rect[3] >= 12) props.onPick(page, rect)
  }
  const shown = drag
    ? {
        left: Math.min(drag.x0, drag.x1),
        top: Math.min(drag.y0, drag.y1),
        width: Math.abs(drag.x1 - drag.x0),
        height: Math.abs(drag.y1 - drag.y0),
      }
    : props.rect && state.viewport && page === props.page
      ? boxOf(state.viewport, props.rect, scale())
      : undefined
  return (
    <figure
      class="page-placement"
      data-testid="page-placement"
      data-ready={state.viewport ? 'true' : undefined}
    >
      <div
        ref={host}
        class={props.onPick ? 'page-canvas picking' : 'page-canvas'}
        role="img"
        aria-label={props.label}
        onPointerDown={
          props.onPick
            ? (e) => {
                const [x, y] = at(e)
                setDrag({ x0: x, y0: y, x1: x, y1: y })
              }
            : undefined
        }
        onPointerMove={
          props.onPick && drag
            ? (e) => {
                const [x, y] = at(e)
                setDrag({ ...drag, x1: x, y1: y })
              }
            : undefined
        }
        onPointerUp={props.onPick ? finish : undefined}
      >
        {shown && (
          <div
            class="placement-box"
            data-testid="placement-box"
            style={{
              left: `${shown.left}px`,
              top: `${shown.top}px`,
              width: `${shown.width}px`,
              height: `${shown.height}px`,
            }}
          />
        )}
      </div>
      <figcaption class="muted small">
        {state.error ? L('Không hiển thị được trang này.', 'This page cannot be shown.') : props.label}
        {props.onPick && (state.pages ?? 1) > 1 && (
          <span class="page-turn">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              ‹
            </button>{' '}
            {L('Trang', 'Page')} {page}/{state.pages}{' '}
            <button type="button" disabled={page >= (state.pages ?? 1)} onClick={() => setPage(page + 1)}>
              ›
            </button>
          </span>
        )}
      </figcaption>
    </figure>
  )
}
