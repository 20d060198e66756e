import { escapeHtml } from './account-page.ts';

/** Small builders for the pages' forms; every value that reaches HTML goes through escapeHtml. */

export interface FieldOptions {
  type?: 'text' | 'email' | 'password' | 'hidden';
  autocomplete?: string;
  value?: string;
  required?: boolean;
  /** Numeric one-time codes: digits keyboard on phones, monospace. */
  code?: boolean;
  id?: string;
  autofocus?: boolean;
}

export function field(name: string, label: string, o: FieldOptions = {}): string {
  const id = o.id ?? `f-${name}`;
  const attrs = [
    `id="${escapeHtml(id)}"`,
    `name="${escapeHtml(name)}"`,
    `type="${o.type ?? 'text'}"`,
    o.autocomplete === undefined ? '' : `autocomplete="${escapeHtml(o.autocomplete)}"`,
    o.value === undefined ? '' : `value="${escapeHtml(o.value)}"`,
    o.required === false ? '' : 'required',
    o.code === true ? 'class="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="8"' : '',
    o.autofocus === true ? 'autofocus' : '',
    'spellcheck="false"',
  ].filter((a) => a !== '');
  return `<label for="${escapeHtml(id)}">${escapeHtml(label)}</label><input ${attrs.join(' ')}>`;
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function errorBox(message: string | undefined): string {
  return message === undefined ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`;
}

export function paragraph(text: string, cls?: string): string {
  return `<p${cls === undefined ? '' : ` class="${cls}"`}>${escapeHtml(text)}</p>`;
}

export function form(action: string, csrf: string, inner: string[], submit: string): string {
  return [`<form method="post" action="${escapeHtml(action)}">`, hidden('csrf', csrf), ...inner, `<button type="submit">${escapeHtml(submit)}</button>`, '</form>'].join('\n');
}

export function links(items: readonly (readonly [href: string, text: string])[]): string {
  return `<nav>${items.map(([href, text]) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`).join('')}</nav>`;
}
