import { api, get } from '../api.js';
import { h, replace, say, table, time } from '../dom.js';
import { every } from '../live.js';

export const title = 'Tenants and nodes';

// The admin key's view: tenants and their keys (create, revoke), signing-secret rotation, and
// the nodes with their roles and heartbeats. Keys and secrets are shown once, when made.
export async function render(page) {
  const tenants = h('section', { 'aria-labelledby': 'tenants' });
  const nodes = h('section', { 'aria-labelledby': 'nodes', 'aria-live': 'polite' });
  const shownOnce = h('div', { id: 'shown-once', 'aria-live': 'assertive' });
  const name = h('input', { id: 'tenant-name', type: 'text', required: true, autocomplete: 'off' });

  const reveal = (title, value) => replace(shownOnce, h('div', { class: 'once', role: 'alert' },
    h('p', null, `${title} (shown this once; copy it now):`),
    h('pre', { class: 'secret', tabindex: 0 }, value),
    h('button', { type: 'button', onclick: () => replace(shownOnce) }, 'I have copied it')));

  const run = async (what, action) => {
    try {
      await action();
      await drawTenants();
    } catch (error) {
      say(`${what} failed: ${error.message}`);
    }
  };

  async function drawTenants() {
    const list = await get('/api/v1/tenants');
    replace(tenants, h('h2', { id: 'tenants' }, 'Tenants'),
      h('form', { class: 'inline', onsubmit: (event) => {
        event.preventDefault();
        run('Creating the tenant', async () => {
          const made = await api('POST', '/api/v1/tenants', { name: name.value.trim() });
          name.value = '';
          reveal(`Tenant ${made.name}: its API key, then its webhook signing secret`, `${made.apiKey.key}\n${made.signingSecret}`);
        });
      } }, h('label', { for: 'tenant-name' }, 'New tenant'), name, h('button', { type: 'submit' }, 'Create')),
      list.items.map((t) => tenant(t)));
  }

  function tenant(t) {
    const base = `/api/v1/tenants/${encodeURIComponent(t.name)}`;
    const scope = h('select', { id: `scope-${t.name}` }, h('option', { value: 'write' }, 'write'), h('option', { value: 'read' }, 'read'));
    return h('article', { class: 'tenant' },
      h('h3', null, t.name, ' ', h('small', null, 'since ', time(t.createdAt))),
      table(`Keys of ${t.name}`, ['Key id', 'Scope', 'Created', 'Expires', 'Last used', ''],
        t.keys.map((k) => h('tr', null,
          h('td', { class: 'mono' }, k.id),
          h('td', null, k.scope),
          h('td', null, time(k.createdAt)),
          h('td', null, time(k.expiresAt)),
          h('td', null, time(k.lastUsedAt)),
          h('td', null, h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.id}`, onclick: () => {
            if (!window.confirm(`Revoke key ${k.id} of ${t.name}? It stops working at once.`)) return;
            run('Revoking', async () => { await api('DELETE', `${base}/keys/${encodeURIComponent(k.id)}`); say(`Key ${k.id} revoked.`); });
          } }, 'Revoke')))),
        'No active key.'),
      h('div', { class: 'actions' },
        h('label', { for: `scope-${t.name}` }, 'Scope'), scope,
        h('button', { type: 'button', onclick: () => run('Creating the key', async () => {
          const key = await api('POST', `${base}/keys`, { scope: scope.value });
          reveal(`New ${key.scope} key of ${t.name}`, key.key);
        }) }, 'Add key'),
        h('button', { type: 'button', onclick: () => run('Rotating', async () => {
          const secret = await api('POST', `${base}/signing-secrets`);
          reveal(`New signing secret of ${t.name} (the previous one signs too until ${secret.previousValidUntil})`, secret.signingSecret);
        }) }, 'Rotate signing secret')));
  }

  async function drawNodes() {
    const list = await get('/api/v1/nodes');
    replace(nodes, h('h2', { id: 'nodes' }, 'Nodes'),
      table('Nodes', ['Node', 'Roles', 'Started', 'Last heartbeat', 'State'],
        list.items.map((n) => h('tr', null,
          h('td', { class: 'mono' }, n.id),
          h('td', null, n.roles.join(', ')),
          h('td', null, time(n.startedAt)),
          h('td', null, time(n.heartbeatAt)),
          h('td', null, h('span', { class: `badge ${n.alive ? 'succeeded' : 'failed'}` }, n.alive ? 'alive' : 'silent')))),
        'No node has heartbeat in the last hour.'));
  }

  replace(page, h('h1', null, 'Tenants and nodes'), shownOnce, nodes, tenants);
  await Promise.all([drawTenants(), drawNodes()]);
  every(10000, drawNodes);
}
