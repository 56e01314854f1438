/**
 * Vietnamese first, English on request. Each text is written in both languages where it is used,
 * `L('Văn bản', 'Documents')`, so a page reads as itself and nothing is left untranslated.
 */
export type Lang = 'vi' | 'en'

const KEY = 'kyso.lang'
let current: Lang = (() => {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'vi'
  } catch {
    return 'vi'
  }
})()

export function lang(): Lang {
  return current
}

export function setLang(l: Lang): void {
  current = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = l
}

export function L(vi: string, en: string): string {
  return current === 'en' ? en : vi
}

const ACTIONS: Record<string, [string, string]> = {
  approve: ['Duyệt', 'Approve'],
  sign: ['Ký', 'Sign'],
  seal: ['Đóng dấu', 'Seal'],
}
export const actionLabel = (a: string): string => L(...(ACTIONS[a] ?? [a, a]))

const STATUSES: Record<string, [string, string]> = {
  draft: ['Dự thảo', 'Draft'],
  in_progress: ['Đang trình ký', 'In progress'],
  returned: ['Trả lại để sửa', 'Returned'],
  issued: ['Đã phát hành', 'Issued'],
  rejected: ['Bị từ chối', 'Rejected'],
  cancelled: ['Đã hủy', 'Cancelled'],
}
export const statusLabel = (s: string): string => L(...(STATUSES[s] ?? [s, s]))

const ROLES: Record<string, [string, string]> = {
  staff: ['Chuyên viên', 'Staff'],
  head: ['Trưởng phòng', 'Department head'],
  leader: ['Lãnh đạo', 'Leader'],
  clerk: ['Văn thư', 'Records clerk'],
  compliance: ['Cán bộ kiểm tra', 'Compliance'],
  admin: ['Quản trị', 'Administrator'],
}
export const roleLabel = (r: string): string => L(...(ROLES[r] ?? [r, r]))
export const ROLE_NAMES = Object.keys(ROLES)
