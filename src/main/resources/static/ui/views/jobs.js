import { get, query } from '../api.js';
import { badge, h, link, replace, table, time } from '../dom.js';
import { readOnly, scheduleText, strip } from './common.js';

export const title = 'Jobs';

const STATES = ['', 'ACTIVE', 'PAUSED', 'COMPLETED', 'BROKEN'];

export async function render(page, params, session) {
  const filters = { namePrefix: '', state: '', label: '' };
  const cursors = [null]; // the cursor of each page shown, for "Previous"
  const results = h('div', { 'aria-live': 'polite' });
  const name = h('input', { id: 'filter-name', type: 'search', placeholder: 'nightly-' });
  const state = h('select', { id: 'filter-state' },
    STATES.map((s) => h('option', { value: s }, s || 'any')));
  const label = h('input', { id: 'filter-label', type: 'text', placeholder: 'team:billing' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    filters.namePrefix = name.value.trim();
    filters.state = state.value;
    filters.label = label.value.trim();
    cursors.length = 1;
    load();
  } },
  h('label', { for: 'filter-name' }, 'Name starts with'), name,
  h('label', { for: 'filter-state' }, 'State'), state,
  h('label', { for: 'filter-label' }, 'Label'), label,
  h('button', { type: 'submit' }, 'Search'));

  async function load() {
    const cursor = cursors[cursors.length - 1];
    const pageOfJobs = await get(`/api/v1/jobs${query({ ...filters, label: filters.label || null, limit: 25, cursor })}`);
    const ids = pageOfJobs.items.map((j) => j.id);
    const outcomes = ids.length ? await get(`/api/v1/jobs/recent-outcomes${query({ id: ids })}`) : {};
    const rows = pageOfJobs.items.map((j) => h('tr', null,
      h('td', null, link(`#/jobs/${j.id}`, j.name)),
      h('td', null, badge(j.state)),
      h('td', { class: 'mono wide-only' }, scheduleText(j.schedule)),
      h('td', { class: 'wide-only' }, time(j.nextRunAt)),
      h('td', null, j.lastRun ? link(`#/runs/${j.lastRun.id}`, badge(j.lastRun.status)) : '—'),
      h('td', null, strip(outcomes[j.id]))));
    replace(results,
      table('Jobs', ['Name', 'State', ['Schedule', 'wide-only'], ['Next run', 'wide-only'], 'Last run', 'Last runs'], rows, 'No job matches.'),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: cursors.length === 1, onclick: () => { cursors.pop(); load(); } }, 'Previous'),
        h('button', { type: 'button', disabled: !pageOfJobs.nextCursor, onclick: () => { cursors.push(pageOfJobs.nextCursor); load(); } }, 'Next')));
  }

  replace(page,
    h('div', { class: 'title-row' }, h('h1', null, 'Jobs'), readOnly(session) ? null : h('a', { class: 'button', href: '#/jobs/new' }, 'New job')),
    form, results);
  await load();
}
