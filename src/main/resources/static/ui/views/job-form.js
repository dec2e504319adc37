import { api, get } from '../api.js';
import { h, replace, say } from '../dom.js';
import { previewList } from './preview.js';
import { readOnly, readOnlyNote } from './common.js';

export const title = 'Job form';

// Read-only fields of a job: a PUT may carry them (they are ignored), but the form sends only
// what it means to write.
const READ_ONLY = ['id', 'state', 'error', 'pausedReason', 'nextRunAt', 'lastRun', 'version',
  'createdAt', 'updatedAt', 'scheduledRuns'];

export async function render(page, [id], session) {
  if (readOnly(session)) {
    replace(page, h('h1', null, 'Job form'), readOnlyNote());
    return;
  }
  const editing = id !== undefined;
  const job = editing ? await get(`/api/v1/jobs/${encodeURIComponent(id)}`) : null;
  const httpTarget = !job || !job.target.type || job.target.type === 'http';
  const f = fields(job, httpTarget);
  const general = h('ul', { class: 'error', id: 'form-errors', role: 'alert', tabindex: -1, hidden: true });
  // Focusable: when its fire times overflow its fixed height, a keyboard can scroll it.
  const preview = h('div', { id: 'preview', 'aria-live': 'polite', tabindex: 0, role: 'region', 'aria-label': 'Next fire times' });

  const form = h('form', { class: 'job-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    clearErrors(form, general);
    const body = { ...(job ? strip(job) : {}), ...values(f, httpTarget, job) };
    try {
      const saved = editing
        ? await api('PUT', `/api/v1/jobs/${encodeURIComponent(id)}`, body, { 'If-Match': job.etag })
        : await api('POST', '/api/v1/jobs', body);
      say(editing ? `Saved ${saved.name}.` : `Created ${saved.name}.`);
      window.location.hash = `#/jobs/${saved.id}`;
    } catch (error) {
      showErrors(form, general, error);
    }
  } },
  general,
  fieldset('Job',
    field('name', 'Name', f.name, 'Letters, digits, dot, dash and underscore; unique in your tenant.'),
    field('description', 'Description', f.description)),
  fieldset('Schedule',
    h('div', { class: 'choice', role: 'radiogroup', 'aria-label': 'Kind of schedule' },
      f.kinds.map(([radio, label]) => h('label', null, radio, ' ', label))),
    field('schedule.cron', 'Cron expression', f.cron, 'Five fields (minute hour day month weekday), six with seconds first; e.g. 0 9 * * MON-FRI.'),
    field('schedule.timezone', 'Time zone', f.timezone, 'An IANA zone, e.g. Europe/Berlin. Fire times skipped or repeated by DST are marked in the preview.'),
    f.zones,
    field('schedule.interval', 'Interval', f.interval, 'An ISO-8601 duration: PT30S, PT5M, P1D.'),
    field('schedule.at', 'At (your time)', f.at),
    h('h3', null, 'Next fire times'), preview),
  fieldset('Target',
    httpTarget ? null : h('p', { class: 'help' }, `This job's target is ${job.target.type}: change it through the API; the form keeps it as it is.`),
    field('target.url', 'URL', f.url),
    field('target.method', 'Method', f.method),
    field('target.headers', 'Headers', f.headers, 'One per line, Name: value. Secret values show as ***; leave *** to keep them.'),
    field('target.body', 'Body', f.body)),
  fieldset('Failures and overlap',
    field('retry.maxAttempts', 'Attempts per run', f.maxAttempts),
    field('overlap', 'When the previous run is still going', f.overlap),
    field('misfire', 'Fire times missed while down', f.misfire),
    field('labels', 'Labels', f.labels, 'One per line, key:value.')),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', id: 'save' }, editing ? 'Save' : 'Create job'),
    h('a', { class: 'button secondary', href: editing ? `#/jobs/${id}` : '#/jobs' }, 'Cancel')));

  const showKind = () => {
    const kind = f.kinds.find(([radio]) => radio.checked)[0].value;
    for (const name of ['cron', 'timezone', 'interval', 'at']) {
      const wanted = kind === 'cron' ? ['cron', 'timezone'] : [kind];
      form.querySelector(`[data-field="schedule.${name}"]`).hidden = !wanted.includes(name);
    }
  };
  let timer;
  const refreshPreview = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        replace(preview, previewList(await api('POST', '/api/v1/schedules/preview', { schedule: schedule(f), count: 10 })));
      } catch (error) {
        replace(preview, h('p', { class: 'error' }, (error.fieldErrors[0] && `${error.fieldErrors[0].field} ${error.fieldErrors[0].message}`) || error.message));
      }
    }, 300);
  };
  f.kinds.forEach(([radio]) => radio.addEventListener('change', () => { showKind(); refreshPreview(); }));
  [f.cron, f.timezone, f.interval, f.at].forEach((input) => input.addEventListener('input', refreshPreview));

  replace(page, h('h1', null, editing ? `Edit ${job.name}` : 'New job'), form);
  showKind();
  refreshPreview();
  f.name.focus();
}

