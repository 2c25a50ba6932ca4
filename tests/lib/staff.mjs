// staff.mjs - members of staff for HTTP tests of the newsroom: accounts
// made with `gazette user add` (the password on stdin), signing in the
// way a browser does (GET /admin/login for the gz_login cookie and the
// form's csrf field, then POST), and requests carrying the session.

import { setConf } from './comments.mjs';
import { request, runOk } from './gazette.mjs';
import { attr, openTags } from './html.mjs';

export const PASSWORD = 'correct horse battery staple';

// Makes hashing cheap for the site's tests ([admin] hash_cost = minimum).
export function cheapHashes(site) {
  setConf(site, 'admin', { hash_cost: 'minimum' });
}

// `gazette user add NAME --role ROLE` with the password on stdin.
export function addUser(site, name, role, password = PASSWORD) {
  return runOk(['user', 'add', name, '--role', role, '--site', site],
    { input: `${password}\n` });
}

// The name=value pairs of a response's Set-Cookie headers.
function cookiesOf(res) {
  const set = res.headers['set-cookie'] || [];
  return Object.fromEntries(set.map((c) => {
    const [pair] = c.split(';');
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

// The value of the hidden csrf field of the first form in html, or null.
export function csrfOf(html) {
  const t = openTags(html, 'input').find((i) => attr(i, 'name') === 'csrf');
  return t ? attr(t, 'value') : null;
}

// Signs `name` in. Resolves to a session: {base, cookie (the Cookie
// header), csrf (every form's token, read from an admin page)}; throws
// when the sign-in does not end in a session.
export async function signIn(base, name, password = PASSWORD) {
  const form = await request(`${base}/admin/login`);
  const login = cookiesOf(form).gz_login;
  const csrf = csrfOf(form.body);
  if (!login || !csrf) throw new Error(`GET /admin/login: no gz_login cookie or csrf field (${form.status})`);
  const res = await request(`${base}/admin/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: `gz_login=${login}`,
      Origin: base,
    },
    body: new URLSearchParams({ name, password, csrf, next: '/admin' }).toString(),
  });
  const session = cookiesOf(res).gz_session;
  if (res.status !== 303 || !session) {
    throw new Error(`POST /admin/login as ${name}: ${res.status}, no session\n${res.body.slice(0, 1000)}`);
  }
  const s = { base, cookie: `gz_session=${session}`, csrf: null };
  const page = await adminGet(s, '/admin/account');
  s.csrf = csrfOf(page.body);
  if (!s.csrf) throw new Error(`GET /admin/account as ${name}: ${page.status}, no csrf field`);
  return s;
}

// GET path with the session s (null: none). Nothing followed.
export function adminGet(s, path, base = s && s.base) {
  return request(`${base}${path}`, { headers: s ? { Cookie: s.cookie } : {} });
}

// POSTs the form `fields` ([name, value] pairs, so that a name may repeat,
// or an object) to path with the session's cookie, the site's Origin and,
// unless fields has one or opts.csrf is false, its csrf token. Nothing
// followed.
export function adminPost(s, path, fields, opts = {}) {
  const pairs = Array.isArray(fields) ? [...fields] : Object.entries(fields);
  if (opts.csrf !== false && !pairs.some(([k]) => k === 'csrf')) pairs.push(['csrf', s.csrf]);
  return request(`${s.base}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: s.cookie,
      Origin: opts.origin || s.base,
    },
    body: new URLSearchParams(pairs).toString(),
  });
}
