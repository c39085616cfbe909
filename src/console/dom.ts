// A tiny element builder. Text is always set as text (never parsed as HTML), so nothing the API
// returns can inject markup into the page.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'className') element.className = String(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces an element's content. */
export function fill(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export const dateTime = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

/** A hash is never shown whole: its first characters are enough to tell identifiers apart. */
export const shortHash = (hash: string) => (hash.length > 10 ? `${hash.slice(0, 8)}…` : hash);

/** A status line screen readers announce (role=status), e.g. "Loading…", "Label recorded". */
export function status(text: string, kind: 'info' | 'error' | 'success' = 'info'): HTMLElement {
  return h('p', { className: `status status-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Text for screen readers only, e.g. which row a "Label" button labels. */
export const hidden = (text: string) => h('span', { className: 'visually-hidden' }, text);
