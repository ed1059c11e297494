// What the fast-path tests share (protocol/row-listing, carddav-query-rows, carddav-sync-rows):
// each sends a request for a set of cheap properties, then the same with one dear property added
// to force the general path, takes that property out of the answer and compares the two byte for
// byte, while spies on the store tell which path each request took.
import { D } from './dav.js';

/** The cheap DAV properties (registry.ts `cost`): every combination of them takes the row path. */
export const CHEAP = ['getetag', 'resourcetype', 'getcontenttype', 'getcontentlength', 'getlastmodified', 'creationdate'].map(D);
/** A dear property: adding it forces the general path. */
export const DEAR = D('current-user-privilege-set');

/** `<d:prop>` children for Clark names: DAV: as d, urn:x-test as x, any other namespace as `prefix`. */
export function propXml(names: string[], prefix: string): string {
  return names.map((n) => {
    const [, ns, local] = /^\{([^}]*)\}(.*)$/.exec(n)!;
    return `<${ns === 'DAV:' ? 'd' : ns === 'urn:x-test' ? 'x' : prefix}:${local}/>`;
  }).join('');
}

/** The general answer with the dear property taken out: its element, and a 200 propstat it leaves empty before a 404 one. */
export function withoutDear(text: string): string {
  return text
    .replace(/<d:current-user-privilege-set>[\s\S]*?<\/d:current-user-privilege-set>|<d:current-user-privilege-set\/>/g, '')
    .replace(/<d:propstat><d:prop><\/d:prop><d:status>HTTP\/1\.1 200 OK<\/d:status><\/d:propstat>(?=<d:propstat>)/g, '');
}

/** Wraps the named store methods so that `count(name)` is called on each call (which reads each request makes). */
export function spyOnStore(store: object, methods: readonly string[], count: (method: string) => void): void {
  const s = store as Record<string, (...a: unknown[]) => unknown>;
  for (const m of methods) {
    const orig = s[m]!.bind(store);
    s[m] = (...a: unknown[]) => {
      count(m);
      return orig(...a);
    };
  }
}
