// The Store contract (ARCHITECTURE "One store contract, run against every implementation"): every
// implementation of src/store/types.ts runs it. One section per interface, in contract/<name>.ts
// beside the interface's src/store/<name>.ts; storeContract runs them all for one backend, and a
// backend under construction may run single sections. Each test gets a fresh, empty store.
import { addressbooksContract } from './contract/addressbooks.js';
import { changesContract } from './contract/changes.js';
import { collectionsContract } from './contract/collections.js';
import { countersContract } from './contract/counters.js';
import { deadPropertiesContract } from './contract/dead-properties.js';
import { devicesContract } from './contract/devices.js';
import { feedsContract } from './contract/feeds.js';
import { groupsContract } from './contract/groups.js';
import type { StoreFactory } from './contract/helpers.js';
import { instancesContract } from './contract/instances.js';
import { objectsContract } from './contract/objects.js';
import { schedulingContract } from './contract/scheduling.js';
import { sessionsContract } from './contract/sessions.js';
import { sharesContract } from './contract/shares.js';
import { usersContract } from './contract/users.js';

export type { StoreFactory } from './contract/helpers.js';

/** Every section, by the name of the interface file it checks. */
export const contractSections: Record<string, (backend: string, makeStore: StoreFactory) => void> = {
  users: usersContract,
  collections: collectionsContract,
  instances: instancesContract,
  shares: sharesContract,
  objects: objectsContract,
  changes: changesContract,
  'dead-properties': deadPropertiesContract,
  feeds: feedsContract,
  addressbooks: addressbooksContract,
  groups: groupsContract,
  devices: devicesContract,
  scheduling: schedulingContract,
  sessions: sessionsContract,
  counters: countersContract,
};

/** Runs every section of the contract against stores made by makeStore, named `backend` in the output. */
export function storeContract(backend: string, makeStore: StoreFactory): void {
  for (const section of Object.values(contractSections)) section(backend, makeStore);
}
