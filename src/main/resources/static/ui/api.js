// The public API, called with the session cookie. Every change carries the session's CSRF token,
// which the service checks (a page of another site cannot read it).
let csrfToken = null;

export function useCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  // The problem's field errors, by JSON path (schedule.cron).
  get fieldErrors() {
    return this.problem.errors || [];
  }
}

export async function api(method, path, body, headers = {}) {
  const sent = { Accept: 'application/json', ...headers };
  if (body !== undefined && !sent['Content-Type']) sent['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) sent['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    // A 401 means the session is over (expired, signed out elsewhere, its key revoked): back to
    // the sign-in form. Not for the sign-in itself, whose 401 is a wrong key.
    if (response.status === 401 && path !== '/ui/session') {
      window.dispatchEvent(new CustomEvent('punctual:signed-out'));
    }
    throw error;
  }
  if (response.headers.get('ETag') && data && typeof data === 'object') {
    Object.defineProperty(data, 'etag', { value: response.headers.get('ETag') });
  }
  return data;
}

export const get = (path) => api('GET', path);

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, one);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
