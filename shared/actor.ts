/** The roles a user may hold; a user may hold several. */
export type Role = 'staff' | 'head' | 'leader' | 'clerk' | 'compliance' | 'admin'

/** The signed-in user a use case acts for. */
export interface Actor {
  id: number
  username: string
  fullName: string
  title: string | null
  agencyId: number
  roles: Set<Role>
  requestId?: string
}
