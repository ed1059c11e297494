// The address book of the bench's address-book run (issue 14 item 7): N deterministic cards as
// real clients write them. Half are vCard 3.0 as iOS/macOS Contacts writes them (grouped
// item1.EMAIL with X-ABLabel, TYPE lists, an X-ABUID-style UID, PRODID), half vCard 4.0 as
// DAVx5 and Thunderbird write them (urn:uuid UIDs, PREF, KIND). Names mix ASCII and non-ASCII
// (Müller, Łukasz, Çelik…), so that the i;unicode-casemap text-match has folding to do; about
// one card in 20 carries a small inline PHOTO, as on a phone.
import { Prng } from './prng.js';

export interface BenchCard {
  /** Resource name (`<uid>.vcf`). */
  name: string;
  uid: string;
  fn: string;
  emails: string[];
  version: '3.0' | '4.0';
  text: string;
}

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Fatima', 'Georg', 'Hana', 'Ines', 'Jakub', 'Kenji', 'Léa', 'Łukasz', 'Maria', 'Nils', 'Olga', 'Pedro', 'Quentin', 'Rūta', 'Søren', 'Tomás', 'Uwe', 'Vera', 'Wei', 'Xavier', 'Yusuf', 'Zoë'];
const LAST = ['Müller', 'Smith', 'García', 'Nowak', 'Çelik', 'Rossi', 'Dubois', 'Jensen', 'Kowalski', 'Schmidt', 'Tanaka', 'Novák', 'Öztürk', 'Bianchi', 'Fischer', 'Martin', 'Andersson', 'Ivanova', 'Papadopoulos', 'Weiß'];
const ORGS = ['Example GmbH', 'ACME Corp.', 'Université de Lyon', 'Stadtwerke', 'Northwind', 'Contoso Ltd', ''];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'posteo.example', 'uni-example.de'];

function asciiLocal(s: string): string {
  return s.normalize('NFKD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

function hex(rng: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

/** RFC 6350 §3.2: lines longer than 75 octets are folded (clients fold at 75 characters). */
function fold(line: string): string {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let i = 75; i < line.length; i += 74) parts.push(' ' + line.slice(i, i + 74));
  return parts.join('\r\n');
}

/** Text values escaped (RFC 6350 §3.4). */
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\n/g, '\\n');

export function generateCards(n: number, seed: string): BenchCard[] {
  const rng = new Prng(`${seed}/cards`);
  const cards: BenchCard[] = [];
  for (let i = 0; i < n; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const fn = `${first} ${last}`;
    const version: '3.0' | '4.0' = i % 2 === 0 ? '3.0' : '4.0';
    const uuid = `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-a${hex(rng, 3)}-${hex(rng, 12)}`;
    const uid = version === '3.0' ? uuid.toUpperCase() : `urn:uuid:${uuid}`;
    const local = `${asciiLocal(first)}.${asciiLocal(last)}${i}`;
    const emails = [`${local}@${rng.pick(DOMAINS)}`];
    if (rng.chance(0.4)) emails.push(`${asciiLocal(first)}${i}@${rng.pick(DOMAINS)}`);
    const org = rng.pick(ORGS);
    const tel = `+49 30 ${rng.int(1000000, 9999999)}`;
    const lines = ['BEGIN:VCARD', `VERSION:${version}`];
    if (version === '3.0') {
      lines.push('PRODID:-//Apple Inc.//iOS 17.5//EN', `N:${esc(last)};${esc(first)};;;`, `FN:${esc(fn)}`);
      if (org) lines.push(`ORG:${esc(org)};`);
      lines.push(`item1.EMAIL;type=INTERNET;type=pref:${emails[0]}`, 'item1.X-ABLabel:_$!<Other>!$_');
      if (emails[1]) lines.push(`EMAIL;type=INTERNET;type=HOME:${emails[1]}`);
      lines.push(`TEL;type=CELL;type=VOICE;type=pref:${tel}`);
      if (rng.chance(0.5)) lines.push(`item2.ADR;type=HOME;type=pref:;;Hauptstraße ${rng.int(1, 200)};Berlin;;${rng.int(10000, 14999)};Deutschland`, 'item2.X-ABADR:de');
      if (rng.chance(0.2)) lines.push(`NOTE:${esc(`Met at the conference in ${2015 + (i % 10)}; call back, re: project ${i}`)}`);
      if (rng.chance(0.05)) lines.push(`PHOTO;ENCODING=b;TYPE=JPEG:${Buffer.from(hex(rng, 1500)).toString('base64')}`);
      lines.push(`UID:${uid}`, `REV:2026-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`);
    } else {
      lines.push('PRODID:ez-vcard 0.11.3', `UID:${uid}`, `FN:${esc(fn)}`, `N:${esc(last)};${esc(first)};;;`);
      if (org) lines.push(`ORG:${esc(org)}`);
      lines.push(`EMAIL;TYPE=work;PREF=1:${emails[0]}`);
      if (emails[1]) lines.push(`EMAIL;TYPE=home:${emails[1]}`);
      lines.push(`TEL;TYPE=cell;VALUE=uri:tel:${tel.replace(/ /g, '-')}`);
      if (rng.chance(0.3)) lines.push(`BDAY:${1950 + (i % 50)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`);
      if (rng.chance(0.05)) lines.push(`PHOTO:data:image/jpeg;base64,${Buffer.from(hex(rng, 1500)).toString('base64')}`);
      lines.push(`REV:2026060${i % 10}T100000Z`);
    }
    lines.push('END:VCARD');
    const text = lines.map(fold).join('\r\n') + '\r\n';
    cards.push({ name: `${uuid}.vcf`, uid, fn, emails, version, text });
  }
  return cards;
}

/** A changed copy of a card (incremental sync rounds): a NOTE with the round. */
export function modifyCard(card: BenchCard, round: number): BenchCard {
  const text = card.text.replace(/END:VCARD\r\n$/, `X-BENCH-ROUND:${round}\r\nEND:VCARD\r\n`).replace(/X-BENCH-ROUND:\d+\r\n(?=X-BENCH-ROUND)/, '');
  return { ...card, text };
}

/** The cards a FN-or-EMAIL `contains` text-match (i;unicode-casemap) finds, computed plainly. */
export function expectedQueryHits(cards: readonly BenchCard[], term: string): Set<string> {
  const fold = (s: string) => s.normalize('NFKD').toUpperCase();
  const t = fold(term);
  return new Set(cards.filter((c) => fold(c.fn).includes(t) || c.emails.some((e) => fold(e).includes(t))).map((c) => c.name));
}
