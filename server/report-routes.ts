import type { Express, RequestHandler, Response } from 'express'
import { coverageDrillDown, coverageReport } from '../reporting/coverage'
import { coverageCsv, type SeriesPoint, seriesCsv } from '../reporting/csv'
import type { Targets } from '../reporting/targets'
import type { Services } from '../workflows/context'
import { actorOf, route } from './http'

/** Coverage reports (issue 14): every agency in the actor's reach, one agency's series; JSON or CSV. */
export function mountReports(app: Express, s: Services, auth: RequestHandler): void {
  app.get(
    '/api/reports/coverage',
    auth,
    route(s, async (req, res) => {
      const report = await coverageReport(s.db, actorOf(res), req.query as Record<string, unknown>)
      if (req.query.format !== 'csv') return report
      const lang = req.query.lang === 'en' ? 'en' : 'vi'
      const preamble = { period: report.period, generatedAt: report.generatedAt, targets: report.targets }
      const csv = coverageCsv(report.agencies, preamble, lang)
      sendCsv(res, csv, `bao-cao-ky-so-${report.period.from}-${report.period.to}.csv`)
      return undefined
    }),
  )
  app.get(
    '/api/reports/coverage/:agencyCode',
    auth,
    route(s, async (req, res) => {
      const report = await coverageDrillDown(
        s.db,
        actorOf(res),
        String(req.params.agencyCode),
        req.query as Record<string, unknown>,
      )
      if (req.query.format !== 'csv') return report
      type Drill = {
        agency: { name: string }
        series: SeriesPoint[]
        period: { from: string; to: string }
        targets: Targets
      }
      const r = report as Drill
      const preamble = { period: r.period, generatedAt: new Date().toISOString(), targets: r.targets }
      const csv = seriesCsv(r.agency.name, r.series, preamble, req.query.lang === 'en' ? 'en' : 'vi')
      sendCsv(res, csv, `bao-cao-${req.params.agencyCode}.csv`)
      return undefined
    }),
  )
}

function sendCsv(res: Response, csv: Buffer, filename: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8')
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
  res.end(csv)
}
