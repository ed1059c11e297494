// Which collections a device lists in its homes (issue 16): the one rule, over collection ids, so
// it covers calendars and address books alike. A device without its own selection (and a request
// made with the account password) lists what the user's Synchronization switches list; a device
// with its own selection lists exactly that selection. Either way a collection left out still
// answers at its URL, as a switched-off one does: the view governs the home listings, their
// sync-collection and their tokens only. store/sqlite/devices.ts states the same rule in SQL for
// the device's home token (LISTED_FOR_DEVICE).
import type { Device } from '../store/types.js';

/** The device a request was authenticated with, as the DAV handlers need it. */
export interface DeviceView {
  id: number;
  name: string;
  /** null: follows the Synchronization switches. */
  selection: ReadonlySet<number> | null;
}

export function deviceView(d: Device): DeviceView {
  return { id: d.id, name: d.name, selection: d.selection === null ? null : new Set(d.selection) };
}

/** Whether a home lists this instance for this device (null: no device, the account password). */
export function listedFor(instance: { collection: { id: number }; syncEnabled: boolean }, device: DeviceView | null | undefined): boolean {
  return device?.selection ? device.selection.has(instance.collection.id) : instance.syncEnabled;
}
