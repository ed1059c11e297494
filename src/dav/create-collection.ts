// Shared by MKCOL (RFC 5689; address books by RFC 6352 §6.3.1) and MKCALENDAR (RFC 4791 §5.3.1):
// validate the initial properties
// against a provisional resource, refuse them all with a *-response body naming each failure,
// or create the collection with its live and dead properties in one store transaction.
import { CALDAV } from '../xml/names.js';
import { xmlDocument, el, propstatXml } from '../xml/serialize.js';
import type { Collection, ComponentType } from '../store/types.js';
import type { DavResponse, DavServices } from './handler-types.js';
import { instanceResource, type ParentResource, type Resource } from './resources.js';
import { parseInstructions, validateInstructions, failureStats } from './property-update.js';
import { translated } from './store-errors.js';
import { requireWrite } from './privileges.js';
import { forbidden } from './errors.js';

const COMPONENTS: readonly ComponentType[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];
/**
 * A calendar created without a supported-calendar-component-set takes events, to-dos and
 * journals (SPEC "Calendars"): jtx Board syncs journals through DAVx5 into calendars it makes
 * with a plain MKCALENDAR. A client that names a set gets exactly that set.
 */
export const DEFAULT_COMPONENTS: readonly ComponentType[] = ['VEVENT', 'VTODO', 'VJOURNAL'];

export async function createCollectionWithProps(
  svc: DavServices,
  target: Extract<Resource, { kind: 'missing' }>,
  parent: ParentResource,
  kind: 'calendar' | 'addressbook' | 'plain',
  instructions: ReturnType<typeof parseInstructions>,
  responseName: string,
): Promise<DavResponse> {
  requireWrite(parent, 'bind');
  if (parent.kind === 'calendar' || parent.kind === 'addressbook') throw forbidden(`Collections cannot be created inside a${parent.kind === 'calendar' ? ' calendar' : 'n address book'}`);
  const now = new Date().toISOString();
  const home = parent.kind === 'home' ? parent.home : parent.collection.home;
  const provisional: Collection = {
    id: 0, ownerId: target.user.id, home, parentId: parent.kind === 'collection' ? parent.collection.id : null, uri: target.name, kind,
    displayName: null, description: null, color: null, order: null, timezone: null, components: [], syncSeq: 0, objectCount: 0, createdAt: now, modifiedAt: now,
  };
  const provisionalResource: Resource = kind !== 'plain'
    ? instanceResource(target.user, { userId: target.user.id, collection: provisional, home, uri: target.name, access: 'owner', syncEnabled: true, changedSeq: 0 }, target.href)
    : { kind: 'collection', user: target.user, collection: provisional, segments: [], href: target.href };

  // supported-calendar-component-set is protected afterwards but settable at creation (§5.2.3).
  let components: ComponentType[] | undefined;
  const failures = new Map<string, { status: number; condition?: string; message: string }>();
  const rest = instructions.filter((i) => {
    if (i.name !== CALDAV.supportedCalendarComponentSet || kind !== 'calendar') return true;
    const names = (i.element?.children ?? []).filter((c) => c.name === CALDAV.comp).map((c) => (c.attrs.name ?? '').toUpperCase());
    if (names.length === 0 || names.some((n) => !COMPONENTS.includes(n as ComponentType))) {
      failures.set(i.name, { status: 403, condition: CALDAV.supportedCalendarComponent, message: 'unsupported component in supported-calendar-component-set' });
    } else components = [...new Set(names)] as ComponentType[];
    return false;
  });
  // The same bounds as PROPPATCH (--max-property-size, --max-dead-properties): a new collection
  // starts with no dead properties of its own.
  const outcome = validateInstructions(provisionalResource, rest, { limits: { maxPropertySize: svc.config.maxPropertySize, maxDeadProperties: svc.config.maxDeadProperties } });
  for (const [k, v] of outcome.failures) failures.set(k, v);
  if (failures.size > 0) {
    // Nothing is created. MKCALENDAR answers 207 with a propstat per property (RFC 4791
    // §5.3.1.1); extended MKCOL answers 403 with the same body (RFC 5689 §3, example §5.2).
    const body = xmlDocument(el(responseName, [{ raw: failureStats(instructions, failures).map(propstatXml).join('') }]));
    const status = responseName === CALDAV.mkcalendarResponse ? 207 : 403;
    return { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body };
  }
  await translated(() => svc.store.createCollection(target.user.id, {
    uri: target.name,
    kind,
    parentId: provisional.parentId,
    home,
    ...outcome.live,
    ...(kind === 'calendar' ? { components: components ?? [...DEFAULT_COMPONENTS] } : {}),
    deadProperties: outcome.dead.filter((d): d is { name: string; xml: string } => d.xml !== null),
  }));
  return { status: 201, headers: { 'Content-Length': '0' }, body: null };
}
