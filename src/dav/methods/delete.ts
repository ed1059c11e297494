// DELETE (RFC 4918 §9.6): an object, a plain collection with everything below it, or a
// calendar. A sharee deleting a shared calendar removes it from their own home only (the owner's
// data stays): what "delete" means to them in iOS or Thunderbird. The calendar home, principal
// and root cannot be deleted.
import type { MethodHandler } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import { writeConditions } from '../conditional.js';
import { requireWrite } from '../privileges.js';
import { translated } from '../store-errors.js';

export const del: MethodHandler = async (req, svc, resource) => {
  const store = svc.store;
  switch (resource.kind) {
    case 'object':
      requireWrite(resource.parent, 'unbind');
      await translated(() => store.deleteObject(resource.parent.collection.id, resource.name, writeConditions(req)));
      return { status: 204, body: null };
    case 'calendar':
      if (resource.access !== 'owner') {
        await translated(() => store.unshare(resource.collection.id, resource.user.id));
        return { status: 204, body: null };
      }
      await translated(() => store.deleteCollection(resource.collection.id));
      return { status: 204, body: null };
    case 'collection':
      await translated(() => store.deleteCollection(resource.collection.id));
      return { status: 204, body: null };
    case 'missing':
      throw notFound();
    default:
      throw forbidden('This resource cannot be deleted');
  }
};
