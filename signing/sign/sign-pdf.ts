import { buildAppearance, defaultSize, type AppearanceSpec, type SigningMarker } from '../appearance'
import { buildPadesSignature, padesSignedAttributes } from '../cms'
import { checkSignerCertificate, type ParsedCrl } from '../pki'
import { SigningError } from '../errors'
import type { KeySource } from '../keys/key-source'
import { PdfDocument } from '../pdf/document'
import { IncrementalUpdate } from '../pdf/incremental'
import { PdfDict, PdfStream, PdfString, name, textString, type PdfRef, type PdfValue } from '../pdf/objects'
import {
  addFieldToAcroForm,
  addWidgetToPage,
  assertChangesPermitted,
  existingFieldNames,
  uniqueFieldName,
} from './form'
import { contains, rectToDisplay, uprightMatrix } from '../layout/geometry'
import { defaultRect, pageGeometry, signatureRects, type Rect } from './placement'
import { pdfDate } from './pdf-date'
import { subjectOf } from './appearance-from-certificate'
import { digestRanges, writeByteRange, writeContents, type PreparedSignature } from './fill'

export interface VisibleAppearance {
  kind: AppearanceSpec['kind']
  title?: string
  marker?: SigningMarker
  principalTitle?: string
  organisation?: string
  imagePng?: Buffer
  /** stamp: its lines (an electronic copy's "SAO Y", the organisation, the time). */
  lines?: string[]
}

export interface SignPdfOptions {
  keySource: KeySource
  /** Claimed signing time, written as /M (PAdES B-B has no signing-time attribute). Default: now. */
  signingTime?: Date
  reason?: string
  location?: string
  contactInfo?: string
  /** Defaults to the certificate's common name. */
  signerName?: string
  /** A visible appearance, or 'invisible'. Default: a personal appearance (seal for seal certificates is the caller's choice). */
  appearance?: VisibleAppearance | 'invisible'
  /** 1-based page; default the last page. */
  page?: number
  /**
   * Explicit rectangle in user space (the page's own coordinates, before /Rotate), inside the crop
   * box; default placement otherwise. The appearance is drawn upright whatever the rotation.
   */
  rect?: Rect
  /** B-T: returns an RFC 3161 token over the signature value. */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>
  /** Bytes reserved for the CMS; default sized from the certificates (at least 16 KB). */
  reserveBytes?: number
  fieldName?: string
  /**
   * Makes this a certification signature (ISO 32000-2 §12.8.2.2, DocMDP): 1 no changes, 2 form
   * filling and signing, 3 also annotations. Only the first signature of a document may certify.
   */
  certify?: 1 | 2 | 3
  /** FieldMDP (§12.8.2.4): form fields this signature locks against later changes, or 'all'. */
  lockFields?: string[] | 'all'
  /**
   * The signer's certificate is always checked before anything is signed (validity at the signing
   * time, key usage); with CRLs it is also checked for revocation. Without them the caller must
   * tell the user that revocation was not checked.
   */
  revocation?: { crls: ParsedCrl[]; issuers?: Buffer[] }
  /**
   * Further changes written in the signature's own revision, so that the signature covers them
   * (e.g. what a records clerk fills in at issuance). Called after the signature's objects exist.
   */
  alsoWrite?: (upd: IncrementalUpdate, doc: PdfDocument) => void
}

export interface SignPdfResult {
  pdf: Buffer
  fieldName: string
  byteRange: [number, number, number, number]
  signingTime: Date
  /** Where the visible appearance went: 1-based page and rectangle (zero size when invisible). */
  page: number
  rect: Rect
}

/** The certificate side of a signer: what the CMS names, without the key (which may be elsewhere). */
export type SignerIdentity = Pick<KeySource, 'certificate' | 'chain' | 'keyAlgorithm'>

export interface PrepareOptions extends Omit<SignPdfOptions, 'keySource' | 'timestamp'> {
  signer: SignerIdentity
  /** Reserve room for an RFC 3161 token (B-T) to be added when the signature is completed. */
  timestamped?: boolean
}

/**
 * A signature revision written and hashed, waiting for its signature value: everything a key held
 * elsewhere (a USB token, a remote-signing service, the signer's own tool) needs, and everything
 * needed to finish the file afterwards. Plain data, so it can be kept between two requests.
 */
export interface PreparedPdfSignature {
  /** The whole new file with a zero-filled /Contents. */
  pdf: Buffer
  placed: PreparedSignature
  /** DER SET OF the CMS signed attributes: exactly the bytes the key signs (RFC 5652 §5.4). */
  signedAttributes: Buffer
  fieldName: string
  signingTime: Date
  page: number
  rect: Rect
}

function reserveFor(opts: PrepareOptions): number {
  if (opts.reserveBytes) return opts.reserveBytes
  const certs = opts.signer.certificate.length + opts.signer.chain.reduce((n, c) => n + c.length, 0)
  const tsa = opts.timestamped ? 6144 + certs : 0
  return Math.max(16384, Math.ceil((certs + tsa + 4096) / 1024) * 1024)
}

