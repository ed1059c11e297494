// Column values that nearly every row repeats — the content type, component type and
// classification of an object — returned as one shared string each. Read from the database, every
// row brings its own copy; a 90-day calendar-query kept 7500 metas in the query engine's caches,
// with 9600 copies of "text/calendar; charset=utf-8; component=vevent" (0.6 MB), and as many of
// "VEVENT" and "public" (heap snapshot at the end of `npm run bench`). A constant table, not a
// cache: values outside it are returned as they are.
const COMPONENTS = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];
const COMMON = new Map<string, string>(
  [
    ...COMPONENTS,
    ...COMPONENTS.map((c) => `text/calendar; charset=utf-8; component=${c.toLowerCase()}`),
    'text/vcard; charset=utf-8',
    'public', 'confidential', 'private',
  ].map((v) => [v, v]),
);

/** The table's copy of `v` when it holds that value, else `v` itself. */
export function sharedValue<T extends string | null>(v: T): T {
  return v === null ? v : ((COMMON.get(v) as T | undefined) ?? v);
}
