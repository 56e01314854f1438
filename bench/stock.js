#!/usr/bin/env node
'use strict'
// The stock @signpdf flow a user would pick, as a script: pdf-lib placeholder + P12 signer.
// Usage: KYSO_PIN=... node bench/stock.js in.pdf out.pdf cert.p12
const fs = require('node:fs')

async function main() {
  const [input, output, p12] = process.argv.slice(2)
  const { PDFDocument } = require('pdf-lib')
  const { pdflibAddPlaceholder } = require('@signpdf/placeholder-pdf-lib')
  const { P12Signer } = require('@signpdf/signer-p12')
  const signpdf = require('@signpdf/signpdf').default
  const doc = await PDFDocument.load(fs.readFileSync(input))
  pdflibAddPlaceholder({ pdfDoc: doc, reason: 'Approved', contactInfo: 'bench', name: 'Bench', location: 'HCMC' })
  const withPlaceholder = Buffer.from(await doc.save({ useObjectStreams: false }))
  const signer = new P12Signer(fs.readFileSync(p12), { passphrase: process.env.KYSO_PIN || '' })
  fs.writeFileSync(output, await signpdf.sign(withPlaceholder, signer))
}

module.exports = { main }
if (require.main === module) main().catch((err) => { console.error(err); process.exit(1) })
