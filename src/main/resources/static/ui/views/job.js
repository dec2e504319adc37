import { api, get, query } from '../api.js';
import { badge, h, link, ms, replace, say, table, time } from '../dom.js';
import { every } from '../live.js';
import { readOnly, readOnlyNote, scheduleText, targetText } from './common.js';
import { previewList } from './preview.js';

export const title = 'Job';

export async function render(page, [id], session) {
  const definition = h('section', { 'aria-labelledby': 'definition' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  const next = h('section', { 'aria-labelledby': 'next-times' });
  const runs = h('section', { 'aria-labelledby': 'runs', 'aria-live': 'polite' });
  const heading = h('h1');
  replace(page, heading, actions, definition, next, runs);

  let job = await get(`/api/v1/jobs/${encodeURIComponent(id)}`);
  const act = async (what, method, path, body, done) => {
    try {
      const answer = await api(method, path, body);
      say(done(answer));
      job = await get(`/api/v1/jobs/${encodeURIComponent(id)}`);
      drawJob();
      await drawRuns();
    } catch (error) {
      say(`${what} failed: ${error.message}`);
    }
  };

  function drawJob() {
    replace(heading, job.name, ' ', badge(job.state));
    const base = `/api/v1/jobs/${encodeURIComponent(id)}`;
    const confirmDelete = h('div', { class: 'confirm', hidden: true, role: 'alertdialog', 'aria-label': 'Confirm deletion' },
      h('p', null, `Delete ${job.name} and all its runs? This cannot be undone.`),
      h('button', { type: 'button', class: 'danger', id: 'delete-confirm', onclick: async () => {
        try {
          await api('DELETE', base);
          say(`Deleted ${job.name}.`);
          window.location.hash = '#/jobs';
        } catch (error) {
          say(`Delete failed: ${error.message}`);
        }
      } }, 'Delete for good'),
      h('button', { type: 'button', onclick: () => { confirmDelete.hidden = true; } }, 'Cancel'));
    const from = h('input', { id: 'backfill-from', type: 'datetime-local', step: 1, required: true });
    const to = h('input', { id: 'backfill-to', type: 'datetime-local', step: 1, required: true });
    const backfill = h('form', { class: 'inline', hidden: true, onsubmit: async (event) => {
      event.preventDefault();
      const body = { from: new Date(from.value).toISOString(), to: new Date(to.value).toISOString() };
      try {
        const dry = await api('POST', `${base}/backfill`, { ...body, dryRun: true });
        const count = dry.items.filter((item) => !item.existing).length;
        if (!window.confirm(`Backfill ${count} fire times?`)) return;
      } catch (error) {
        say(`Backfill refused: ${error.message}`);
        return;
      }
      await act('Backfill', 'POST', `${base}/backfill`, body, () => 'Backfill made.');
      backfill.hidden = true;
    } },
    h('label', { for: 'backfill-from' }, 'From (your time)'), from,
    h('label', { for: 'backfill-to' }, 'To, exclusive'), to,
    h('button', { type: 'submit' }, 'Backfill'));
    if (readOnly(session)) {
      replace(actions, readOnlyNote());
    } else replace(actions,
      job.state === 'PAUSED'
        ? h('button', { type: 'button', id: 'resume', onclick: () => act('Resume', 'POST', `${base}/resume`, undefined, () => 'Resumed.') }, 'Resume')
        : h('button', { type: 'button', id: 'pause', onclick: () => act('Pause', 'POST', `${base}/pause`, undefined, () => 'Paused.') }, 'Pause'),
      h('button', { type: 'button', id: 'trigger', onclick: () => act('Trigger', 'POST', `${base}/trigger`, undefined, (r) => `Run ${r.id} made, due now.`) }, 'Trigger now'),
      h('button', { type: 'button', id: 'backfill', onclick: () => { backfill.hidden = !backfill.hidden; } }, 'Backfill…'),
      h('a', { class: 'button', href: `#/jobs/${id}/edit` }, 'Edit'),
      h('button', { type: 'button', class: 'danger', id: 'delete', onclick: () => { confirmDelete.hidden = false; document.getElementById('delete-confirm').focus(); } }, 'Delete'),
      backfill, confirmDelete);
    replace(definition,
      h('h2', { id: 'definition' }, 'Definition'),
      h('dl', { class: 'definition' },
        pair('Id', job.id),
        pair('Description', job.description || '—'),
        pair('Schedule', scheduleText(job.schedule)),
        pair('Target', targetText(job.target)),
        job.target && Object.keys(job.target.headers || {}).length ? pair('Headers', Object.entries(job.target.headers).map(([k, v]) => `${k}: ${v}`).join('\n')) : null,
        pair('Retry', job.retry ? `${job.retry.maxAttempts} attempts, ${job.retry.initialBackoff} to ${job.retry.maxBackoff}` : '—'),
        pair('Overlap / misfire', `${job.overlap} / ${job.misfire}`),
        pair('Labels', Object.entries(job.labels || {}).map(([k, v]) => `${k}:${v}`).join(', ') || '—'),
        job.error ? pair('Broken because', job.error) : null,
        job.pausedReason ? pair('Paused because', job.pausedReason) : null,
        pair('Next run', time(job.nextRunAt)),
        pair('Updated', time(job.updatedAt))));
  }

  async function drawNext() {
    replace(next, h('h2', { id: 'next-times' }, 'Next fire times'));
    if (job.state !== 'ACTIVE') {
      next.append(h('p', { class: 'empty' }, 'None while the job is not active.'));
      return;
    }
    const preview = await api('POST', '/api/v1/schedules/preview', { schedule: job.schedule, count: 5 });
    next.append(previewList(preview));
  }

  async function drawRuns() {
    const page = await get(`/api/v1/jobs/${encodeURIComponent(id)}/runs${query({ limit: 20 })}`);
    replace(runs, h('h2', { id: 'runs' }, 'Runs'),
      table('Runs, newest first', ['Run', 'Status', 'Trigger', 'Scheduled for', 'Lag', 'Attempts', 'Duration'],
        page.items.map((r) => h('tr', { 'data-run': r.id },
          h('td', null, link(`#/runs/${r.id}`, r.id)),
          h('td', null, badge(r.status)),
          h('td', null, r.trigger),
          h('td', null, time(r.scheduledFor)),
          h('td', null, r.startedAt ? ms(Date.parse(r.startedAt) - Date.parse(r.scheduledFor)) : '—'),
          h('td', null, String(r.attempts)),
          h('td', null, ms(r.durationMs)))),
        'No run yet.'));
  }

  drawJob();
  await Promise.all([drawNext(), drawRuns()]);
  every(5000, drawRuns);
}

function pair(term, value) {
  return [h('dt', null, term), h('dd', null, value)];
}
