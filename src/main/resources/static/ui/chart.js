import { h, svg } from './dom.js';

// Stacked bars of succeeded and failed runs per bucket, drawn as SVG (no library needed for
// this), with the figures also in a visually hidden table for screen readers.
export function bars(title, buckets, labelOf) {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed + b.skipped));
  const step = width / buckets.length;
  const barWidth = Math.max(1, step - 2);
  const scale = (n) => (n / max) * (height - 14);
  const graphic = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': `${title}: up to ${max} runs per bar`,
  });
  buckets.forEach((b, i) => {
    const x = i * step + 1;
    const ok = scale(b.succeeded + b.skipped);
    const failed = scale(b.failed);
    const group = svg('g', null,
      svg('title', null, `${labelOf(b)}: ${b.succeeded} succeeded, ${b.failed} failed, ${b.skipped} skipped`),
      svg('rect', { x, y: height - ok, width: barWidth, height: ok, class: 'bar-ok' }),
      svg('rect', { x, y: height - ok - failed, width: barWidth, height: failed, class: 'bar-failed' }));
    graphic.append(group);
  });
  graphic.append(svg('text', { x: 2, y: 10, class: 'chart-max' }, String(max)));
  return h('figure', { class: 'chart-box' },
    h('figcaption', null, title),
    graphic,
    h('table', { class: 'visually-hidden' },
      h('caption', null, title),
      h('tr', null, h('th', null, 'From'), h('th', null, 'Succeeded'), h('th', null, 'Failed')),
      buckets.map((b) => h('tr', null, h('td', null, labelOf(b)), h('td', null, b.succeeded), h('td', null, b.failed)))));
}
