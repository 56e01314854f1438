/**
 * The one error of the ASN.1 reader (issue 16): input that is not the BER/DER structure expected.
 * Callers that face users wrap it in their own code (CMS_UNREADABLE, CERT_UNREADABLE,
 * CRL_UNREADABLE, KEY_UNREADABLE, ...), with this error as the cause.
 */
export class Asn1Error extends Error {
  override readonly name = 'Asn1Error'
}
