/** A row of the documents table, as use cases and access rules read it. */
export interface DocumentRow {
  id: number
  agency_id: number
  drafter_id: number
  title: string
  kind: 'internal' | 'procedure'
  procedure_code: string | null
  status: 'draft' | 'in_progress' | 'returned' | 'issued' | 'rejected' | 'cancelled'
  outgoing_number: string | null
  outgoing_date: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}
