// RFC 3744 privilege checks. A read-only share answers writes with 403 and DAV:need-privileges
// naming the missing privilege (SPEC "Sharing"), so clients can show why.
import { accessOf, type Resource } from './resources.js';
import { needPrivileges } from './errors.js';

/** Writing content of an existing resource (PUT over, DELETE of a member, PROPPATCH). */
export function requireWrite(r: Resource, privilege: 'write-content' | 'write-properties' | 'bind' | 'unbind' = 'write-content'): void {
  const access = accessOf(r);
  if (access === 'owner' || access === 'read-write') return;
  throw needPrivileges(r.href, privilege);
}

/** Changing the collection itself (delete, rename, sharing): owner only. */
export function requireOwner(r: Resource, privilege: 'unbind' | 'write-properties' | 'all' = 'unbind'): void {
  if (accessOf(r) === 'owner') return;
  throw needPrivileges(r.href, privilege);
}