/**
 * Signs `pdf` with one PAdES signature appended as a new revision: the first `pdf.length` bytes of
 * the result are exactly the input. Steps:
 *  1. prepare: read the document (xref chain only), refuse what cannot be signed safely, write
 *     the revision (signature dictionary with a placeholder, appearance, field/widget, page
 *     /Annots, AcroForm), fill /ByteRange and hash the two ranges where they lie;
 *  2. sign the signed attributes with the key source;
 *  3. complete: build the PAdES CMS and write it into /Contents, in place (see README "Why not
 *     SignPdf.sign": it copied the file three times and scanned it whole, which cost more than
 *     the hash on a 20 MB file).
 */
export async function signPdf(pdf: Buffer, opts: SignPdfOptions): Promise<SignPdfResult> {
  const { keySource, timestamp, ...rest } = opts
  const prepared = preparePdfSignature(pdf, {
    ...rest,
    signer: keySource,
    timestamped: timestamp !== undefined,
  })
  const signatureValue = await keySource.sign(prepared.signedAttributes)
  return completePdfSignature(prepared, {
    signer: keySource,
    signatureValue,
    ...(timestamp && { timestamp }),
  })
}

/** Step 1 of `signPdf`, for a key that signs elsewhere (two-phase signing). */
export function preparePdfSignature(pdf: Buffer, opts: PrepareOptions): PreparedPdfSignature {
  const doc = new PdfDocument(pdf)
  assertChangesPermitted(doc)
  const signingTime = opts.signingTime ?? new Date()
  const revocation = opts.revocation && {
    crls: opts.revocation.crls,
    ...(opts.revocation.issuers && { issuers: opts.revocation.issuers }),
  }
  checkSignerCertificate(opts.signer.certificate, { now: signingTime, ...revocation })
  const subject = subjectOf(opts.signer.certificate)
  const signerName = (opts.signerName ?? subject.CN ?? 'Unknown').normalize('NFC')

  const pageCount = doc.pageCount()
  const pageIndex = opts.page !== undefined ? opts.page - 1 : pageCount - 1
  if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= pageCount) {
    throw new SigningError(
      'PDF_PAGE_NOT_FOUND',
      `page ${opts.page} does not exist (the document has ${pageCount})`,
    )
  }
  const pageRef = doc.pageRef(pageIndex)
  const page = doc.dict(pageRef)
  if (!page) throw new SigningError('PDF_UNREADABLE', 'the page to sign on cannot be read')

  const upd = new IncrementalUpdate(doc)
  const fieldName = opts.fieldName ?? uniqueFieldName(existingFieldNames(doc))
  const sigRef = upd.add(signatureDictionary(opts, signerName, signingTime))
  const { rect, ap } = appearanceFor(upd, doc, page, opts, signerName, signingTime)
  const widget = upd.add(
    new PdfDict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: textString(fieldName),
      V: sigRef,
      F: 132, // Print | Locked (§12.5.3)
      P: pageRef,
      Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
      AP: new PdfDict({ N: ap }),
      // §12.7.5.5: the fields this signature locks, also on its field (the /Reference below says
      // the same for validators that read the signature dictionary, as pyHanko does).
      ...(opts.lockFields && { Lock: lockDictionary(opts.lockFields) }),
    }),
  )
  addWidgetToPage(upd, pageRef, widget)
  addFieldToAcroForm(upd, doc, widget)
  if (opts.certify) certify(upd, doc, sigRef)
  opts.alsoWrite?.(upd, doc)
  const out = upd.write()

  const placed = writeByteRange(out, pdf.length)
  const signedAttributes = padesSignedAttributes(digestRanges(out, placed), opts.signer.certificate)
  return { pdf: out, placed, signedAttributes, fieldName, signingTime, page: pageIndex + 1, rect }
}

export interface CompleteOptions {
  signer: SignerIdentity
  /** The value the key returned over `prepared.signedAttributes`. */
  signatureValue: Buffer
  /** B-T: an RFC 3161 token over the signature value (room was reserved by `timestamped`). */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>
}

/**
 * Step 3 of `signPdf`: the CMS around a signature value made elsewhere, written into /Contents
 * of `prepared.pdf` in place (no copy of the file; the result's `pdf` is that buffer). The value
 * is checked against the certificate before anything is written (KEY_MISMATCH).
 */
export async function completePdfSignature(
  prepared: PreparedPdfSignature,
  opts: CompleteOptions,
): Promise<SignPdfResult> {
  const { signedAttributes } = prepared
  const keySource: KeySource = {
    certificate: opts.signer.certificate,
    chain: opts.signer.chain,
    keyAlgorithm: opts.signer.keyAlgorithm,
    sign: async (data) => {
      if (!data.equals(signedAttributes))
        throw new SigningError('BAD_OPTION', 'the prepared signature belongs to another signer')
      return opts.signatureValue
    },
  }
  const digest = digestRanges(prepared.pdf, prepared.placed)
  const cms = await buildPadesSignature({
    digest,
    keySource,
    ...(opts.timestamp && { timestamp: opts.timestamp }),
  })
  writeContents(prepared.pdf, prepared.placed, cms)
  return {
    pdf: prepared.pdf,
    fieldName: prepared.fieldName,
    byteRange: prepared.placed.byteRange,
    signingTime: prepared.signingTime,
    page: prepared.page,
    rect: prepared.rect,
  }
}

