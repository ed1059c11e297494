// In-page dialogs instead of window.prompt()/confirm(): a native <dialog> opened with
// showModal(), so focus moves into it and stays there, Escape cancels, and focus returns to the
// button that opened it. Each helper resolves with the answer (null / false when cancelled).
import { h } from './dom.js';
import { t } from './i18n.js';

let counter = 0;

function open(title, body, actions, { onSubmit, danger = false } = {}) {
  return new Promise((resolve) => {
    const id = `dlg-${++counter}`;
    const opener = document.activeElement;
    const form = h('form', { method: 'dialog' });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-body` },
      form);
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(value);
    };
    const cancel = h('button', { type: 'button', class: 'secondary', value: 'cancel', onclick: () => finish(null) }, actions.cancel ?? t('dialog.cancel'));
    const ok = actions.ok ? h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, actions.ok) : null;
    form.append(h('h2', { id: `${id}-title` }, title), h('div', { id: `${id}-body`, class: 'dialog-body' }, body), h('div', { class: 'dialog-actions' }, actions.cancel === false ? null : cancel, ok));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = onSubmit ? onSubmit() : true;
      if (v !== undefined) finish(v);
    });
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector('input, select, textarea') ?? ok ?? cancel;
    first.focus();
  });
}

/** A yes/no question; true when confirmed. */
export async function confirmDialog(title, message, okLabel, { danger = true } = {}) {
  return (await open(title, h('p', {}, message), { ok: okLabel }, { danger })) === true;
}

/** One line of text; null when cancelled or left empty. */
export function textDialog(title, label, value = '', okLabel = t('dialog.save'), { maxlength = 200 } = {}) {
  const input = h('input', { name: 'value', value, required: true, maxlength, autocomplete: 'off' });
  return open(title, h('label', { class: 'field' }, h('span', {}, label), input), { ok: okLabel }, {
    onSubmit: () => (input.value.trim() ? input.value.trim() : undefined),
  });
}

/** A message with an OK button only. */
export function infoDialog(title, body) {
  return open(title, body, { cancel: t('dialog.close') });
}

/** Any form content; `read` returns the answer or undefined to keep the dialog open. */
export function formDialog(title, body, okLabel, read, extra) {
  return open(title, body, { ok: okLabel, ...extra }, { onSubmit: read });
}
