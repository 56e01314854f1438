/**
 * Remote signing: keys held by a provider (CSC API v2 services, VNPT SmartCA, Viettel MySign),
 * each signature confirmed by the holder on their own device. Import this folder through this
 * file only.
 */
export type {
  RemoteCredential,
  RemoteSignState,
  RemoteSigningConnector,
  StartSignatureRequest,
  StartedSignature,
} from './connector'
export { cscConnector, type CscConnectorOptions } from './csc-client'
export {
  CSC_ERROR_TABLE,
  classifyCscAnswer,
  type CscError,
  type CscErrorRule,
  type CscOutcome,
} from './csc-errors'
export { remoteKeySource, type RemoteKeySourceOptions } from './remote-key-source'
