// sundial device add|list|select|revoke|policy — a user's devices and their app passwords
// (issue 16), as the page's "Devices" does them.
import { addDevice, devicePolicy, listDevices, revokeDevice, selectForDevice, type DeviceJson } from '../services/devices.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const deviceUsage = `Usage:
  sundial device add <user> <name>          create a device; prints its app password (shown once) on the last line
  sundial device list <user>                the user's devices: name, created, last use, last client, what it syncs
  sundial device select <user> <device> --follow
                                            the device lists what the Synchronization switches list (the default)
  sundial device select <user> <device> [<calendar>...] [--addressbook <addressbook>]...
                                            the device lists exactly these calendars and address books (their
                                            names in the user's calendar home and address-book home); give at
                                            least one of either
  sundial device revoke <user> <device>     the device's password stops working at once
  sundial device policy <user> [on|off|default]
                                            "devices must use app passwords": show, or set (default: the server's)

<device> is the device's name (or its number from "list"). Calendars and address books are
named apart because their homes are apart: "contacts" may be both a calendar and an address book.`;

/** The values of every --addressbook (repeatable) and the flags left for the server's options. */
function addressBookFlags(flags: string[]): { addressbooks: string[]; rest: string[] } {
  const addressbooks: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f.startsWith('--addressbook=')) addressbooks.push(f.slice('--addressbook='.length));
    else if (f === '--addressbook') {
      const value = flags[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--addressbook needs a value\n\n${deviceUsage}`);
      addressbooks.push(value);
    } else rest.push(f);
  }
  if (addressbooks.some((a) => a === '')) throw new UsageError(`--addressbook needs a value\n\n${deviceUsage}`);
  return { addressbooks, rest };
}

const selectionText = (d: DeviceJson) => (d.follow ? 'follows switches' : `calendars: ${d.calendars.join(', ') || '(none)'}; address books: ${d.addressbooks.join(', ') || '(none)'}`);

export async function deviceCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args, ['--follow']);
  const follow = flags.includes('--follow');
  const { addressbooks, rest: serverFlags } = addressBookFlags(flags.filter((f) => f !== '--follow'));
  const [sub, username, device, ...rest] = positional;
  // Only select takes --addressbook: elsewhere it would be silently ignored.
  if (addressbooks.length > 0 && sub !== 'select') throw new UsageError(deviceUsage);
  return withStore(io, serverFlags, async (store, config) => {
    switch (sub) {
      case 'add': {
        const user = await userNamed(store, username, deviceUsage);
        const name = [device, ...rest].filter((x) => x !== undefined).join(' ');
        if (!name) throw new UsageError(deviceUsage);
        const { device: d, password } = await asUsage(() => addDevice(store, user, name));
        io.out(`created device "${d.name}" for ${user.username}; it follows the Synchronization switches`);
        io.out(`user name: ${user.username}`);
        io.out('app password (shown only now; use it instead of the account password on that device):');
        io.out(password);
        return 0;
      }
      case 'list': {
        const user = await userNamed(store, username, deviceUsage);
        for (const d of await listDevices(store, user)) {
          io.out([d.id, d.name, `created ${d.createdAt}`, `last used ${d.lastUsedAt ?? 'never'}`, d.lastUserAgent ?? '-', selectionText(d)].join('\t'));
        }
        return 0;
      }
      case 'select': {
        const user = await userNamed(store, username, deviceUsage);
        const own = rest.length + addressbooks.length > 0;
        // Exactly one of --follow and an own selection.
        if (!device || follow === own) throw new UsageError(deviceUsage);
        const d = await asUsage(() => selectForDevice(store, user, device, follow ? null : { calendars: rest, addressbooks }));
        io.out(`device "${d.name}" of ${user.username}: ${d.follow ? 'follows the Synchronization switches' : `lists ${selectionText(d)}`}`);
        return 0;
      }
      case 'revoke': {
        const user = await userNamed(store, username, deviceUsage);
        if (!device) throw new UsageError(deviceUsage);
        const d = await asUsage(() => revokeDevice(store, user, device));
        io.out(`revoked device "${d.name}" of ${user.username}`);
        return 0;
      }
      case 'policy': {
        const user = await userNamed(store, username, deviceUsage);
        if (device !== undefined) {
          const value = { on: true, off: false, default: null }[device];
          if (value === undefined) throw new UsageError(deviceUsage);
          await store.setDevicePolicy(user.id, value);
        }
        const p = await devicePolicy(store, user, config.devicePasswordsRequired);
        io.out(`devices must use app passwords for ${user.username}: ${p.required ? 'on' : 'off'}${p.own === null ? ' (server default)' : ''}`);
        return 0;
      }
      default:
        throw new UsageError(deviceUsage);
    }
  });
}
