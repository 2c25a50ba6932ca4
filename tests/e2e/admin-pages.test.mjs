// admin-pages.test.mjs - the newsroom's sign-in, account, staff and log
// pages as a browser shows them: each one, in its plain state and with
// what a wrong form gives back (the field's error tied to it), checked by
// axe-core in light and dark and by the Nu Html Checker; and the sign-in
// itself done in chromium with JavaScript off (the admin needs none).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Jar, addUser, adminSite, base32Decode, csrfOf, fieldOf, getWith, postWith, signIn, signedIn,
  stepOf, totpAt,
} from '../lib/admin.mjs';
import { axeViolations, formatViolations, launch } from '../lib/browser.mjs';
import { ROOT, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';

const T = { timeout: 300000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';
const PW = 'correct horse battery';

describe('admin pages in chromium', T, () => {
  let srv; let base; let browser; let checker;
  const pages = []; // {name, html}

  before(async () => {
    const { site } = adminSite();
    addUser(site, 'ann', 'admin', PW);
    addUser(site, 'bob', 'editor', PW);
    addUser(site, 'wes', 'writer', PW);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    browser = await launch();
    checker = await (await browser.newContext()).newPage();
    checker.setDefaultTimeout(30000);
  });

  after(async () => {
    await browser?.close();
    if (srv) await stopChecked(srv);
  });

  it('collects every page and its error states', async () => {
    const add = (name, res, status = 200) => {
      assert.equal(res.status, status, `${name}: ${res.body.slice(0, 300)}`);
      pages.push({ name, html: res.body });
    };
    add('login', await getWith(base, new Jar(), '/admin/login'));
    add('login-wrong', (await signIn(base, 'ann', 'not the password')).res, 422);
    add('login-done', await getWith(base, new Jar(), '/admin/login?done=signed-out'));
    const jar = await signedIn(base, 'ann', PW);
    const acct = await getWith(base, jar, '/admin/account');
    add('account', acct);
    add('account-errors', await postWith(base, jar, '/admin/account/password', {
      csrf: csrfOf(acct.body), current: 'wrong one', new: 'short', confirm: 'other',
    }), 422);
    const totp = await getWith(base, jar, '/admin/account/totp');
    add('totp', totp);
    add('totp-wrong', await postWith(base, jar, '/admin/account/totp', {
      csrf: csrfOf(totp.body), pending: fieldOf(totp.body, 'pending'), code: 'abc',
    }), 422);
    const users = await getWith(base, jar, '/admin/users');
    add('users', users);
    add('users-added', await postWith(base, jar, '/admin/users', {
      csrf: csrfOf(users.body), name: 'cy', display_name: 'Cy Rao', role: 'moderator',
    }));
    add('users-bad-name', await postWith(base, jar, '/admin/users', {
      csrf: csrfOf(users.body), name: 'Not A Name!', role: 'writer',
    }), 422);
    // A writer's draft, as its writer and as an editor sees it (the
    // notice that its raw HTML is left out, and the box to trust it).
    const wes = await signedIn(base, 'wes', PW);
    const blank = await getWith(base, wes, '/admin/articles/new');
    const made = await postWith(base, wes, '/admin/articles', {
      csrf: csrfOf(blank.body), headline: 'A writer\'s draft', body: 'Text <b>raw</b>',
      lang: 'en', action: 'save',
    });
    assert.equal(made.status, 303, made.body.slice(0, 300));
    const draft = made.headers.location.replace(/\?.*$/, '');
    add('editor-writer', await getWith(base, wes, draft));
    add('editor-untrusted', await getWith(base, jar, draft));
    add('log', await getWith(base, jar, '/admin/log'));
    add('log-empty', await getWith(base, jar, '/admin/log?actor=nobody'));
    // Enrolled: the recovery codes, then the second step's page.
    const groups = /<p class="secret"[^>]*><code>([A-Z2-7 ]+)<\/code>/.exec(totp.body)[1];
    add('totp-enrolled', await postWith(base, jar, '/admin/account/totp', {
      csrf: csrfOf(totp.body), pending: fieldOf(totp.body, 'pending'),
      code: totpAt(base32Decode(groups), stepOf()),
    }));
    const step = await signIn(base, 'ann', PW);
    const code = await getWith(base, step.jar, '/admin/login/code');
    add('code', code);
    add('code-wrong', await postWith(base, step.jar, '/admin/login/code', {
      csrf: csrfOf(code.body), code: 'nothing like a code',
    }), 422);
  });

  for (const scheme of ['light', 'dark']) {
    it(`axe finds no violations on any admin page (${scheme})`, async () => {
      assert.ok(pages.length >= 15, 'pages were collected');
      await checker.emulateMedia({ colorScheme: scheme });
      const found = [];
      for (const p of pages) {
        // The page as the server sent it, at the site's origin so that
        // its stylesheet loads.
        await checker.goto(`${base}/admin/login`);
        await checker.setContent(p.html, { waitUntil: 'load' });
        const violations = await axeViolations(checker);
        if (violations.length) found.push(`${p.name}:\n${formatViolations(violations)}`);
      }
      assert.equal(found.length, 0, `axe (${scheme}):\n${found.join('\n')}`);
    });
  }

  it('the Nu Html Checker reports no errors', async () => {
    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = pages.map((p) => {
      const f = path.join(dir, `${p.name}.html`);
      writeFileSync(f, p.html);
      return f;
    });
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw new Error(`could not run ${JAVA}: ${r.error.message}`);
    const report = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, `vnu found errors:\n${report}`);
    assert.equal(report, '', `vnu printed:\n${report}`);
  });

  it('an editor signs in and out in a browser without JavaScript', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/admin/login?next=%2Fadmin%2Faccount`);
    await page.getByLabel('Name').fill('bob');
    await page.getByLabel('Password').fill(PW);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/admin/account`);
    assert.equal(await page.locator('h1').textContent(), 'Your account');
    const nav = await page.locator('nav.admin-nav a').allTextContents();
    assert.ok(!nav.includes('Users'), `an editor's navigation has no Users: ${nav}`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/admin\/login\?done=signed-out$/);
    assert.match(await page.getByRole('status').textContent(), /You are signed out\./);
    await ctx.close();
  });
});
