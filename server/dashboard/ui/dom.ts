/**
 * Building the page: h() makes an element with attributes, listeners and
 * children, and every text it is given becomes a text node (never HTML); the
 * small pieces every page uses (a card, a table, a badge, a figure) build on it.
 */

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value') {
      (el as HTMLInputElement).value = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  el.append(...present(children.flat()));
  return el;
}

/** The children that are something, numbers as text. */
function present(children: Child[]): (Node | string)[] {
  return children
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (typeof child === 'number' ? String(child) : child));
}

/** Replaces what the page's main area shows. */
export function show(...nodes: Child[]): void {
  document.getElementById('main')!.replaceChildren(...present(nodes));
}

export function badge(text: string, kind = text): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** A figure with its label; `id` names it for tests (data-stat). */
export function stat(label: string, value: string | number, id?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': id }, h('div', { class: 'value' }, value), label);
}

export function section(title: string, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

/** A table of `rows` under `headers`; "none" when there are no rows. */
export function table(headers: string[], rows: Child[][]): HTMLElement {
  if (!rows.length) return h('p', { class: 'hint' }, 'none');
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        // An empty header (a column of buttons) is named for screen readers.
        headers.map((t) =>
          h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'actions')),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

/** A modal dialog, removed from the page once closed. */
export function dialog(...children: Child[]): HTMLDialogElement {
  const el = h('dialog', {}, ...children);
  document.body.append(el);
  el.addEventListener('close', () => el.remove());
  el.showModal();
  return el;
}
