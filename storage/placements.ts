import type { Knex } from 'knex'

/** Where one signature of a round goes (user space of its page), as planned at submission. */
export interface PlacementRecord {
  stepId: number
  /** The assignee it is for, when every assignee of the step signs; null: whoever signs the step. */
  userId: number | null
  page: number
  rect: { x: number; y: number; width: number; height: number }
  how: 'block' | 'end-mark' | 'free-space' | 'emptiest' | 'explicit'
  look: 'handwritten' | 'personal' | 'initials' | 'seal'
  visible: boolean
  anchor: string | null
  note: string | null
}

interface Row {
  step_id: number
  user_id: number | null
  page: number
  x: number
  y: number
  width: number
  height: number
  how: PlacementRecord['how']
  look: PlacementRecord['look']
  visible: boolean | number
  anchor: string | null
  note: string | null
}

function record(r: Row): PlacementRecord {
  return {
    stepId: r.step_id,
    userId: r.user_id,
    page: r.page,
    rect: { x: Number(r.x), y: Number(r.y), width: Number(r.width), height: Number(r.height) },
    how: r.how,
    look: r.look,
    visible: Boolean(r.visible),
    anchor: r.anchor,
    note: r.note,
  }
}

export async function insertPlacements(
  trx: Knex,
  workflowId: number,
  rows: PlacementRecord[],
): Promise<void> {
  for (const p of rows) {
    await trx('placements').insert({
      workflow_id: workflowId,
      step_id: p.stepId,
      user_id: p.userId,
      page: p.page,
      ...p.rect,
      how: p.how,
      look: p.look,
      visible: p.visible,
      anchor: p.anchor,
      note: p.note,
    })
  }
}

export async function placementsOfWorkflow(db: Knex, workflowId: number): Promise<PlacementRecord[]> {
  return ((await db('placements').where({ workflow_id: workflowId }).orderBy('id')) as Row[]).map(record)
}

/** The place of `userId`'s signature on a step: theirs if the step has one per assignee, else the step's. */
export async function placementFor(
  db: Knex,
  stepId: number,
  userId: number,
): Promise<PlacementRecord | undefined> {
  const rows = ((await db('placements').where({ step_id: stepId })) as Row[]).map(record)
  return rows.find((p) => p.userId === userId) ?? rows.find((p) => p.userId === null)
}
