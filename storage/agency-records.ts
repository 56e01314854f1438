import type { Queryable } from './transaction'

/**
 * Agencies (issue 16): their identity, their place in the hierarchy and the settings an
 * administrator changes. Plain camelCase objects out; the rules are workflows/admin.ts and
 * workflows/agency-settings.ts.
 */
export interface AgencyRef {
  id: number
  code: string
  name: string
}

/** An agency as the administration lists it. */
export interface AgencyListing {
  id: number
  code: string
  name: string
  parentCode: string | null
  approvalMode: string
}

/** How approvals with internal keys travel, and how they look in the file (issues 11 and 12). */
export interface AgencyApprovalSettings {
  id: number
  approvalMode: string
  approvalAppearance: string
}

export interface NewAgency {
  code: string
  name: string
  parentId: number | null
}

export async function agencyIdByCode(db: Queryable, code: string): Promise<number | undefined> {
  const row = (await db('agencies').where({ code }).first('id')) as { id: number } | undefined
  return row?.id
}

export async function agencyById(db: Queryable, id: number): Promise<AgencyRef | undefined> {
  const row = (await db('agencies').where({ id }).first('id', 'code', 'name')) as AgencyRef | undefined
  return row && { id: row.id, code: row.code, name: row.name }
}

export async function listAgencyListings(db: Queryable): Promise<AgencyListing[]> {
  const rows = (await db('agencies as a')
    .leftJoin('agencies as p', 'p.id', 'a.parent_id')
    .orderBy('a.id')
    .select('a.id', 'a.code', 'a.name', 'p.code as parent_code', 'a.approval_mode')) as {
    id: number
    code: string
    name: string
    parent_code: string | null
    approval_mode: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    parentCode: r.parent_code,
    approvalMode: r.approval_mode,
  }))
}

export async function insertAgency(db: Queryable, a: NewAgency): Promise<number> {
  const [row] = await db('agencies')
    .insert({ code: a.code, name: a.name, parent_id: a.parentId })
    .returning('id')
  return (row as { id: number }).id
}

export async function agencyApprovalSettings(
  db: Queryable,
  code: string,
): Promise<AgencyApprovalSettings | undefined> {
  const row = (await db('agencies').where({ code }).first('id', 'approval_mode', 'approval_appearance')) as
    | { id: number; approval_mode: string; approval_appearance: string }
    | undefined
  return row && { id: row.id, approvalMode: row.approval_mode, approvalAppearance: row.approval_appearance }
}

/** Changes the settings given; those left undefined stay as they are. */
export async function updateAgencyApprovalSettings(
  db: Queryable,
  id: number,
  patch: { approvalMode?: string; approvalAppearance?: string },
): Promise<void> {
  await db('agencies')
    .where({ id })
    .update({
      ...(patch.approvalMode !== undefined && { approval_mode: patch.approvalMode }),
      ...(patch.approvalAppearance !== undefined && { approval_appearance: patch.approvalAppearance }),
    })
}
