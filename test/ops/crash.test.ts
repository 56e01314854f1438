import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileBlobStore } from '../../storage/blob-store'
import { openDb } from '../../storage/db'
import { spawnService, type ChildService } from '../helpers/child-service'
import { consistencyProblems } from '../helpers/consistency'
import { onPostgres, testEnv } from '../helpers/database'
import { makePdf } from '../helpers/sample-pdfs'
import { as } from '../helpers/service'

const REPETITIONS = 20
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Answer {
  status: number
  body: { documentId?: number; version?: number }
}

/** POST /api/steps/:id/sign with a bearer token; undefined when the connection died first. */
function sign(url: string, token: string, stepId: number): Promise<Answer | undefined> {
  return fetch(`${url}/api/steps/${stepId}/sign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pin: '1234' }),
  }).then(
    async (r) => ({ status: r.status, body: (await r.json()) as Answer['body'] }),
    () => undefined,
  )
}

describe(`a crash while signing: SIGKILL at a random point, ${REPETITIONS} times (${onPostgres() ? 'PostgreSQL' : 'SQLite'})`, function () {
  this.timeout(900_000)

  it('leaves the database consistent after every restart, and keeps every signature that was answered 2xx', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyso-crash-'))
    // Issuance at the production default: a crash may also land in the extension to B-LTA.
    const { env, cleanup } = await testEnv({ KYSO_DATA_DIR: dataDir, KYSO_ISSUE_LEVEL: 'B-LTA' })
    let svc: ChildService = await spawnService(env)
    try {
      // One single-step chain per repetition (the step completes the chain: issued, validated
      // after the response), and one more to measure how long a signature takes here.
      const drafter = await as('chuyenvien', undefined, svc.url)
      const signer = (await as('truongphong1', undefined, svc.url)).token
      const stepIds: number[] = []
      for (let i = 0; i <= REPETITIONS; i++) {
        const doc = (await (await drafter.upload(await makePdf({ title: `CRASH ${i}` }))).json()) as {
          id: number
        }
        const submitted = (await (
          await drafter.post(`/api/documents/${doc.id}/submit`, {
            steps: [{ action: 'approve', assignees: ['truongphong1'] }],
          })
        ).json()) as { workflows: { steps: { id: number }[] }[] }
        stepIds.push((submitted.workflows[0]?.steps[0] as { id: number }).id)
      }
      const t0 = Date.now()
      expect((await sign(svc.url, signer, stepIds.shift() as number))?.status).to.equal(200)
      const signMs = Math.max(20, Date.now() - t0)

      const answered: { stepId: number; documentId: number; version: number }[] = []
      let killedBeforeAnswer = 0
      for (const stepId of stepIds) {
        // 1. A signature in flight, killed at a random point of about its duration.
        const pending = sign(svc.url, signer, stepId)
        await sleep(Math.random() * signMs * 1.5)
        svc.child.kill('SIGKILL')
        await svc.exited
        const answer = await pending
        if (answer?.status === 200)
          answered.push({
            stepId,
            documentId: answer.body.documentId as number,
            version: answer.body.version as number,
          })
        else killedBeforeAnswer++
        // 2. Restart, and check everything that must hold after a crash.
        svc = await spawnService(env)
        const db = await openDb(dataDir, {
          ...(env.KYSO_DATABASE_URL && { databaseUrl: env.KYSO_DATABASE_URL }),
          migrate: false,
        })
        try {
          expect(await consistencyProblems(db, new FileBlobStore(join(dataDir, 'blobs')))).to.deep.equal([])
          for (const a of answered) {
            const kept = await db('signatures as g')
              .join('versions as v', 'v.id', 'g.version_id')
              .where({ 'g.step_id': a.stepId, 'v.document_id': a.documentId, 'v.seq': a.version })
              .first('g.id')
            expect(kept, `the answered signature of step ${a.stepId}`).to.not.equal(undefined)
          }
          // 3. The step can still be finished: signed again if the crash lost it, 409 if not.
          const stepDone =
            ((await db('steps').where({ id: stepId }).first('status')) as { status: string }).status ===
            'done'
          const again = await sign(svc.url, signer, stepId)
          expect(
            again?.status,
            `${JSON.stringify(again?.body)} ${JSON.stringify(svc.lines.filter((l) => l.level === 'error'))}`,
          ).to.equal(stepDone ? 409 : 200)
          expect(await consistencyProblems(db, new FileBlobStore(join(dataDir, 'blobs')))).to.deep.equal([])
        } finally {
          await db.destroy()
        }
      }
      process.stdout.write(
        `      ${REPETITIONS} kills: ${killedBeforeAnswer} before the answer, ${answered.length} after it (a signature takes ~${signMs} ms here)\n`,
      )
      expect(killedBeforeAnswer, 'kills that landed before the answer').to.be.greaterThan(2)
    } finally {
      svc.child.kill('SIGKILL')
      await svc.exited
      await cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
