/**
 * Remote signing: the key stays with a licensed provider (VNPT SmartCA, Viettel MySign, any
 * Cloud Signature Consortium service) and the holder confirms each signature on their own phone.
 * Kyso sends one SHA-256 digest, then asks how the transaction stands until it is signed, refused
 * or expired. Every provider is one `RemoteSigningConnector`: the CSC API v2 connector is one; a
 * provider's own transaction API (SmartCA style: submit, then poll a transaction id) is another.
 */

/** A signing credential the provider holds for a user: its certificate, never its key. */
export interface RemoteCredential {
  /** The provider's identifier (CSC `credentialID`). */
  credentialId: string
  /** The signer's certificate, DER. */
  certificate: Buffer
  /** The rest of the chain as the provider gave it, DER, nearest issuer first. */
  chain: Buffer[]
  /** From the certificate's public key: 'RSA' signs RSASSA-PKCS1-v1_5, 'EC' ECDSA. */
  keyAlgorithm: 'RSA' | 'EC'
  /** A label the provider gave the credential, to show beside it. */
  label?: string
}

/** Where one remote signature stands. */
export type RemoteSignState =
  | { state: 'pending' }
  /** RSA: the PKCS#1 v1.5 value; EC: a DER Ecdsa-Sig-Value (RFC 5480 §2.2.3 / RFC 3279 §2.2.3). */
  | { state: 'signed'; signature: Buffer }
  /** The holder refused on their device; `reason` is the provider's words, if any. */
  | { state: 'refused'; reason: string }
  /** Nobody confirmed within the provider's validity period. */
  | { state: 'expired' }

export interface StartSignatureRequest {
  /** Who signs, as the provider knows them (CSC `userID`). */
  userRef: string
  credentialId: string
  /** SHA-256 of the DER CMS signed attributes (32 bytes). */
  digest: Buffer
  /** Shown to the holder on their device beside the confirm button. */
  description: string
}

export interface StartedSignature {
  /**
   * Opaque, and enough on its own to poll with: a process that restarts may keep polling a
   * transaction another one started.
   */
  transactionId: string
  /** When the provider stops waiting for the holder. */
  expiresAt: Date
}

export interface RemoteSigningConnector {
  /** A name for messages and audit rows, e.g. 'vnpt-smartca'. */
  readonly provider: string
  /** The user's credentials that can sign, with their certificates. */
  listCredentials(userRef: string): Promise<RemoteCredential[]>
  /** One of the user's credentials; REMOTE_NOT_FOUND when it is not theirs or does not exist. */
  credential(userRef: string, credentialId: string): Promise<RemoteCredential>
  /** Starts the signature of one SHA-256 digest; the user confirms on their own device. */
  startSignature(req: StartSignatureRequest): Promise<StartedSignature>
  /** Asks once how the transaction stands (never waits for the holder). */
  pollSignature(transactionId: string): Promise<RemoteSignState>
}
