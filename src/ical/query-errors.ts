// Errors of calendar-query / free-busy-query evaluation (RFC 4791 §7.7–§7.10). dav/ maps each
// condition to its 403 precondition element; nothing here knows HTTP.

export type QueryCondition =
  | 'valid-filter' // malformed filter (§9.7)
  | 'supported-collation' // text-match collation outside supported-collation-set (§7.5.1)
  | 'supported-calendar-data' // calendar-data asking for another media type or version (§9.6)
  | 'max-instances'; // recurrence expansion past the configured limit (§5.2.8)

export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    readonly condition: QueryCondition,
    message: string,
  ) {
    super(message);
  }
}
