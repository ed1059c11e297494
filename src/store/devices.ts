// Devices: an app password per device, each with its own choice of what it synchronizes
// (issue 16). Implemented by store/sqlite/devices.ts (`deviceStore`); contract:
// test/store/contract/devices.ts. Only the SHA-256 of an app password is stored; auth/ hashes
// the presented password and looks the hash up here on every request of a device.
import type { Home } from './collections.js';
import type { User } from './users.js';

export interface Device {
  id: number;
  userId: number;
  name: string;
  /** null: the device follows the user's Synchronization switches; else the collection ids it lists. */
  selection: number[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  lastUserAgent: string | null;
}

/** One change of a device's view of its homes (see DeviceStore.deviceChangesSince). */
export interface DeviceChange {
  collectionId: number;
  /** true: came into the device's view; false: left it. */
  listed: boolean;
  seq: number;
}

export interface DeviceStore {
  /** Throws NotFound (user), Conflict when the user has a device of that name or the hash is in use. */
  createDevice(init: { userId: number; name: string; tokenHash: string }): Promise<Device>;
  /** The user's devices, oldest first. */
  listDevices(userId: number): Promise<Device[]>;
  /**
   * The device holding this password hash, with its user, or null (unknown or revoked). Read on
   * every request of a device: an implementation may cache it but must never return a device
   * after its deletion (or a changed selection) committed by anyone, another process included.
   */
  findDeviceByToken(tokenHash: string): Promise<{ device: Device; user: User } | null>;
  /** Records a use; unknown ids are ignored. Moves no sync token. */
  touchDevice(id: number, at: string, userAgent: string | null): Promise<void>;
  /**
   * Sets what the device lists: null = follow the Synchronization switches, else exactly these
   * collections (each must be one the user has an instance of, else NotFound). Collections that
   * enter or leave the device's view are recorded with a new sequence, so that device's home
   * token moves and its sync-collection reports them added or removed; no other device's token
   * and not the user's own home token move. Setting the current view changes nothing. Throws NotFound.
   */
  setDeviceSelection(userId: number, deviceId: number, selection: number[] | null): Promise<Device>;
  /** Revokes the device (its password stops working at once). Throws NotFound. */
  deleteDevice(userId: number, deviceId: number): Promise<void>;
  /**
   * The home token as this device sees it: the user's home token (instance changes, tombstones)
   * with the change sequences of the collections the device lists instead of those the switches
   * list, and the device's own view changes — of one home (default the calendar home).
   */
  deviceHomeSeq(userId: number, deviceId: number, home?: Home): Promise<number>;
  /** Changes of the device's view after seq, one (the latest) per collection, ordered by seq. */
  deviceChangesSince(deviceId: number, seq: number): Promise<DeviceChange[]>;
  /** The user's "devices must use app passwords" choice; null = the server's default. */
  getDevicePolicy(userId: number): Promise<boolean | null>;
  /** Throws NotFound. */
  setDevicePolicy(userId: number, required: boolean | null): Promise<void>;
}
