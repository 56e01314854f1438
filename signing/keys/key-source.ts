/**
 * Where a signature value comes from. PDF and CMS code only ever sees this interface, so a
 * PKCS#11 token or a remote-signing service (Cloud Signature Consortium `signatures/signHash`, as
 * VNPT SmartCA and Viettel MySign offer) plugs in without touching either.
 */
export interface KeySource {
  /** The signer's certificate, DER. */
  readonly certificate: Buffer
  /** Intermediate certificates up to (and possibly including) the root, DER, nearest first. */
  readonly chain: readonly Buffer[]
  /** 'RSA' signs with RSASSA-PKCS1-v1_5, 'EC' with ECDSA (DER-encoded Ecdsa-Sig-Value). */
  readonly keyAlgorithm: 'RSA' | 'EC'
  /**
   * Signs `data` (the DER of the CMS signed attributes) with SHA-256; returns the signature value
   * exactly as it goes into SignerInfo.signature.
   */
  sign(data: Buffer): Promise<Buffer>
}
