/**
 * RFC 3161 time-stamping: a small built-in TSA (token issuing and the request handler the server
 * exposes as application/timestamp-reply), an HTTP client for remote TSAs, and token checks.
 */
export { builtinTsa, httpTsa, httpTsaForImprint, type HttpTsaOptions, type TimestampSource } from './client'
export { handleTimestampRequest, type TsaConfig } from './service'
export { createTimestampToken, KYSO_TSA_POLICY, type ImprintHash, type TimestampTokenOptions } from './token'
export { verifyTimestampToken, type TimestampCheck, type TimestampedData } from './verify'
export {
  encodeTimeStampReq,
  FAILURE_INFO,
  parseTimeStampReq,
  parseTimeStampResp,
  PKI_STATUS,
  type FailureInfo,
  type TimeStampRequest,
  type TimeStampResponse,
} from './messages'
