// admin.mjs - helpers for tests of the newsroom's admin: a site set up for
// them, staff accounts made with `gazette user add`, a cookie jar, signing
// in through the real forms, posting forms with their csrf token, reading
// the database with the sqlite3 command, and RFC 6238 TOTP codes.
//
// Invariants: everything goes through the server's HTTP interface or the
// gazette binary, except reads (and the few deliberate edits tests name,
// such as ageing a session) through sqlite3 on the site's database.
// node: built-ins only.

import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { request, runOk, tempSite } from './gazette.mjs';
import { decode } from './html.mjs';

// A site for admin tests: [admin] hash_cost = minimum unless
// opts.hashCost, trust_proxy when opts.trustProxy, require_totp when
// opts.requireTotp; opts.baseUrl as tempSite's. Returns tempSite's
// {dir, site}.
export function adminSite(opts = {}) {
  const s = tempSite({ baseUrl: opts.baseUrl });
  const conf = path.join(s.site, 'gazette.conf');
  let text = readFileSync(conf, 'utf8');
  text = text.replace(/^hash_cost = .*$/m, `hash_cost = ${opts.hashCost || 'minimum'}`);
  if (opts.trustProxy) text = text.replace(/^trust_proxy = .*$/m, 'trust_proxy = yes');
  if (opts.requireTotp) text = text.replace(/^require_totp = .*$/m, 'require_totp = yes');
  writeFileSync(conf, text);
  return s;
}

// Makes an account with `gazette user add` (the password on stdin).
export function addUser(site, name, role, password) {
  runOk(['user', 'add', name, '--role', role, '--site', site], { input: `${password}\n` });
}

// The site's database file.
export function dbPath(site) {
  return path.join(site, 'gazette.db');
}

// Runs SQL with the sqlite3 command; returns its output, trimmed.
export function sql(site, query) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', dbPath(site), query],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${query}: ${r.stderr}`);
  return r.stdout.trim();
}

// Sessions the server may forget at any moment (its purge runs a second
// after start, then every ten minutes): expired, or idle two hours.
const LIVE_SESSIONS = "WHERE expires_at > strftime('%s', 'now') " +
  "AND seen_at > strftime('%s', 'now') - 7200";

// Every table's rows, as one text: what a refused request must not change.
// Of the sessions only the live ones count: the purge is not a request.
export function snapshot(site) {
  const tables = sql(site, "SELECT name FROM sqlite_schema WHERE type = 'table' " +
    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name").split('\n');
  return tables.map((t) => {
    const where = t === 'sessions' ? LIVE_SESSIONS : '';
    return `${t}: ${sql(site, `SELECT count(*) FROM "${t}" ${where}`)}\n` +
      sql(site, `SELECT * FROM "${t}" ${where}`);
  }).join('\n');
}

// Cookies a browser keeps for the site: set(res) takes a response's
// Set-Cookie headers (Max-Age=0 forgets), header() is the Cookie header.
export class Jar {
  constructor() { this.c = new Map(); }

  set(res) {
    for (const line of res.headers['set-cookie'] || []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*Max-Age=0\b/i.test(line) || value === '') this.c.delete(name);
      else this.c.set(name, value);
    }
  }

  get(name) { return this.c.get(name); }

  header() { return [...this.c].map(([k, v]) => `${k}=${v}`).join('; '); }

  clone() {
    const j = new Jar();
    j.c = new Map(this.c);
    return j;
  }
}

// The csrf field of the first form in html (or of the form posting to
// action), decoded.
export function csrfOf(html, action) {
  let h = html;
  if (action) {
    const i = html.indexOf(`action="${action}"`);
    if (i >= 0) h = html.slice(i);
  }
  const m = /name="csrf" value="([^"]*)"/.exec(h);
  return m ? decode(m[1]) : undefined;
}

// A hidden or text field's value in html.
export function fieldOf(html, name) {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? decode(m[1]) : undefined;
}

// The Origin a browser on the site sends.
export function originOf(base) {
  return new URL(base).origin;
}

// The Cookie header of jar, none when it is empty: libmicrohttpd 0.9.75
// reads uninitialised memory parsing an empty Cookie header (valgrind
// sees it on any path), and no browser sends one.
function cookieHeader(jar) {
  const c = jar.header();
  return c ? { Cookie: c } : {};
}

// GET with the jar's cookies; the jar takes what the answer sets.
export async function getWith(base, jar, p, headers = {}) {
  const res = await request(base + p, { headers: { ...cookieHeader(jar), ...headers } });
  jar.set(res);
  return res;
}

// POSTs fields (an object, or [name, value] pairs for repeats) as a form
// with the jar's cookies and the site's Origin (opts.origin overrides;
// null sends none); the jar takes what the answer sets.
export async function postWith(base, jar, p, fields, opts = {}) {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields))
    .toString();
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    ...cookieHeader(jar),
    ...(opts.headers || {}),
  };
  const origin = opts.origin === undefined ? originOf(base) : opts.origin;
  if (origin !== null) headers.Origin = origin;
  const res = await request(base + p, { method: 'POST', headers, body });
  jar.set(res);
  return res;
}

// Signs in through the form: GET /admin/login, then POST name and
// password. opts.ip is sent as X-Forwarded-For (a site with trust_proxy),
// opts.next as the form's next. Resolves to {res, jar}: res the POST's
// answer (a 303 when right), jar holding the session cookie.
export async function signIn(base, name, password, opts = {}) {
  const jar = opts.jar || new Jar();
  const headers = opts.ip ? { 'X-Forwarded-For': opts.ip } : {};
  const form = await getWith(base, jar, '/admin/login', headers);
  if (form.status !== 200) throw new Error(`GET /admin/login: ${form.status}`);
  const res = await postWith(base, jar, '/admin/login', {
    csrf: csrfOf(form.body), name, password, next: opts.next || '/admin',
  }, { headers });
  return { res, jar };
}

// Signs in and, when the account has a second factor, gives the code
// (opts.code(): a function returning it) too. Throws unless signed in.
export async function signedIn(base, name, password, opts = {}) {
  const { res, jar } = await signIn(base, name, password, opts);
  if (res.status !== 303) throw new Error(`sign-in of ${name}: ${res.status}\n${res.body}`);
  if (res.headers.location.startsWith('/admin/login/code')) {
    const page = await getWith(base, jar, '/admin/login/code');
    const r2 = await postWith(base, jar, '/admin/login/code',
      { csrf: csrfOf(page.body), code: opts.code() });
    if (r2.status !== 303) throw new Error(`code of ${name}: ${r2.status}\n${r2.body}`);
  }
  return jar;
}

// RFC 4648 base32 (spaces ignored) to bytes.
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP (RFC 4226 HOTP over 30-second steps): the code of secret
// (bytes) for time step `step`, digits long, with hash sha1/sha256/sha512.
export function totpAt(secret, step, digits = 6, hash = 'sha1') {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(hash, secret).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) |
    (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

// The step of a time (UTC seconds).
export function stepOf(t = Date.now() / 1000) {
  return Math.floor(t / 30);
}
