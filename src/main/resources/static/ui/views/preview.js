import { h, time } from '../dom.js';

const NOTES = {
  GAP: 'moved: the clock jumps over this local time (DST); fires at the jump',
  OVERLAP: 'this local time happens twice (DST); fires at the first pass only',
};

// A preview's fire times, each with its local time in the schedule's zone, DST moves marked.
export function previewList(preview) {
  const details = preview.details || preview.fireTimes.map((at) => ({ at, local: at }));
  if (details.length === 0) return h('p', { class: 'empty' }, 'No fire time to come.');
  return h('ol', { class: 'preview' }, details.map((d) => h('li', { class: d.dst ? 'dst' : null },
    time(d.at), ' ', h('span', { class: 'mono' }, String(d.local).replace('T', ' ')),
    d.dst ? h('span', { class: 'dst-note', 'data-dst': d.dst }, ` ${d.dst}: ${NOTES[d.dst]}`) : null)));
}
