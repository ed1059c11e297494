// Apple iCal extensions stored as live properties of a calendar: colour and order. iOS/macOS
// and Thunderbird read the colour at discovery; macOS writes both (CLIENTS.md §1.2, §2.1).
import { APPLE } from '../../xml/names.js';
import { textOf } from '../../xml/parse.js';
import { PropertyRejected, defineProperty } from './registry.js';

// #RRGGBB or #RRGGBBAA as Apple sends it; Thunderbird cuts the alpha itself.
const COLOR = /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/;

defineProperty({
  name: APPLE.calendarColor, kinds: ['calendar'], allprop: false, protected: false,
  get: (r) => (r.kind === 'calendar' ? r.collection.color ?? undefined : undefined),
  set: (_r, value) => {
    if (value === null) return { color: null };
    const text = textOf(value).trim();
    // Lenient: clients send other notations too; only absurd values are refused.
    if (!COLOR.test(text) && (text.length > 64 || /[\r\n<>]/.test(text))) throw new PropertyRejected(409, 'calendar-color must be a colour such as #RRGGBB');
    return { color: text };
  },
});

defineProperty({
  name: APPLE.calendarOrder, kinds: ['calendar'], allprop: false, protected: false,
  get: (r) => (r.kind === 'calendar' && r.collection.order !== null ? String(r.collection.order) : undefined),
  set: (_r, value) => {
    if (value === null) return { order: null };
    const text = textOf(value).trim();
    if (!/^-?\d{1,9}$/.test(text)) throw new PropertyRejected(409, 'calendar-order must be an integer');
    return { order: Number(text) };
  },
});
