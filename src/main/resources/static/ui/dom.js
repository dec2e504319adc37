// Builds elements from data without ever parsing it as HTML: text is text, so nothing a job's name
// or a target's answer holds can run in the page.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// Times in the browser's zone, with seconds: what an operator compares with logs.
const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function time(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: iso }, timeFormat.format(new Date(iso)));
}

export function ms(value) {
  if (value === null || value === undefined) return '—';
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(value < 10000 ? 2 : 1)} s`;
}

export function badge(status) {
  return h('span', { class: `badge ${String(status || 'none').toLowerCase()}` }, status || '—');
}

export function link(href, ...children) {
  return h('a', { href }, ...children);
}

// Headers given as [title, class] keep that class (e.g. wide-only: hidden on a phone's width).
export function table(caption, headers, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', null,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((title) => (Array.isArray(title)
        ? h('th', { scope: 'col', class: title[1] }, title[0])
        : h('th', { scope: 'col' }, title))))),
      h('tbody', null, rows)));
}

export function say(message) {
  const status = document.getElementById('status');
  status.textContent = message;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { status.textContent = ''; }, 6000);
}
