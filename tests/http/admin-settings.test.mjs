// admin-settings.test.mjs - the site's settings over gazette.conf
// (src/site/admin_settings.c, src/cli/cmd_settings.c, the reload in
// src/cli/cli.c): an admin changes the title and the moderation policy and
// the public pages and the next comment follow them without a restart; an
// editor is refused; a bad value is refused with a sentence and changes
// nothing; `gazette settings list|set|unset`, also while serving; settings
// outlive a restart.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  articlePaths, commentSite, listComments, postComment, publishedId,
} from '../lib/comments.mjs';
import { SLOW, get, slow, run, runOk, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, adminGet, adminPost, cheapHashes, signIn } from '../lib/staff.mjs';

const T = { timeout: slow(120000) };

// The serve loop reloads the config a moment after the store's "settings"
// event: polls check(), which returns true once the change shows, a
// bounded number of times (no assertion on how long it takes).
async function eventually(check, what) {
  for (let i = 0; i < 200 * SLOW; i++) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`never happened: ${what}`);
}

const titleOf = (html) => (/<title>([^<]*)<\/title>/.exec(html) || [])[1] || '';

describe('site settings', T, () => {
  let site;
  let srv;
  let base;
  let story;
  let admin;

  const settings = () => runOk(['settings', 'list', '--site', site]).stdout;

  before(async () => {
    ({ site } = commentSite([{ title: 'Harbour Reopens' }], { moderation: 'pre' }));
    cheapHashes(site);
    addUser(site, 'ada', 'admin');
    addUser(site, 'ed', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [story] = await articlePaths(base, ['Harbour Reopens']);
    admin = await signIn(base, 'ada');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('shows where each value comes from', T, async () => {
    const page = await adminGet(admin, '/admin/settings');
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.body, /name="site\.title" value="The Comment Ledger"/);
    assert.match(page.body, /<option value="pre" selected>/);
    assert.match(page.body, /takes effect when gazette next starts/);
    assert.doesNotMatch(page.body, /Set here, overriding gazette\.conf/);
  });

  it('changes the title and the policy: the pages and the next comment follow at once', T, async () => {
    // Pre-moderation to begin with.
    let c = await postComment(base, story, { comment: 'Before the change.' });
    assert.equal(publishedId(c.location), null);
    // The front page in the cache under the old title.
    assert.match(titleOf((await get(`${base}/`)).body), /The Comment Ledger/);

    const r = await adminPost(admin, '/admin/settings', {
      'site.title': 'The Harbour Ledger', 'comments.moderation': 'post',
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/admin/settings?done=settings-saved');
    await eventually(async () => /The Harbour Ledger/.test(titleOf((await get(`${base}/`)).body)),
      'the front page shows the new title');
    assert.match(titleOf((await get(`${base}${story}`)).body), /The Harbour Ledger/);
    c = await postComment(base, story, { comment: 'After the change.' });
    assert.notEqual(publishedId(c.location), null, `published at once: ${c.location}`);

    const page = await adminGet(admin, '/admin/settings?done=settings-saved');
    assert.match(page.body, /The settings are saved\./);
    assert.match(page.body, /name="site\.title" value="The Harbour Ledger"/);
    assert.match(page.body, /Set here, overriding gazette\.conf/);
    assert.match(settings(), /site\.title\s+The Harbour Ledger \(set here\)/);
    assert.match(settings(), /comments\.moderation\s+post \(set here\)/);
    assert.match(settings(), /comments\.hold_words\s+\(gazette\.conf\)/);
  });

  it('refuses a bad value with a sentence, and changes nothing', T, async () => {
    const before = settings();
    const r = await adminPost(admin, '/admin/settings', {
      'site.title': 'Never Saved', 'comments.moderation': 'sometimes',
    });
    assert.equal(r.status, 422);
    assert.match(r.body, /Moderation policy was not saved: moderation: expected pre, first-time or post, not &quot;sometimes&quot;\. Nothing was changed\./);
    // What was typed is shown again.
    assert.match(r.body, /name="site\.title" value="Never Saved"/);
    assert.equal(settings(), before);
    const bad = await adminPost(admin, '/admin/settings', { 'site.timezone': 'Mars/Olympus' });
    assert.equal(bad.status, 422);
    assert.match(bad.body, /Time zone was not saved/);
    assert.equal(settings(), before);
  });

  it('refuses an editor, and a POST without the csrf token', T, async () => {
    const ed = await signIn(base, 'ed');
    assert.equal((await adminGet(ed, '/admin/settings')).status, 403);
    assert.equal((await adminPost(ed, '/admin/settings', { 'site.title': 'Editor Was Here' })).status, 403);
    assert.equal((await adminPost(admin, '/admin/settings', { 'site.title': 'No Token' },
      { csrf: false })).status, 403);
    assert.doesNotMatch(settings(), /Editor Was Here|No Token/);
  });

  it('gazette settings set, unset and its refusals, heard by the running server', T, async () => {
    runOk(['settings', 'set', 'comments.moderation', 'pre', '--site', site]);
    assert.match(settings(), /comments\.moderation\s+pre \(set here\)/);
    // The running server reloads: the next comment is held again. The
    // reload comes a moment after the change, so a few tries.
    let held = false;
    for (let i = 0; i < 50 * SLOW && !held; i++) {
      const c = await postComment(base, story, { comment: `Held again ${i}.` });
      held = publishedId(c.location) === null;
      if (!held) await sleep(25);
    }
    assert.ok(held, 'a comment is held once the policy is pre again');
    assert.ok(listComments(site, 'pending').length >= 2);

    const bad = run(['settings', 'set', 'comments.moderation', 'sometimes', '--site', site]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /expected pre, first-time or post, not "sometimes"/);
    const unknown = run(['settings', 'set', 'server.listen', '0.0.0.0:80', '--site', site]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /not a setting/);
    assert.equal(run(['settings', 'set', 'site.title', '--site', site]).status, 2);

    runOk(['settings', 'unset', 'site.title', '--site', site]);
    assert.match(settings(), /site\.title\s+The Comment Ledger \(gazette\.conf\)/);
    await eventually(async () => /The Comment Ledger/.test(titleOf((await get(`${base}/`)).body)),
      "the front page shows gazette.conf's title again");
  });

  it('keeps the settings over a restart', T, async () => {
    runOk(['settings', 'set', 'site.title', 'The Lasting Ledger', '--site', site]);
    await stopChecked(srv);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    assert.match(titleOf((await get(`${base}/`)).body), /The Lasting Ledger/);
    const c = await postComment(base, story, { comment: 'After the restart.' });
    assert.equal(publishedId(c.location), null, 'still pre-moderation');
  });
});
