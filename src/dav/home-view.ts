// A home as the requesting device sees it (issue 16, services/device-view.ts): the instances it
// lists, its sync token and getctag, and what its sync-collection reports removed. Without a
// device, or for a device that follows the Synchronization switches, this is the user's home as
// before; a device with its own selection gets its own listing and its own token, which moves
// when its selection changes (store/sqlite/devices.ts) and with the collections it lists.
import type { CalendarInstance, Home, HomeChange, Store, User } from '../store/types.js';
import { listedFor, type DeviceView } from '../services/device-view.js';
import { translated } from './store-errors.js';

export type { DeviceView };

/** The instances the home lists for this device, in the home's order. */
export async function listedInstances(store: Store, user: User, device: DeviceView | null | undefined, home: Home): Promise<CalendarInstance[]> {
  if (!device?.selection) return store.listInstances(user.id, { syncOnly: true, home });
  return (await store.listInstances(user.id, { home })).filter((i) => listedFor(i, device));
}

/** The home's change sequence (sync token, getctag) for this device. */
export function homeSeqFor(store: Store, user: User, device: DeviceView | null | undefined, home: Home): Promise<number> {
  return device ? store.deviceHomeSeq(user.id, device.id, home) : store.homeSeq(user.id, home);
}

/**
 * What changed in the home since seq for this device: the listed instances changed since (by
 * their own change, a change inside, or entering the device's view), and the uris to report
 * removed (home tombstones, and instances that left the device's view, not listed now).
 */
export async function homeDelta(store: Store, user: User, device: DeviceView | null | undefined, seq: number | null, home: Home): Promise<{ changed: CalendarInstance[]; removed: HomeChange[] }> {
  const all = device ? await store.listInstances(user.id, { home }) : null;
  const instances = all ? all.filter((i) => listedFor(i, device)) : await store.listInstances(user.id, { syncOnly: true, home });
  if (seq === null) return { changed: instances, removed: [] };
  const entered = new Set<number>();
  const left: HomeChange[] = [];
  if (device) {
    const byId = new Map(all!.map((i) => [i.collection.id, i]));
    for (const c of await store.deviceChangesSince(device.id, seq)) {
      if (c.listed) entered.add(c.collectionId);
      else {
        const i = byId.get(c.collectionId);
        // Gone from the home entirely: the home tombstone of its removal reports it.
        if (i) left.push({ uri: i.uri, removed: true, seq: c.seq });
      }
    }
  }
  const changed = instances.filter((i) => i.changedSeq > seq || i.collection.syncSeq > seq || entered.has(i.collection.id));
  const listed = new Set(instances.map((i) => i.uri));
  const tombstones = await translated(() => store.homeChangesSince(user.id, seq, home));
  const seen = new Set<string>();
  const removed: HomeChange[] = [];
  for (const t of [...tombstones, ...left]) {
    if (listed.has(t.uri) || seen.has(t.uri)) continue;
    seen.add(t.uri);
    removed.push(t);
  }
  return { changed, removed };
}
