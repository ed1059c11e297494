// sundial group add|list|show|members|delete|share — groups of users (issue 15 item 6): the same
// operations as the page's Groups section and /api/groups (services/groups.ts).
import { addGroup, addMember, groupNamed, groupView, listGroupViews, removeGroup, removeMember, setMembers, shareWithGroup, unshareWithGroup } from '../services/groups.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const groupUsage = `Usage:
  sundial group add <group> [--name "Display Name"] [--email ADDR] [<user>...]
                                        create a group (optionally with members)
  sundial group list                    groups with their members
  sundial group members <group>         list the members
  sundial group members <group> <user>... --set     make exactly these users the members
  sundial group members <group> --add <user> | --remove <user>   one member in or out
  sundial group delete <group>          delete a group (members lose what was shared with it)
  sundial group share <group> <owner> <calendar> read|read-write   share a calendar with the group
  sundial group share <group> <owner> <calendar> --remove          stop sharing it
  sundial group share --addressbook <group> <owner> <addressbook> read|read-write|--remove   the same for an address book
The group's principal is /dav/groups/<group>/; members join and leave in one transaction.`;

/** Takes `--flag VALUE` out of flags; the rest are server options. */
function takeValue(flags: string[], name: string): { value: string | undefined; rest: string[] } {
  const at = flags.findIndex((f) => f === name || f.startsWith(`${name}=`));
  if (at < 0) return { value: undefined, rest: flags };
  const f = flags[at]!;
  if (f.includes('=')) return { value: f.slice(name.length + 1), rest: flags.filter((_, i) => i !== at) };
  const value = flags[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value\n\n${groupUsage}`);
  return { value, rest: flags.filter((_, i) => i !== at && i !== at + 1) };
}

export async function groupCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags: all } = splitArgs(args, ['--set', '--remove', '--addressbook']);
  const set = all.includes('--set');
  let flags = all.filter((f) => f !== '--set');
  const [sub, name, ...rest] = positional;
  const needName = () => {
    if (!name) throw new UsageError(groupUsage);
    return name;
  };
  switch (sub) {
    case 'add': {
      const display = takeValue(flags, '--name');
      const email = takeValue(display.rest, '--email');
      const group = needName();
      return withStore(io, email.rest, async (store) => {
        const g = await asUsage(() => addGroup(store, { name: group, displayName: display.value, email: email.value, members: rest.length ? rest : undefined }));
        io.out(`created group ${g.name} ("${g.displayName}", ${g.principal})${g.members.length ? ` with ${g.members.join(', ')}` : ''}`);
        return 0;
      });
    }
    case 'list':
      if (name) throw new UsageError(groupUsage);
      return withStore(io, flags, async (store) => {
        for (const g of await listGroupViews(store)) io.out([g.name, g.displayName, g.email ?? '-', g.members.join(',') || '-'].join('\t'));
        return 0;
      });
    case 'members': {
      const group = needName();
      const add = takeValue(flags, '--add');
      flags = add.rest;
      const removed = flags.indexOf('--remove');
      let drop: string | undefined;
      if (removed >= 0) {
        // --remove is boolean for `group share`; here it takes the user as the next positional.
        drop = rest[0];
        if (!drop) throw new UsageError(`--remove needs a user\n\n${groupUsage}`);
        flags = flags.filter((_, i) => i !== removed);
      }
      const changes = [set, add.value !== undefined, drop !== undefined].filter(Boolean).length;
      if (changes > 1) throw new UsageError(`give one of --set, --add, --remove\n\n${groupUsage}`);
      if (changes === 0 && rest.length > 0) throw new UsageError(`to replace the members, add --set\n\n${groupUsage}`);
      return withStore(io, flags, async (store) => {
        if (set) await asUsage(() => setMembers(store, group, rest));
        else if (add.value !== undefined) await asUsage(() => addMember(store, group, add.value!));
        else if (drop !== undefined) await asUsage(() => removeMember(store, group, drop!));
        const g = await asUsage(async () => groupView(store, await groupNamed(store, group)));
        for (const m of g.members) io.out(m);
        if (changes > 0) io.err(`${g.name}: ${g.members.length} member${g.members.length === 1 ? '' : 's'}`);
        return 0;
      });
    }
    case 'delete': {
      const group = needName();
      if (rest.length) throw new UsageError(groupUsage);
      return withStore(io, flags, async (store) => {
        await asUsage(() => removeGroup(store, group));
        io.out(`deleted group ${group}`);
        return 0;
      });
    }
    case 'share': {
      const group = needName();
      const remove = flags.includes('--remove');
      const home = flags.includes('--addressbook') ? 'addressbooks' : 'calendars';
      flags = flags.filter((f) => f !== '--remove' && f !== '--addressbook');
      const [ownerName, calendar, access] = rest;
      if (!ownerName || !calendar || (!remove && !access) || (remove && access)) throw new UsageError(groupUsage);
      return withStore(io, flags, async (store) => {
        const owner = await userNamed(store, ownerName, groupUsage);
        if (remove) {
          await asUsage(() => unshareWithGroup(store, owner, calendar, group, home));
          io.out(`${calendar} of ${owner.username} is no longer shared with group ${group}`);
        } else {
          await asUsage(() => shareWithGroup(store, owner, calendar, group, access, home));
          io.out(`${calendar} of ${owner.username} shared with group ${group} (${access})`);
        }
        return 0;
      });
    }
    default:
      throw new UsageError(groupUsage);
  }
}
