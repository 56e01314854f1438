import type { SigningMarker } from '../signing/appearance'
import type { Queryable } from '../storage/transaction'
import { activeUserByUsername, rolesOf } from '../storage/user-records'
import type { Role } from './context'
import { WorkflowError } from '../shared/errors'

/**
 * Who may sign under which marker (DOMAIN.md; Decree 30/2020, Art. 13): KT. a deputy of the head,
 * Q. an acting head, TM. the head of a collective body (all leaders); TL. and TUQ. a head of a
 * unit (the chief of office, a department head) by order or written authorisation of the head,
 * or a leader. Nobody else signs documents: clerks seal them, compliance officers and
 * administrators sign nothing.
 */
export const ELIGIBLE_ROLES: Record<SigningMarker, Role[]> = {
  'KT.': ['leader'],
  'Q.': ['leader'],
  'TM.': ['leader'],
  'TL.': ['leader', 'head'],
  'TUQ.': ['leader', 'head'],
}

/** Markers of a dated delegation a leader makes; TM. (a body, not a person) only stands. */
export const DATED_MARKERS: SigningMarker[] = ['KT.', 'TL.', 'TUQ.', 'Q.']
export const STANDING_MARKERS: SigningMarker[] = ['KT.', 'TL.', 'TUQ.', 'Q.', 'TM.']

export function markerIn(v: unknown, allowed: SigningMarker[], field = 'marker'): SigningMarker {
  if (typeof v !== 'string' || !allowed.includes(v as SigningMarker)) {
    throw new WorkflowError('BAD_REQUEST', `${field}: ${allowed.join(', ')}`)
  }
  return v as SigningMarker
}

export interface Person {
  id: number
  username: string
  agencyId: number
  title: string | null
  roles: Role[]
}

/** An active user by username, with their roles; BAD_REQUEST naming the field otherwise. */
export async function activePerson(db: Queryable, username: unknown, field: string): Promise<Person> {
  const u = typeof username === 'string' ? await activeUserByUsername(db, username) : undefined
  if (!u) throw new WorkflowError('BAD_REQUEST', `${field}: không có người dùng đang hoạt động này`)
  const roles = await rolesOf(db, u.id)
  return { id: u.id, username: u.username, agencyId: u.agencyId, title: u.title, roles }
}

/** NOT_ELIGIBLE unless the person's role can sign under this marker. */
export function assertMaySign(person: Person, marker: SigningMarker, field = 'delegate'): void {
  const allowed = ELIGIBLE_ROLES[marker]
  if (!person.roles.some((r) => allowed.includes(r))) {
    const who = allowed.includes('head') ? 'lãnh đạo hoặc trưởng đơn vị (như Chánh Văn phòng)' : 'lãnh đạo'
    throw new WorkflowError(
      'NOT_ELIGIBLE',
      `${field}: chỉ ${who} được ký ${marker}; ${person.username} không có vai trò ký văn bản này`,
    )
  }
}
