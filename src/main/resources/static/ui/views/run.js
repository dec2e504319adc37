import { api, get } from '../api.js';
import { badge, h, link, ms, replace, say, table, time } from '../dom.js';
import { every } from '../live.js';
import { readOnly, targetText } from './common.js';

export const title = 'Run';

const FINISHED = ['SUCCEEDED', 'FAILED', 'SKIPPED'];

export async function render(page, [id], session) {
  const head = h('div');
  const request = h('section', { 'aria-labelledby': 'request' });
  const attempts = h('section', { 'aria-labelledby': 'attempts', 'aria-live': 'polite' });
  replace(page, head, request, attempts);
  let run = await get(`/api/v1/runs/${encodeURIComponent(id)}`);
  const job = await get(`/api/v1/jobs/${encodeURIComponent(run.jobId)}`).catch(() => null);

  function drawHead() {
    replace(head,
      h('h1', null, `Run ${run.id} `, badge(run.status)),
      h('p', null, 'Of ', job ? link(`#/jobs/${job.id}`, job.name) : `job ${run.jobId}`,
        run.replayOf ? [', a replay of ', link(`#/runs/${run.replayOf}`, `run ${run.replayOf}`)] : null),
      h('dl', { class: 'definition' },
        pair('Trigger', run.trigger),
        pair('Scheduled for', time(run.scheduledFor)),
        pair('Started', time(run.startedAt)),
        pair('Lag', run.startedAt ? ms(Date.parse(run.startedAt) - Date.parse(run.scheduledFor)) : '—'),
        pair('Finished', time(run.finishedAt)),
        pair('Attempts', String(run.attempts)),
        run.nextAttemptAt && !FINISHED.includes(run.status) ? pair('Next attempt', time(run.nextAttemptAt)) : null),
      readOnly(session) ? null : h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'replay', disabled: !FINISHED.includes(run.status), onclick: async () => {
          try {
            const replay = await api('POST', `/api/v1/runs/${encodeURIComponent(run.id)}/replay`);
            say(`Replay ${replay.id} made.`);
            window.location.hash = `#/runs/${replay.id}`;
          } catch (error) {
            say(`Replay refused: ${error.message}`);
          }
        } }, 'Replay')));
  }

  function drawRequest() {
    const target = job ? job.target : null;
    replace(request, h('h2', { id: 'request' }, 'Request'),
      !target ? h('p', { class: 'empty' }, 'The job is gone.') : h('dl', { class: 'definition' },
        pair('Target', targetText(target)),
        // As the API answers them: the values of secret headers are ***.
        pair('Headers', h('pre', { id: 'request-headers' }, Object.entries(target.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n') || '—')),
        target.body ? pair('Body', h('pre', null, target.body)) : null),
      h('p', { class: 'help' }, 'The job\'s current definition, secrets shown as ***; the signature headers (webhook-id, webhook-timestamp, webhook-signature) are added at each attempt.'));
  }

  async function drawAttempts() {
    const list = await get(`/api/v1/runs/${encodeURIComponent(id)}/attempts`);
    replace(attempts, h('h2', { id: 'attempts' }, 'Attempts'),
      table('Attempts, in order', ['#', 'Outcome', 'Started', 'Duration', 'Node', 'Error', 'Answer (excerpt)'],
        list.items.map((a) => h('tr', { 'data-attempt': a.number },
          h('td', null, String(a.number)),
          h('td', null, badge(outcome(a)), a.httpStatus ? ` ${a.httpStatus}` : ''),
          h('td', null, time(a.startedAt)),
          h('td', null, ms(a.durationMs)),
          h('td', { class: 'mono' }, a.node || '—'),
          h('td', null, a.error || '—'),
          h('td', null, a.responseSnippet ? h('pre', { class: 'snippet' }, a.responseSnippet) : '—'))),
        'No attempt recorded yet.'));
  }

  drawHead();
  drawRequest();
  await drawAttempts();
  const stop = every(3000, async () => {
    run = await get(`/api/v1/runs/${encodeURIComponent(id)}`);
    drawHead();
    await drawAttempts();
    if (FINISHED.includes(run.status)) stop();
  });
}

function outcome(attempt) {
  if (attempt.error) return 'FAILED';
  if (attempt.httpStatus && (attempt.httpStatus < 200 || attempt.httpStatus >= 300)) return 'FAILED';
  return 'SUCCEEDED';
}

function pair(term, value) {
  return [h('dt', null, term), h('dd', null, value)];
}
