import { api, get, query } from '../api.js';
import { h, link, replace, say, table, time } from '../dom.js';
import { readOnly, readOnlyNote } from './common.js';

export const title = 'Failures';

// Failed runs across jobs (dead letters): replay the selected ones, or every one matching the
// filter, after a dry run that says what would happen.
export async function render(page, params, session) {
  const since = h('input', { id: 'failures-since', type: 'datetime-local', step: 1 });
  const jobId = h('input', { id: 'failures-job', type: 'text', inputmode: 'numeric', placeholder: 'any job' });
  const list = h('div', { 'aria-live': 'polite' });
  const plan = h('div', { id: 'replay-plan', 'aria-live': 'polite' });
  const cursors = [null];
  let shown = [];

  const filter = () => ({
    since: since.value ? new Date(since.value).toISOString() : null,
    jobId: jobId.value.trim() || null,
  });

  async function load() {
    const failed = await get(`/api/v1/runs${query({ ...filter(), limit: 50, cursor: cursors[cursors.length - 1] })}`);
    shown = failed.items;
    replace(list,
      table('Failed runs, most recent first', ['', 'Run', 'Job', 'Scheduled for', 'Finished', 'Attempts', 'Error'],
        shown.map((r) => h('tr', null,
          h('td', null, h('input', { type: 'checkbox', class: 'pick', value: r.id, id: `pick-${r.id}`, 'aria-label': `Select run ${r.id}` })),
          h('td', null, link(`#/runs/${r.id}`, r.id)),
          h('td', null, link(`#/jobs/${r.jobId}`, r.jobName)),
          h('td', null, time(r.scheduledFor)),
          h('td', null, time(r.finishedAt)),
          h('td', null, String(r.attempts)),
          h('td', null, r.error || (r.httpStatus ? `HTTP ${r.httpStatus}` : '—')))),
        'No failed run: nothing to replay.'),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: cursors.length === 1, onclick: () => { cursors.pop(); load(); } }, 'Previous'),
        h('button', { type: 'button', disabled: !failed.nextCursor, onclick: () => { cursors.push(failed.nextCursor); load(); } }, 'Next')));
  }

  async function replaySelected() {
    const picked = [...list.querySelectorAll('.pick:checked')].map((box) => box.value);
    if (picked.length === 0) {
      say('Select runs first.');
      return;
    }
    let made = 0;
    const refused = [];
    for (const runId of picked) {
      try {
        await api('POST', `/api/v1/runs/${encodeURIComponent(runId)}/replay`);
        made += 1;
      } catch (error) {
        refused.push(`${runId}: ${error.message}`);
      }
    }
    replace(plan, h('p', null, `${made} replay(s) made.`), refused.length ? h('ul', { class: 'error' }, refused.map((t) => h('li', null, t))) : null);
    say(`${made} replay(s) made.`);
  }

  async function planAll() {
    const body = { filter: { status: 'FAILED', ...clean(filter()) }, max: 1000 };
    const dry = await api('POST', '/api/v1/runs/replay', { ...body, dryRun: true });
    const replays = dry.items.filter((i) => !i.skipped).length;
    replace(plan,
      h('p', null, `Dry run: ${replays} run(s) would be replayed, ${dry.items.length - replays} skipped (replayed already or their job is gone).`),
      h('button', { type: 'button', id: 'replay-all-confirm', disabled: replays === 0, onclick: async () => {
        const done = await api('POST', '/api/v1/runs/replay', body);
        const made = done.items.filter((i) => !i.skipped).length;
        replace(plan, h('p', null, `${made} replay(s) made.`));
        say(`${made} replay(s) made.`);
      } }, `Replay ${replays}`),
      h('button', { type: 'button', onclick: () => replace(plan) }, 'Cancel'));
    document.getElementById('replay-all-confirm').focus();
  }

  replace(page,
    h('h1', null, 'Failures'),
    h('form', { class: 'filters', onsubmit: (event) => { event.preventDefault(); cursors.length = 1; load(); } },
      h('label', { for: 'failures-since' }, 'Failed since'), since,
      h('label', { for: 'failures-job' }, 'Job id'), jobId,
      h('button', { type: 'submit' }, 'Filter')),
    readOnly(session) ? readOnlyNote() : h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'replay-selected', onclick: replaySelected }, 'Replay selected'),
      h('button', { type: 'button', id: 'replay-all', onclick: planAll }, 'Replay all matching…')),
    plan, list);
  await load();
}

function clean(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null));
}