function fields(job, httpTarget) {
  const s = job ? job.schedule : { cron: '0 9 * * MON-FRI', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  const t = job ? job.target : { method: 'POST' };
  const kind = s.interval ? 'interval' : s.at ? 'at' : 'cron';
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const radio = (value) => h('input', { type: 'radio', name: 'kind', value, checked: kind === value });
  const select = (options, value) => h('select', null, options.map((o) => h('option', { value: o, selected: o === value }, o)));
  return {
    name: h('input', { type: 'text', value: job ? job.name : '', required: true, autocomplete: 'off' }),
    description: h('textarea', { rows: 2 }, job && job.description ? job.description : ''),
    kinds: [[radio('cron'), 'Cron'], [radio('interval'), 'Every'], [radio('at'), 'Once']],
    cron: h('input', { type: 'text', value: s.cron || '', class: 'mono', autocomplete: 'off' }),
    timezone: h('input', { type: 'text', value: s.timezone || 'UTC', list: 'zones', autocomplete: 'off' }),
    zones: h('datalist', { id: 'zones' }, zones.map((z) => h('option', { value: z }))),
    interval: h('input', { type: 'text', value: s.interval || 'PT1M', class: 'mono' }),
    at: h('input', { type: 'datetime-local', step: 1, value: s.at ? localInput(s.at) : '' }),
    url: h('input', { type: 'url', value: t.url || '', disabled: !httpTarget, placeholder: 'https://service.internal/hook' }),
    method: httpTarget ? select(['POST', 'GET', 'PUT', 'PATCH', 'DELETE'], t.method || 'POST') : h('input', { disabled: true, value: '' }),
    headers: h('textarea', { rows: 3, class: 'mono', disabled: !httpTarget },
      Object.entries((httpTarget && t.headers) || {}).map(([k, v]) => `${k}: ${v}`).join('\n')),
    body: h('textarea', { rows: 3, class: 'mono', disabled: !httpTarget }, (httpTarget && t.body) || ''),
    maxAttempts: h('input', { type: 'number', min: 1, max: 20, value: job && job.retry ? job.retry.maxAttempts : 3 }),
    overlap: select(['SKIP', 'ALLOW'], job ? job.overlap : 'SKIP'),
    misfire: select(['FIRE_ONCE', 'SKIP', 'FIRE_ALL'], job ? job.misfire : 'FIRE_ONCE'),
    labels: h('textarea', { rows: 2, class: 'mono' },
      Object.entries((job && job.labels) || {}).map(([k, v]) => `${k}:${v}`).join('\n')),
  };
}

function schedule(f) {
  const kind = f.kinds.find(([radio]) => radio.checked)[0].value;
  if (kind === 'cron') return { cron: f.cron.value, timezone: f.timezone.value || 'UTC' };
  if (kind === 'interval') return { interval: f.interval.value };
  return { at: f.at.value ? new Date(f.at.value).toISOString() : '' };
}

// The request body from the form: what the API reads, nothing guessed. Lines that do not parse
// are sent as they are, so the API's own message names them.
function values(f, httpTarget, job) {
  const body = {
    name: f.name.value,
    description: f.description.value || null,
    // The form has no fields for a schedule's bounds: an edit keeps them.
    schedule: { ...bounds(job), ...schedule(f) },
    retry: { ...(job ? job.retry : {}), maxAttempts: Number(f.maxAttempts.value) },
    overlap: f.overlap.value,
    misfire: f.misfire.value,
    labels: pairs(f.labels.value, ':'),
  };
  if (httpTarget) {
    body.target = {
      ...(job ? job.target : {}),
      type: 'http',
      url: f.url.value,
      method: f.method.value,
      headers: pairs(f.headers.value, ':'),
      body: f.body.value === '' ? null : f.body.value,
    };
  }
  return body;
}

function bounds(job) {
  const kept = {};
  if (job && job.schedule.notBefore) kept.notBefore = job.schedule.notBefore;
  if (job && job.schedule.notAfter) kept.notAfter = job.schedule.notAfter;
  return kept;
}

function pairs(text, separator) {
  const map = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf(separator);
    if (at < 0) map[line] = '';
    else map[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return map;
}

function strip(job) {
  const copy = { ...job };
  READ_ONLY.forEach((key) => delete copy[key]);
  return copy;
}

function localInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

let counter = 0;

// A labelled control with its help and its error, both tied to it for screen readers. The
// data-field attribute is the JSON path the API names in its errors.
function field(path, label, control, help) {
  counter += 1;
  const id = `f-${counter}`;
  control.id = id;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', `${help ? helpId : ''} ${errorId}`.trim());
  return h('div', { class: 'field', 'data-field': path },
    h('label', { for: id }, label),
    control,
    help ? h('p', { class: 'help', id: helpId }, help) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

function fieldset(legend, ...children) {
  return h('fieldset', null, h('legend', null, legend), ...children);
}

function clearErrors(form, general) {
  form.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  general.hidden = true;
  general.replaceChildren();
}

// Each of the API's field errors under its field (the longest data-field that prefixes the
// error's path); the rest, and a problem without fields, above the form.
function showErrors(form, general, error) {
  const boxes = [...form.querySelectorAll('[data-field]')];
  const rest = [];
  for (const e of error.fieldErrors) {
    const box = boxes
      .filter((b) => !b.hidden && (e.field === b.dataset.field || e.field.startsWith(`${b.dataset.field}.`)))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    if (!box) {
      rest.push(`${e.field}: ${e.message}`);
      continue;
    }
    const message = box.querySelector('.field-error');
    message.textContent = message.textContent ? `${message.textContent}; ${e.message}` : `${e.field} ${e.message}`;
    message.hidden = false;
    box.querySelector('input, select, textarea').setAttribute('aria-invalid', 'true');
  }
  if (error.fieldErrors.length === 0) rest.push(error.message);
  if (rest.length) {
    general.replaceChildren(...rest.map((text) => h('li', null, text)));
    general.hidden = false;
  }
  const first = form.querySelector('[aria-invalid="true"]') || general;
  if (first.focus) first.focus();
  say(`Not saved: ${error.fieldErrors.length || 1} error(s).`);
}
