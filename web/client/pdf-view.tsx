import type { JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { L } from './i18n.js'

/** pdf.js from node_modules (server/web.ts serves it at /vendor/pdfjs), loaded when a PDF is first shown. */
const PDFJS = '/vendor/pdfjs/pdf.min.mjs'

export interface PdfJs {
  GlobalWorkerOptions: { workerSrc: string }
  getDocument: (src: {
    url?: string
    data?: Uint8Array
    withCredentials: boolean
    standardFontDataUrl: string
    cMapUrl: string
    cMapPacked: boolean
    wasmUrl: string
    isEvalSupported: boolean
    verbosity: number
  }) => { promise: Promise<PdfDoc>; destroy: () => Promise<void> }
}
export interface PdfDoc {
  numPages: number
  getPage: (n: number) => Promise<PdfPage>
  destroy: () => Promise<void>
}
export interface Viewport {
  width: number
  height: number
  convertToViewportRectangle: (r: number[]) => number[]
  convertToPdfPoint: (x: number, y: number) => number[]
}
export interface PdfPage {
  getViewport: (o: { scale: number }) => Viewport
  render: (o: { canvasContext: CanvasRenderingContext2D; viewport: unknown; canvas: HTMLCanvasElement }) => {
    promise: Promise<void>
  }
}

let loading: Promise<PdfJs> | undefined
/** pdf.js, loaded once when a page first needs it. */
export function pdfjs(): Promise<PdfJs> {
  loading ??= (import(/* webpackIgnore: true */ PDFJS as string) as Promise<PdfJs>).then((m) => {
    m.GlobalWorkerOptions.workerSrc = '/vendor/pdfjs/pdf.worker.min.mjs'
    return m
  })
  return loading
}

/** What pdf.js opens: the PDF at a URL of ours (on the session cookie), or bytes in hand. */
export function sourceOf(src: string | Uint8Array): Parameters<PdfJs['getDocument']>[0] {
  const common = {
    withCredentials: true,
    standardFontDataUrl: '/vendor/pdfjs/standard_fonts/',
    cMapUrl: '/vendor/pdfjs/cmaps/',
    cMapPacked: true,
    wasmUrl: '/vendor/pdfjs/wasm/',
    isEvalSupported: false,
    verbosity: 0,
  }
  return typeof src === 'string' ? { url: src, ...common } : { data: src, ...common }
}

/**
 * The PDF itself, every page drawn to a canvas at the width of its column (and the device's pixel
 * ratio), re-drawn when the file (its version) changes.
 */
export function PdfView(props: { url: string; label: string }): JSX.Element {
  const host = useRef<HTMLDivElement>(null)
  const [state, setState] = useState<{ pages?: number; error?: string }>({})
  useEffect(() => {
    let cancelled = false
    let doc: PdfDoc | undefined
    const el = host.current
    if (!el) return undefined
    el.replaceChildren()
    setState({})
    void (async () => {
      try {
        const lib = await pdfjs()
        const task = lib.getDocument(sourceOf(props.url))
        doc = await task.promise
        if (cancelled) return
        setState({ pages: doc.numPages })
        const width = Math.max(280, el.clientWidth - 2)
        const ratio = window.devicePixelRatio || 1
        for (let n = 1; n <= doc.numPages && !cancelled; n++) {
          const page = await doc.getPage(n)
          const base = page.getViewport({ scale: 1 })
          const viewport = page.getViewport({ scale: (width / base.width) * ratio })
          const canvas = document.createElement('canvas')
          canvas.width = Math.floor(viewport.width)
          canvas.height = Math.floor(viewport.height)
          canvas.style.width = `${Math.floor(viewport.width / ratio)}px`
          canvas.setAttribute('role', 'img')
          canvas.setAttribute('aria-label', `${props.label} – ${L('trang', 'page')} ${n}/${doc.numPages}`)
          canvas.className = 'pdf-page'
          el.append(canvas)
          const ctx = canvas.getContext('2d')
          if (ctx) await page.render({ canvasContext: ctx, viewport, canvas }).promise
        }
        if (!cancelled) el.dataset.rendered = String(doc.numPages)
      } catch {
        if (!cancelled)
          setState({
            error: L(
              'Không hiển thị được tệp PDF này trong trình duyệt; hãy tải về để xem.',
              'This PDF cannot be shown in the browser; download it to read it.',
            ),
          })
      }
    })()
    return () => {
      cancelled = true
      void doc?.destroy()
    }
  }, [props.url])
  return (
    <div class="pdf">
      {state.pages === undefined && !state.error && (
        <div class="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          {L('Đang hiển thị văn bản…', 'Rendering the document…')}
        </div>
      )}
      {state.error && (
        <p class="error-note" role="alert">
          {state.error}
        </p>
      )}
      <div ref={host} class="pdf-pages" data-testid="pdf-pages" />
    </div>
  )
}
