import path from 'node:path'

/**
 * The part of Mozilla's pdf.js (pdfjs-dist, the renderer the web interface already ships) that the
 * layout reader uses, typed here rather than through pdf.js's own declarations: four calls and the
 * shapes of what they return.
 */
export interface PdfJsTextItem {
  str?: string
  transform?: number[]
  width?: number
  height?: number
  fontName?: string
}

export interface PdfJsAnnotation {
  rect?: number[]
  annotationFlags?: number
  subtype?: string
  hasAppearance?: boolean
}

export interface PdfJsPage {
  view: number[]
  rotate: number
  getTextContent(opts?: { disableNormalization?: boolean }): Promise<{ items: PdfJsTextItem[] }>
  getOperatorList(opts?: {
    intent?: string
    annotationMode?: number
  }): Promise<{ fnArray: number[]; argsArray: unknown[] }>
  getAnnotations(opts?: { intent?: string }): Promise<PdfJsAnnotation[]>
  cleanup(): boolean
}

export interface PdfJsDocument {
  numPages: number
  getPage(n: number): Promise<PdfJsPage>
  destroy(): Promise<void>
}

export interface PdfJs {
  getDocument(src: Record<string, unknown>): { promise: Promise<PdfJsDocument>; destroy(): Promise<void> }
  OPS: Record<string, number>
  AnnotationMode: Record<string, number>
}

let loading: Promise<PdfJs> | undefined

/**
 * pdf.js is an ES module and Kyso is CommonJS: it is loaded with a dynamic import, once, and only
 * when a layout is read (about 100 ms), so signing and verifying never pay for it. In Node its
 * "fake worker" runs the parser in this thread, which is what the isolation worker wants.
 */
export function loadPdfJs(): Promise<PdfJs> {
  const specifier = 'pdfjs-dist/legacy/build/pdf.mjs'
  loading ??= (import(specifier) as Promise<unknown>).then((m) => m as PdfJs)
  return loading
}

const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'))

/**
 * Opens a document with everything that could reach outside the process turned off: no eval, no
 * system fonts, no font faces; the standard fonts and CMaps come from the package itself.
 */
export async function openWithPdfJs(pdf: Uint8Array): Promise<PdfJsDocument> {
  const lib = await loadPdfJs()
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const data = new Uint8Array(pdf)
  const task = lib.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    stopAtErrors: false,
    verbosity: 0,
    standardFontDataUrl: `${path.join(PDFJS_DIR, 'standard_fonts')}/`,
    cMapUrl: `${path.join(PDFJS_DIR, 'cmaps')}/`,
    cMapPacked: true,
  })
  return task.promise
}
