// What a user does with their devices outside DAV (issue 16) — create one with its app password,
// list, choose what it synchronizes, revoke, and the "devices must use app passwords" setting —
// shared by the page's JSON API (web/devices-api.ts) and the CLI (cli/device.ts).
import type { CalendarInstance, Device, Store, User } from '../store/types.js';
import { Conflict, NotFound } from '../store/errors.js';
import { appPasswordHash, newAppPassword } from '../auth/app-passwords.js';
import { invalid, missing, taken } from './errors.js';

export interface DeviceJson {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  lastUserAgent: string | null;
  /** true: lists what the Synchronization switches list. */
  follow: boolean;
  /** With its own selection: the uris (in the user's calendar home) of the calendars it lists. */
  calendars: string[];
  /** With its own selection: the uris (in the user's address-book home) of the address books it lists. */
  addressbooks: string[];
}

/** What a device with its own selection lists: uris in each of the user's two homes. */
export interface DeviceSelection {
  calendars: string[];
  addressbooks: string[];
}

const MAX_NAME = 100;

/**
 * The device as the API and the CLI show it. `calendars` and `addressbooks` are the instances of
 * the user's two homes: the store's selection is over collection ids, which span both homes
 * (store/sqlite/devices.ts), so each id is named by the uri it has in its own home.
 */
export function deviceJson(d: Device, calendars: CalendarInstance[], addressbooks: CalendarInstance[]): DeviceJson {
  const urisIn = (instances: CalendarInstance[]) => {
    const uriOf = new Map(instances.map((i) => [i.collection.id, i.uri]));
    return (d.selection ?? []).flatMap((id) => uriOf.get(id) ?? []);
  };
  return {
    id: d.id,
    name: d.name,
    createdAt: d.createdAt,
    lastUsedAt: d.lastUsedAt,
    lastUserAgent: d.lastUserAgent,
    follow: d.selection === null,
    calendars: urisIn(calendars),
    addressbooks: urisIn(addressbooks),
  };
}

function checkName(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('a device needs a name');
  const name = raw.trim();
  // Control characters would garble the CLI's tab-separated list and the page.
  if (name === '' || name.length > MAX_NAME || [...name].some((c) => c < ' ' || c === '\u007f')) throw invalid(`a device name is 1 to ${MAX_NAME} printable characters`);
  return name;
}

/**
 * A new device and its app password, which exists nowhere else: show it once. `prepare` makes
 * what the caller shows with the password (links, a QR code) before the device is stored: if it
 * fails, nothing is stored, rather than a device whose password nobody was ever shown.
 */
export async function addDevice<T = undefined>(store: Store, user: User, rawName: unknown, prepare?: (password: string) => T | Promise<T>): Promise<{ device: DeviceJson; password: string; prepared: T }> {
  const name = checkName(rawName);
  const password = newAppPassword();
  const prepared = (prepare ? await prepare(password) : undefined) as T;
  try {
    const d = await store.createDevice({ userId: user.id, name, tokenHash: appPasswordHash(password) });
    return { device: deviceJson(d, [], []), password, prepared };
  } catch (err) {
    if (err instanceof Conflict) throw taken(`you already have a device called "${name}"`);
    throw err;
  }
}

export async function listDevices(store: Store, user: User): Promise<DeviceJson[]> {
  const [devices, [calendars, addressbooks]] = await Promise.all([store.listDevices(user.id), homesOf(store, user)]);
  return devices.map((d) => deviceJson(d, calendars, addressbooks));
}

/** A device by id (the API) or by name, then id (the CLI). */
export async function deviceNamed(store: Store, user: User, ref: string | number): Promise<Device> {
  const devices = await store.listDevices(user.id);
  const d = typeof ref === 'number' ? devices.find((x) => x.id === ref) : devices.find((x) => x.name === ref) ?? devices.find((x) => String(x.id) === ref);
  if (!d) throw missing(`no device "${ref}"`);
  return d;
}

/** The instances of the user's calendar home and address-book home (own and shared in). */
function homesOf(store: Store, user: User): Promise<[CalendarInstance[], CalendarInstance[]]> {
  return Promise.all([store.listInstances(user.id, { home: 'calendars' }), store.listInstances(user.id, { home: 'addressbooks' })]);
}

/**
 * `selection` null: follow the switches; else the uris of the calendars and of the address books
 * the device lists. A uri is looked up in its own home only: "contacts" may name a calendar and an
 * address book at once, and the error says which kind was not found.
 */
export async function selectForDevice(store: Store, user: User, ref: string | number, selection: DeviceSelection | null): Promise<DeviceJson> {
  const d = await deviceNamed(store, user, ref);
  const [calendars, addressbooks] = await homesOf(store, user);
  let ids: number[] | null = null;
  if (selection !== null) {
    const idsIn = (instances: CalendarInstance[], uris: string[], kind: string) => {
      const byUri = new Map(instances.map((i) => [i.uri, i.collection.id]));
      return uris.map((uri) => {
        const id = byUri.get(uri);
        if (id === undefined) throw missing(`no ${kind} "${uri}"`);
        return id;
      });
    };
    ids = [...idsIn(calendars, selection.calendars, 'calendar'), ...idsIn(addressbooks, selection.addressbooks, 'address book')];
  }
  try {
    return deviceJson(await store.setDeviceSelection(user.id, d.id, ids), calendars, addressbooks);
  } catch (err) {
    if (err instanceof NotFound) throw missing(err.message);
    throw err;
  }
}

export async function revokeDevice(store: Store, user: User, ref: string | number): Promise<Device> {
  const d = await deviceNamed(store, user, ref);
  await store.deleteDevice(user.id, d.id);
  return d;
}

/** The user's setting and the effective one (the server's default when the user has none). */
export async function devicePolicy(store: Store, user: User, serverDefault: boolean): Promise<{ required: boolean; own: boolean | null; serverDefault: boolean }> {
  const own = await store.getDevicePolicy(user.id);
  return { required: own ?? serverDefault, own, serverDefault };
}
