// What a database setting names, without loading a driver: `sundial serve` on SQLite never loads
// node-postgres (~5 MB of heap and code), so the check lives apart from store/postgres/.

/** Whether a database setting names a PostgreSQL server (postgres:// or postgresql://). */
export function isPostgresUrl(url: string | null | undefined): boolean {
  return typeof url === 'string' && /^postgres(?:ql)?:\/\//i.test(url);
}
