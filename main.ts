/**
 * `npm start`: the Kyso service. Configuration from the environment (config.ts), SQLite in
 * KYSO_DATA_DIR, migrations, the demo data on an empty database (unless KYSO_DEMO=0), then HTTP.
 */
import { ConfigError, loadConfig } from './config'
import { startServer } from './server/start'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const running = await startServer(config, (line) => process.stdout.write(`kyso: ${line}\n`))
  process.stdout.write(
    `kyso: listening on ${running.url} (data in ${config.dataDir})\n` +
      (config.demo ? 'kyso: demo logins are in fixtures/demo-users.json (e.g. chuyenvien / Kyso@2024); see the README walkthrough\n' : ''),
  )
  const stop = (): void => {
    void running.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`kyso: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
