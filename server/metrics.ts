import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Knex } from 'knex'
import { observeWaits } from '../storage/sql'
import type { WorkflowMetrics } from '../workflows/context'

export interface Metrics extends WorkflowMetrics {
  registry: Registry
  request(method: string, route: string, status: number, seconds: number): void
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const WAIT_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]

/**
 * Prometheus metrics of one instance, in a registry of its own (several servers share a process
 * in the tests). Requests are labelled by route pattern (`/api/steps/:id/sign`), never by URL, so
 * the number of series stays fixed.
 */
export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'kyso_' })
  const requests = new Counter({
    name: 'kyso_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'kyso_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  const signatures = new Counter({
    name: 'kyso_signatures_total',
    help: 'Signatures made by steps (approve, sign, seal)',
    labelNames: ['action'],
    registers: [registry],
  })
  const validations = new Counter({
    name: 'kyso_validations_total',
    help: 'Signatures validated, by ETSI indication',
    labelNames: ['indication'],
    registers: [registry],
  })
  const waits = new Histogram({
    name: 'kyso_lock_wait_seconds',
    help: 'Time spent waiting for a lock (document row, audit chain) or a database connection (pool)',
    labelNames: ['lock'],
    buckets: WAIT_BUCKETS,
    registers: [registry],
  })
  return {
    registry,
    request: (method, route, status, seconds) => {
      requests.inc({ method, route, status: String(status) })
      latency.observe({ method, route }, seconds)
    },
    signed: (action) => signatures.inc({ action }),
    validated: (indication) => validations.inc({ indication }),
    waited: (lock, seconds) => waits.observe({ lock }, seconds),
  }
}

interface PoolEvents {
  on(event: 'acquireRequest', fn: (id: number) => void): void
  on(event: 'acquireSuccess' | 'acquireFail', fn: (id: number) => void): void
}

/** Lock waits reported by storage/ (advisory locks) and the wait for a pooled connection. */
export function observeDatabase(db: Knex, metrics: Metrics): void {
  observeWaits(db, metrics.waited)
  const pool = (db.client as { pool?: PoolEvents }).pool
  if (!pool) return
  const asked = new Map<number, bigint>()
  pool.on('acquireRequest', (id) => void asked.set(id, process.hrtime.bigint()))
  pool.on('acquireSuccess', (id) => {
    const t0 = asked.get(id)
    asked.delete(id)
    if (t0 !== undefined) metrics.waited('pool', Number(process.hrtime.bigint() - t0) / 1e9)
  })
  pool.on('acquireFail', (id) => void asked.delete(id))
}
