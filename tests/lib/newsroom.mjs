// newsroom.mjs - helpers for tests of the newsroom's article pages: a site
// with cheap password hashes, staff made with `gazette user add`, signing
// in as a browser does (GET /admin/login for the gz_login cookie and its
// csrf, then POST), and posting forms with the session's csrf and the
// site's Origin, as urlencoded or multipart/form-data.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { request, runOk, tempSite } from './gazette.mjs';

// A password long enough for admin_password_problem.
export const PASSWORD = 'correct horse battery staple';

// A new site whose [admin] hash_cost is minimum, so a sign-in takes
// microseconds. opts as tempSite's.
export function newsroomSite(opts = {}) {
  const s = tempSite(opts);
  const conf = path.join(s.site, 'gazette.conf');
  const text = readFileSync(conf, 'utf8').replace(/^hash_cost = .*$/m,
    'hash_cost = minimum');
  writeFileSync(conf, text);
  return s;
}

// Adds a member of staff with `gazette user add NAME --role ROLE`, the
// password on stdin.
export function addUser(site, name, role, password = PASSWORD) {
  runOk(['user', 'add', '--site', site, name, '--role', role],
    { input: `${password}\n` });
}

// The value of cookie name in a response's Set-Cookie headers, or null.
export function setCookie(res, name) {
  for (const c of res.headers['set-cookie'] || []) {
    const m = c.match(new RegExp(`^${name}=([^;]*)`));
    if (m) return m[1];
  }
  return null;
}

// The csrf field of the first form in html.
export function csrfOf(html) {
  const m = html.match(/name="csrf" value="([^"]+)"/);
  if (!m) throw new Error(`no csrf field in:\n${html.slice(0, 2000)}`);
  return m[1];
}

function urlencoded(fields) {
  return new URLSearchParams(fields).toString();
}

// A multipart/form-data body of fields ({name: value}, or [name, value]
// pairs for repeated names).
export function multipart(fields) {
  const boundary = `----gazette${Math.random().toString(16).slice(2)}`;
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  let body = '';
  for (const [k, v] of pairs) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body: Buffer.from(body, 'utf8'), type: `multipart/form-data; boundary=${boundary}` };
}

// Signs name in at base; resolves to a session: {base, cookie, csrf,
// get(path), post(path, fields, {multipart, csrf, origin})}.
export async function signIn(base, name, password = PASSWORD) {
  const page = await request(`${base}/admin/login`);
  if (page.status !== 200) throw new Error(`GET /admin/login: ${page.status}`);
  const login = setCookie(page, 'gz_login');
  const res = await request(`${base}/admin/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: `gz_login=${login}`,
      Origin: base,
    },
    body: urlencoded({ name, password, csrf: csrfOf(page.body), next: '/admin' }),
  });
  const token = setCookie(res, 'gz_session');
  if (res.status !== 303 || !token) {
    throw new Error(`sign-in of ${name}: ${res.status}\n${res.body.slice(0, 2000)}`);
  }
  const s = { base, cookie: `gz_session=${token}` };
  s.get = (p, headers = {}) => request(`${base}${p}`, { headers: { Cookie: s.cookie, ...headers } });
  const dash = await s.get('/admin');
  if (dash.status !== 200) throw new Error(`GET /admin as ${name}: ${dash.status}\n${dash.body.slice(0, 2000)}`);
  s.csrf = csrfOf(dash.body);
  s.post = (p, fields, opts = {}) => {
    const all = { csrf: opts.csrf === undefined ? s.csrf : opts.csrf, ...fields };
    if (opts.csrf === null) delete all.csrf;
    const enc = opts.multipart ? multipart(all) : { body: urlencoded(all), type: 'application/x-www-form-urlencoded' };
    return request(`${base}${p}`, {
      method: 'POST',
      headers: { Cookie: s.cookie, Origin: opts.origin || base, 'Content-Type': enc.type },
      body: enc.body,
    });
  };
  return s;
}

// The article id of an editor redirect's Location ("/admin/articles/12?done=...").
export function articleIdOf(res) {
  const m = (res.headers.location || '').match(/\/admin\/articles\/(\d+)/);
  if (res.status !== 303 || !m) {
    throw new Error(`expected a 303 to an article, got ${res.status} ${res.headers.location}\n${res.body.slice(0, 3000)}`);
  }
  return Number(m[1]);
}
