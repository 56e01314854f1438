import { L, lang } from './i18n.js'
import { MESSAGES } from './messages.js'

export const VERDICT: Record<string, [string, string, string]> = {
  PASSED: ['Hợp lệ', 'Valid', 'ok'],
  FAILED: ['Không hợp lệ', 'Invalid', 'bad'],
  INDETERMINATE: ['Chưa xác định được', 'Cannot be determined', 'warn'],
}

/** Why a signature is not valid, for a person: the catalogue's reason (issue 16), else the plain code. */
export function whyText(subIndication: string | null | undefined): string | undefined {
  if (!subIndication) return undefined
  const reasons = MESSAGES[lang()].reasons
  if (Object.hasOwn(reasons, subIndication)) return reasons[subIndication]
  return L(`Lý do kỹ thuật: ${subIndication}.`, `Technical reason: ${subIndication}.`)
}
