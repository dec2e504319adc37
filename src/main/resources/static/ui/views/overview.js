import { get } from '../api.js';
import { badge, h, link, ms, replace, table, time } from '../dom.js';
import { bars } from '../chart.js';
import { every } from '../live.js';

export const title = 'Overview';

const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export async function render(page) {
  const body = h('div');
  replace(page, h('h1', null, 'Overview'), body);
  const refresh = async () => draw(body, await get('/api/v1/overview'));
  await refresh();
  every(15000, refresh);
}

function draw(body, o) {
  const label = (b) => hourMinute.format(new Date(b.start));
  replace(body,
    h('section', { class: 'cards', 'aria-label': 'Figures' },
      card('Last hour', `${o.lastHour.succeeded} ok`, `${o.lastHour.failed} failed`, 'last-hour'),
      card('Last 24 hours', `${o.lastDay.succeeded} ok`, `${o.lastDay.failed} failed`, 'last-day'),
      card('Fire lag, last hour', `p50 ${ms(o.lag.p50Ms)}`, `p99 ${ms(o.lag.p99Ms)}`, 'lag'),
      card('Runs waiting', String(o.runsWaiting), 'due, not started', 'waiting')),
    h('section', { class: 'charts' },
      bars('Runs finished, last hour (5 min)', o.lastHour.buckets, label),
      bars('Runs finished, last 24 hours (1 h)', o.lastDay.buckets, label)),
    h('section', { class: 'two' },
      h('div', null,
        h('h2', null, 'Next to fire'),
        table('The next jobs to fire', ['Job', 'Next run'],
          o.nextJobs.map((j) => h('tr', null,
            h('td', null, link(`#/jobs/${j.id}`, j.name)), h('td', null, time(j.nextRunAt)))),
          'No job is scheduled.')),
      h('div', null,
        h('h2', null, 'Needs attention'),
        table('Jobs broken, paused by the service, or failing', ['Job', 'State', 'Why'],
          o.attention.map((j) => h('tr', null,
            h('td', null, link(`#/jobs/${j.id}`, j.name)),
            h('td', null, badge(j.state)),
            h('td', null, j.reason))),
          'Every job is healthy.'))));
}

function card(title, main, sub, id) {
  return h('div', { class: 'card', id: `card-${id}` },
    h('h2', null, title), h('p', { class: 'figure' }, main), h('p', { class: 'sub' }, sub));
}
