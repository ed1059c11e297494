// DAV:expand-property (RFC 3253 §3.8), required of CalDAV servers by RFC 4791 §7.1. Apple clients
// send it to principals (calendar-proxy-write-for / -read-for with displayname,
// calendar-user-address-set and CS:email-address-set of each, as BlueMind's Apple-oriented server
// documents in its ExpandPropertyDelegate). It is answered over the property registry:
// each requested property is computed as PROPFIND would, and where a `<property>` element has
// nested `<property>` elements and the value is a list of DAV:href, each href is replaced by a
// `<response>` for the resource it names holding the nested properties, recursively. Hrefs are
// followed only to resources the requesting user may read (resolve() refuses the rest); a href
// that cannot be followed becomes a `<response>` with its status (403, 404). Nesting depth and the
// number of expansions per request are bounded, so one request costs a bounded number of reads.
import { DAV, clark } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { el, statusLine, writeResponse, type PropStat, type PropValue, type ResponseEntry, type XmlChild, type XmlNode } from '../../xml/serialize.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { depthOf } from '../depth.js';
import { DavError, badRequest } from '../errors.js';
import { membersOf } from '../members.js';
import { multistatus } from '../multistatus.js';
import { hrefToPath } from '../paths.js';
import { propstatsFor } from '../propstats.js';
import type { PropContext } from '../properties/index.js';
import { resolve, type Resource } from '../resources.js';
import { homeSeqFor } from '../home-view.js';

/** Levels of `<property>` below the top-level ones (Apple uses one). */
export const MAX_NESTING = 3;
/**
 * Distinct hrefs (per `<property>` element) replaced by a response in one request. Each costs a
 * resolve and its properties (at most a dead-property read); repeats reuse the rendering.
 */
export const MAX_EXPANSIONS = 1000;

/** Members of a Depth 1 request answered between turns of the event loop. */
const YIELD_EVERY = 64;

interface PropertySpec {
  name: string;
  nested: PropertySpec[];
}

/** RFC 3253 §3.8: `<property name="…" namespace="…">`, namespace "DAV:" when absent. */
function parseSpecs(parent: XmlElement, level: number): PropertySpec[] {
  const specs: PropertySpec[] = [];
  for (const c of parent.children) {
    if (c.name !== DAV.property) continue;
    const local = c.attrs.name;
    if (!local) throw badRequest('expand-property: every property element needs a name attribute');
    const nestedEls = c.children.some((x) => x.name === DAV.property);
    if (nestedEls && level >= MAX_NESTING) throw badRequest(`expand-property: property elements nest deeper than ${MAX_NESTING} levels`);
    specs.push({ name: clark(c.attrs.namespace ?? 'DAV:', local), nested: nestedEls ? parseSpecs(c, level + 1) : [] });
  }
  return specs;
}

/** The encoded hrefs of a value made only of DAV:href elements (as hrefNode builds them), else null. */
function hrefList(value: PropValue['value']): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: string[] = [];
  for (const c of value as readonly XmlChild[]) {
    if (typeof c !== 'object' || !('name' in c) || c.name !== DAV.href || typeof c.children !== 'string') return null;
    out.push(c.children);
  }
  return out;
}

function responseText(entry: ResponseEntry): string {
  let out = '';
  writeResponse(entry, { text: (s) => { out += s; }, bytes: (b) => { out += b.toString('utf8'); } });
  return out;
}

/**
 * One expand-property request: its user, its budget of expansions, the resources it resolved and
 * the responses it rendered. A href met again under the same `<property>` element (every member's
 * owner in a Depth 1 request) reuses its rendering, so only distinct expansions count.
 */
class Expander {
  private expansions = 0;
  private readonly resolved = new Map<string, Promise<Resource | number>>();
  private readonly rendered = new Map<PropertySpec[], Map<string, Promise<XmlChild>>>();

  constructor(private readonly req: DavRequest, private readonly svc: DavServices) {}

