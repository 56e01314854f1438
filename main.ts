/**
 * Composition root. The workflow service (issue 4) will start here; until then `npm start`
 * prints the CLI's help so the quick start stays true.
 */
import { HELP } from './cli/main'

process.stdout.write(`${HELP}\n\nThe HTTP service is not built yet: use the kyso CLI above (npx kyso ...).\n`)
