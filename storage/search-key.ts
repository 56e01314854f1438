/**
 * The form a title is searched in, the same on SQLite and PostgreSQL: lower case, without
 * Vietnamese tone and vowel marks (NFD, combining marks dropped, đ -> d), spaces collapsed. "Ủy
 * ban" and "uy BAN" meet at "uy ban". (SQLite's LIKE folds ASCII only; PostgreSQL's is exact.)
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}

/** A LIKE pattern for "contains", with LIKE's own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${searchKey(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