  async propstats(r: Resource, specs: PropertySpec[]): Promise<PropStat[]> {
    const names = [...new Set(specs.map((s) => s.name))];
    const ctx: PropContext = { store: this.svc.store, config: this.svc.config, user: this.req.user };
    if (r.kind === 'home') ctx.homeSeq = await homeSeqFor(this.svc.store, r.user, r.device, r.home);
    const stats = await propstatsFor(r, { type: 'prop', names }, ctx);
    const nestedOf = new Map(specs.filter((s) => s.nested.length > 0).map((s) => [s.name, s.nested]));
    if (nestedOf.size === 0) return stats;
    const out: PropStat[] = [];
    for (const ps of stats) {
      if (ps.status !== 200) {
        out.push(ps);
        continue;
      }
      const props: PropValue[] = [];
      for (const p of ps.props) {
        const nested = nestedOf.get(p.name);
        const hrefs = nested ? hrefList(p.value) : null;
        if (!nested || !hrefs) {
          props.push(p);
          continue;
        }
        const responses: XmlChild[] = [];
        for (const href of hrefs) responses.push(await this.expand(href, nested));
        props.push({ name: p.name, value: responses });
      }
      out.push({ ...ps, props });
    }
    return out;
  }

  /**
   * The `<response>` replacing one href: the nested properties, or the status of why not. Past
   * the budget a href is answered in place with 507 (as sync-collection marks a truncation, RFC
   * 6578 §3.6) rather than failing a response that may already be streaming.
   */
  private expand(href: string, specs: PropertySpec[]): Promise<XmlChild> {
    let bySpecs = this.rendered.get(specs);
    if (!bySpecs) this.rendered.set(specs, (bySpecs = new Map()));
    const known = bySpecs.get(href);
    if (known) return known;
    if (this.expansions >= MAX_EXPANSIONS) return Promise.resolve(bareResponse(href, 507));
    this.expansions++;
    const p = this.render(href, specs);
    bySpecs.set(href, p);
    return p;
  }

  private async render(href: string, specs: PropertySpec[]): Promise<XmlChild> {
    const target = await this.target(href);
    if (typeof target === 'number') return bareResponse(href, target);
    return { raw: responseText({ href: target.href, propstats: await this.propstats(target, specs) }) };
  }

  private target(href: string): Promise<Resource | number> {
    let p = this.resolved.get(href);
    if (!p) {
      p = this.resolveHref(href);
      this.resolved.set(href, p);
    }
    return p;
  }

  private async resolveHref(href: string): Promise<Resource | number> {
    // Only this server's URLs can be followed; mailto: and other schemes name no resource here.
    if (!href.startsWith('/') && !/^https?:/i.test(href)) return 404;
    const path = hrefToPath(href, this.req.origin);
    if (path === null) return 404;
    try {
      const r = await resolve(this.svc.store, this.req.user, path, { device: this.req.device });
      return r.kind === 'missing' ? 404 : r;
    } catch (err) {
      if (err instanceof DavError && err.status >= 400 && err.status < 500) return err.status === 403 ? 403 : 404;
      throw err;
    }
  }
}

/** A response naming a href as the property gave it (still encoded) with a bare status. */
function bareResponse(encodedHref: string, status: number): XmlNode {
  return el(DAV.response, [el(DAV.href, encodedHref), el(DAV.status, statusLine(status))]);
}

export async function expandProperty(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  // RFC 3253 §3.6: the report applies to the resources in the Depth scope; 0 when absent.
  const depth = depthOf(req, '0');
  if (depth === 'infinity') throw new DavError(403, null, 'expand-property with Depth: infinity is not supported; use Depth 0 or 1');
  const specs = parseSpecs(root, 0);
  const expander = new Expander(req, svc);
  if (depth === '0') return multistatus([{ href: target.href, propstats: await expander.propstats(target, specs) }]);
  // Depth 1 is streamed like a PROPFIND listing, so a large calendar never sits whole in memory.
  const resources = [target, ...(await membersOf(svc.store, req.user, target))];
  return multistatus(expandedEntries(resources, expander, specs));
}

/**
 * The responses of a Depth 1 expand-property. A module-level function given what it needs, not a
 * closure in the handler: V8 keeps a generator's function context after it finishes, which kept
 * the request's scope alive into the old generation (reports/multiget.ts, where it was measured).
 */
async function* expandedEntries(resources: readonly Resource[], expander: Expander, specs: PropertySpec[]): AsyncGenerator<ResponseEntry> {
  for (let i = 0; i < resources.length; i++) {
    // Properties computed synchronously resolve as microtasks, which never let I/O in: give
    // the event loop a turn every YIELD_EVERY members.
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((done) => setImmediate(done));
    const r = resources[i]!;
    yield { href: r.href, propstats: await expander.propstats(r, specs) };
  }
}
