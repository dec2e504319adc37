import { api, ApiError, useCsrfToken } from './api.js';
import { h, replace, say } from './dom.js';
import { stopAll } from './live.js';
import * as overview from './views/overview.js';
import * as jobs from './views/jobs.js';
import * as job from './views/job.js';
import * as jobForm from './views/job-form.js';
import * as run from './views/run.js';
import * as failures from './views/failures.js';
import * as admin from './views/admin.js';

// Views by the hash of the address (#/jobs/42), so a reload or a shared link stays on its view.
const routes = [
  [/^#\/?$/, (s) => (s.kind === 'ADMIN' ? admin : overview)],
  [/^#\/jobs$/, () => jobs],
  [/^#\/jobs\/new$/, () => jobForm],
  [/^#\/jobs\/([^/]+)\/edit$/, () => jobForm],
  [/^#\/jobs\/([^/]+)$/, () => job],
  [/^#\/runs\/([^/]+)$/, () => run],
  [/^#\/failures$/, () => failures],
  [/^#\/admin$/, () => admin],
];

let session = null;
const main = () => document.getElementById('main');

async function start() {
  window.addEventListener('hashchange', show);
  window.addEventListener('punctual:signed-out', () => {
    session = null;
    show();
  });
  document.getElementById('sign-out').addEventListener('click', signOut);
  try {
    session = await api('GET', '/ui/session');
    useCsrfToken(session.csrfToken);
  } catch (error) {
    session = null;
  }
  show();
}

function show() {
  stopAll();
  if (!session) {
    renderSignIn();
    return;
  }
  renderHeader();
  const hash = window.location.hash || '#/';
  for (const [pattern, view] of routes) {
    const match = hash.match(pattern);
    if (match) {
      const target = view(session);
      const params = match.slice(1).map(decodeURIComponent);
      if (session.kind === 'ADMIN' && target !== admin) {
        window.location.hash = '#/admin';
        return;
      }
      document.title = `${target.title} · Punctual`;
      const page = h('div', { class: 'page' });
      replace(main(), page);
      target.render(page, params, session).catch((error) => showError(page, error));
      return;
    }
  }
  replace(main(), h('h1', null, 'Not found'), h('p', null, h('a', { href: '#/' }, 'Back to the overview')));
}

function showError(page, error) {
  if (error instanceof ApiError && error.status === 401) return; // the sign-in form is shown
  page.append(h('p', { class: 'error', role: 'alert' }, `Could not load: ${error.message}`));
}

function renderHeader() {
  document.getElementById('top').hidden = false;
  const links = session.kind === 'ADMIN'
    ? [['#/admin', 'Tenants and nodes']]
    : [['#/', 'Overview'], ['#/jobs', 'Jobs'], ['#/failures', 'Failures']];
  const current = window.location.hash || '#/';
  replace(document.getElementById('nav'), links.map(([href, label]) => h('a', {
    href,
    'aria-current': current === href || (href !== '#/' && current.startsWith(href)) ? 'page' : null,
  }, label)));
  replace(document.getElementById('who'), session.kind === 'ADMIN'
    ? 'admin'
    : `${session.tenant} (${session.scope} key ${session.keyId})`);
}

function renderSignIn() {
  document.getElementById('top').hidden = true;
  document.title = 'Sign in · Punctual';
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error', hidden: true });
  const key = h('input', {
    id: 'key', name: 'key', type: 'password', autocomplete: 'current-password', required: true,
    'aria-describedby': 'key-help sign-in-error',
  });
  const form = h('form', { class: 'sign-in', onsubmit: async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      session = await api('POST', '/ui/session', { key: key.value });
      useCsrfToken(session.csrfToken);
      key.value = '';
      show();
    } catch (failure) {
      error.textContent = failure.status === 401 ? 'That key is unknown, revoked or expired.' : failure.message;
      error.hidden = false;
      key.focus();
    }
  } },
  h('h1', null, 'Punctual'),
  h('label', { for: 'key' }, 'API key'),
  key,
  h('p', { id: 'key-help', class: 'help' },
    'A tenant key (pk_…) shows that tenant’s jobs; the admin key shows tenants, keys and nodes. ' +
    'The key is not kept in the browser: the session ends after 8 hours or when you sign out.'),
  error,
  h('button', { type: 'submit' }, 'Sign in'));
  replace(main(), form);
  key.focus();
}

async function signOut() {
  try {
    await api('DELETE', '/ui/session');
  } catch (error) {
    // Signed out already.
  }
  session = null;
  useCsrfToken(null);
  window.location.hash = '#/';
  show();
  say('Signed out.');
}

start();
