/**
 * `npm start`: the Kyso service. Configuration from the environment (config.ts), SQLite in
 * KYSO_DATA_DIR or PostgreSQL at KYSO_DATABASE_URL, migrations, the demo data on an empty database
 * (unless KYSO_DEMO=0), then HTTP. Logs are JSON lines on stdout (pino). SIGTERM or SIGINT: stop
 * taking requests, finish the ones in flight, close the database, exit 0.
 */
import { ConfigError, loadConfig } from './config'
import { createLogger } from './server/ops'
import { startServer } from './server/start'

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const logger = createLogger(config.logLevel)
  const running = await startServer(config, { logger })
  logger.info(
    {
      url: running.url,
      database: config.databaseUrl ? 'postgresql' : 'sqlite',
      blobStore: config.blobStore,
      dataDir: config.dataDir,
    },
    `listening on ${running.url}`,
  )
  // Names only: no password, not even a published demo one, goes to a log (issue 15).
  if (config.demo)
    logger.info(
      'demo logins and their passwords are in fixtures/demo-users.json (e.g. chuyenvien); see the README walkthrough',
    )
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down: finishing requests in flight')
    void running.close().then(
      () => {
        logger.info('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        logger.error({ error: String(err) }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`kyso: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
