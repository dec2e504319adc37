import { h } from '../dom.js';

// A read key's session may look, not change: its pages show no buttons that would only answer
// 403 (the API refuses them anyway).
export function readOnly(session) {
  return session && session.scope === 'read';
}

export function readOnlyNote() {
  return h('p', { class: 'help', id: 'read-only' }, 'Signed in with a read key: you can look, not change.');
}

export function scheduleText(schedule) {
  if (!schedule) return '—';
  if (schedule.cron) return `cron ${schedule.cron} (${schedule.timezone || 'UTC'})`;
  if (schedule.interval) return `every ${schedule.interval}`;
  if (schedule.at) return `once at ${schedule.at}`;
  return JSON.stringify(schedule);
}

export function targetText(target) {
  if (!target) return '—';
  if (target.type === 'http' || !target.type) return `${target.method || 'POST'} ${target.url}`;
  return `${target.type} ${target.url || ''}`;
}

// The outcomes of a job's newest runs, newest on the right: one square each.
export function strip(outcomes) {
  const ordered = [...(outcomes || [])].reverse();
  return h('span', { class: 'strip', 'aria-label': `Last runs: ${ordered.join(', ') || 'none'}` },
    ordered.map((status) => h('span', { class: `dot ${status.toLowerCase()}`, title: status })));
}