function lockDictionary(fields: string[] | 'all'): PdfDict {
  const lock = new PdfDict({ Type: name('SigFieldLock'), Action: name(fields === 'all' ? 'All' : 'Include') })
  if (fields !== 'all')
    lock.set(
      'Fields',
      fields.map((f) => textString(f)),
    )
  return lock
}

/** Catalog /Perms /DocMDP pointing at the certification signature. */
function certify(upd: IncrementalUpdate, doc: PdfDocument, sigRef: PdfRef): void {
  if (doc.dict(doc.catalog().get('Perms'))?.has('DocMDP')) {
    throw new SigningError('BAD_OPTION', 'the document is already certified')
  }
  const catalogRef = doc.catalogRef()
  const current = upd.get(catalogRef)
  const catalog = current instanceof PdfDict ? current.clone() : doc.catalog().clone()
  upd.set(catalogRef, catalog.set('Perms', new PdfDict({ DocMDP: sigRef })))
}

function signatureDictionary(opts: PrepareOptions, signerName: string, signingTime: Date): PdfDict {
  const placeholder = name('**********')
  const d = new PdfDict({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: [0, placeholder, placeholder, placeholder],
    Contents: new PdfString(Buffer.alloc(reserveFor(opts)), true),
    M: new PdfString(Buffer.from(pdfDate(signingTime), 'latin1')),
    Name: textString(signerName),
  })
  if (opts.reason) d.set('Reason', textString(opts.reason))
  if (opts.location) d.set('Location', textString(opts.location))
  if (opts.contactInfo) d.set('ContactInfo', textString(opts.contactInfo))
  const refs: PdfDict[] = []
  if (opts.certify) {
    const params = new PdfDict({ Type: name('TransformParams'), P: opts.certify, V: name('1.2') })
    refs.push(new PdfDict({ Type: name('SigRef'), TransformMethod: name('DocMDP'), TransformParams: params }))
  }
  if (opts.lockFields) {
    const params = new PdfDict({
      Type: name('TransformParams'),
      Action: name(opts.lockFields === 'all' ? 'All' : 'Include'),
      V: name('1.2'),
    })
    if (opts.lockFields !== 'all')
      params.set(
        'Fields',
        opts.lockFields.map((f) => textString(f)),
      )
    refs.push(
      new PdfDict({ Type: name('SigRef'), TransformMethod: name('FieldMDP'), TransformParams: params }),
    )
  }
  if (refs.length) d.set('Reference', refs)
  d.set('Prop_Build', new PdfDict({ App: new PdfDict({ Name: name('Kyso') }) }))
  return d
}

function appearanceFor(
  upd: IncrementalUpdate,
  doc: PdfDocument,
  page: PdfDict,
  opts: PrepareOptions,
  signerName: string,
  signingTime: Date,
): { rect: Rect; ap: PdfRef } {
  const a = opts.appearance ?? { kind: 'personal' }
  if (a === 'invisible') {
    const empty = new PdfStream(
      new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 0, 0] }),
      Buffer.alloc(0),
    )
    return { rect: { x: 0, y: 0, width: 0, height: 0 }, ap: upd.add(empty) }
  }
  const g = pageGeometry(doc, page)
  if (opts.rect && !contains(g.view, opts.rect, 0.5)) {
    throw new SigningError(
      'BAD_OPTION',
      'the signature rectangle lies outside the visible page (its crop box)',
    )
  }
  const rect = opts.rect ?? defaultRect(g, signatureRects(doc, page), defaultSize(a.kind), a.kind === 'seal')
  // Drawn upright as the reader sees the page, then turned with the page (§12.5.5).
  const shown = rectToDisplay(g, rect)
  const spec: AppearanceSpec = {
    kind: a.kind,
    width: shown.width,
    height: shown.height,
    matrix: uprightMatrix(g.rotate, shown.width, shown.height),
    signerName,
    signingTime,
    ...(a.title !== undefined && { title: a.title }),
    ...(a.marker !== undefined && { marker: a.marker }),
    ...(a.principalTitle !== undefined && { principalTitle: a.principalTitle }),
    ...(a.organisation !== undefined && { organisation: a.organisation }),
    ...(a.imagePng !== undefined && { imagePng: a.imagePng }),
    ...(a.lines !== undefined && { lines: a.lines }),
    ...(opts.reason !== undefined && { reason: opts.reason }),
  }
  return { rect, ap: buildAppearance(spec, (v: PdfValue) => upd.add(v)) }
}
