// The page's language: the user's choice (kept in localStorage) or else the server's pick from
// Accept-Language, written into <html lang>. Every string comes from one catalogue per language
// (lang-en.js, lang-de.js, lang-fr.js); English fills any gap. Numbers and dates go through Intl.
import en from './lang-en.js';
import de from './lang-de.js';
import fr from './lang-fr.js';

const CATALOGUES = { en, de, fr };
export const LANGUAGES = [['en', 'English'], ['de', 'Deutsch'], ['fr', 'Français']];
const KEY = 'sundial.lang';

function pick() {
  let saved = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    saved = null;
  }
  if (saved && saved in CATALOGUES) return saved;
  const served = document.documentElement.lang;
  return served in CATALOGUES ? served : 'en';
}

export const lang = pick();
document.documentElement.lang = lang;
const plural = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);

export const num = (n) => numbers.format(n);

/** The catalogue's text for `key`, with {name} placeholders filled; plural entries pick by vars.count. */
export function t(key, vars = {}) {
  let s = CATALOGUES[lang][key] ?? en[key];
  if (s === undefined) return key;
  if (typeof s === 'object') s = s[plural.select(vars.count ?? 0)] ?? s.other;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? (typeof vars[k] === 'number' ? num(vars[k]) : String(vars[k])) : m));
}

/** A server error sentence (the API answers in English) in the page's language, when the catalogue has it. */
export function serverText(message) {
  return CATALOGUES[lang][`server:${message}`] ?? message;
}

export function dateTime(iso) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Fills the static page's [data-i18n] texts and [data-i18n-*] attributes. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['aria-label', 'placeholder', 'title']) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
  }
  document.title = t('page.title');
}

/** Switches the language: remembered, and the page is loaded again in it. */
export function switchLanguage(code) {
  if (!(code in CATALOGUES) || code === lang) return;
  try {
    localStorage.setItem(KEY, code);
  } catch {
    // No storage (private mode in some browsers): the switch lasts for this load only.
  }
  location.reload();
}
