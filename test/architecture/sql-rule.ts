import { importsInSource } from './import-graph'

/**
 * SQL lives in storage/ only (issue 16): elsewhere no knex query, raw statement, transaction or
 * schema call, and no run-time import of knex (its types may be named). The check reads the code
 * with comments blanked out, so a comment that shows a query does not count, and looks for the
 * shapes a knex call takes in this house: a table called on a handle (`db('users')`,
 * `s.db('users')`, `trx('steps')`) and a handle's `.raw(`, `.transaction(` or `.schema.`.
 */

const TABLE_CALL = /(?:\b(?:db|trx|knex)|\.db)\s*\(\s*['"`]/
const HANDLE_CALL = /\b(?:db|trx|knex)\s*\.\s*(?:raw|transaction|schema)\b/

/** Comments replaced by spaces, line breaks kept (so line numbers still hold). */
function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, (_m, lead: string) => lead)
}

/** `file:line: the line` for each statement that looks like SQL, and each run-time import of knex. */
export function sqlFindings(file: string, text: string): string[] {
  const code = withoutComments(text)
  const found: string[] = []
  if (importsInSource(file, text).some((i) => i.specifier === 'knex' && !i.typeOnly)) {
    found.push(`${file}: imports knex at run time`)
  }
  code.split('\n').forEach((line, i) => {
    if (TABLE_CALL.test(line) || HANDLE_CALL.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`)
  })
  return found
}
