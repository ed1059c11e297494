// Helpers shared by the page's modules (app.js, feeds.js, agenda.js): building elements without
// ever parsing user text as HTML, the status line, copying to the clipboard, and JSON API calls
// carrying the CSRF token.
import { serverText, t } from './i18n.js';

let csrf = null;

/** The session's CSRF token, sent with every change (docs/api.md). */
export function setCsrf(token) {
  csrf = token;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export function say(message, error = false) {
  const s = document.querySelector('#status');
  if (!s) return;
  s.textContent = message;
  s.classList.toggle('error', error);
}

/** Copies `text`; outside secure contexts (plain http other than localhost) selects `input` and uses execCommand. */
export async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    if (input) {
      input.focus();
      input.select();
    }
    document.execCommand('copy');
  }
  say(t('copied'));
}

/** A long URL shown shortened (ellipsis in the middle of the line, full text in a read-only field) with a copy button. */
export function urlField(label, url, { several = false } = {}) {
  const input = h('input', { type: 'text', readonly: true, value: url, 'aria-label': label, class: 'url-field', spellcheck: 'false' });
  const scheme = url.slice(0, url.indexOf(':'));
  const text = t('copy.scheme', { scheme });
  // Several copy buttons in one list: each name starts with its visible text (WCAG 2.5.3) and says which URL.
  return h('div', { class: 'url-row' }, input,
    h('button', { type: 'button', class: 'secondary', 'aria-label': several ? t('copy.named', { text, label }) : null, onclick: () => copy(url, input) }, text));
}

/** Calls the JSON API; `contentType` sends `body` as it is (an .ics upload) instead of JSON. */
export async function api(method, path, body, contentType) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const payload = body === undefined ? undefined : contentType ? body : JSON.stringify(body);
  const res = await fetch(`/api${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.message ? serverText(data.message) : `${res.status}`);
    err.status = res.status;
    err.code = data.error;
    throw err;
  }
  return data;
}
