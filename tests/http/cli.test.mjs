// cli.test.mjs - the command line (design.md section 3): help, version and
// exit statuses; `init`; `import` with its file:line errors, its
// all-or-nothing files, --dry-run, and re-import updating in place. What
// an import did is checked the way a reader would see it: on the pages of
// a freshly started server.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { plainText, markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, describeRun, get, request, run, runOk, slow, tempDir, tempSite, withServer,
} from '../lib/gazette.mjs';
import { articleLinks, h1 } from '../lib/html.mjs';

const T = { timeout: slow(120000) };

// The version meson.build declares, which --version must print.
function projectVersion() {
  const m = /version:\s*'([^']+)'/.exec(readFileSync(path.join(ROOT, 'meson.build'), 'utf8'));
  assert.ok(m, 'meson.build declares a version');
  return m[1];
}

// What a reader sees of a site: its front page's article links, and the
// headline of each linked article page.
async function published(site) {
  return withServer(site, async (srv) => {
    const front = (await get(`${srv.url}/`)).body;
    const out = [];
    for (const l of articleLinks(front)) {
      const page = await get(srv.url + l.path);
      out.push({ id: l.id, path: l.path, headline: h1(page.body) });
    }
    return out.sort((a, b) => a.id - b.id);
  });
}

function expectStatus(args, r, status) {
  assert.equal(r.status, status, describeRun(args, r));
}

describe('gazette --help, --version and usage errors', T, () => {
  it('--version prints the version and exits 0', () => {
    const args = ['--version'];
    const r = run(args);
    expectStatus(args, r, 0);
    assert.ok(r.stdout.includes(projectVersion()),
      `--version output ${JSON.stringify(r.stdout)} names version ${projectVersion()}`);
  });

  it('--help prints usage naming the commands on stdout and exits 0', () => {
    const args = ['--help'];
    const r = run(args);
    expectStatus(args, r, 0);
    assert.match(r.stdout, /usage/i);
    for (const cmd of ['init', 'serve', 'import', 'demo']) {
      assert.ok(r.stdout.includes(cmd), `--help mentions "${cmd}":\n${r.stdout}`);
    }
  });

  for (const cmd of ['init', 'serve', 'import', 'demo']) {
    it(`${cmd} --help prints its usage on stdout and exits 0`, () => {
      const args = [cmd, '--help'];
      const r = run(args);
      expectStatus(args, r, 0);
      assert.match(r.stdout, /usage/i);
      assert.ok(r.stdout.includes(cmd), `usage names the command:\n${r.stdout}`);
      assert.ok(r.stdout.includes('--'), `usage lists options:\n${r.stdout}`);
    });
  }

  const usageErrors = [
    ['frobnicate'],
    ['--frobnicate'],
    ['init', '--frobnicate'],
    ['serve', '--frobnicate'],
    ['import', '--frobnicate', 'x.txt'],
    ['demo', '--frobnicate'],
    ['init', '--site'],
  ];
  for (const args of usageErrors) {
    it(`"gazette ${args.join(' ')}" is a usage error: exit 2, usage on stderr`, () => {
      const r = run(args, { cwd: tempDir() });
      expectStatus(args, r, 2);
      assert.match(r.stderr, /usage/i, describeRun(args, r));
      assert.equal(r.stdout, '', 'nothing on stdout for a usage error');
    });
  }
});

describe('gazette init', T, () => {
  it('creates the site directory with gazette.conf and gazette.db', () => {
    const dir = tempDir();
    const site = path.join(dir, 'news');
    const args = ['init', '--site', site, '--title', 'The Riverton Ledger',
      '--timezone', 'Asia/Tehran', '--base-url', 'http://127.0.0.1'];
    const r = run(args);
    expectStatus(args, r, 0);
    assert.ok(existsSync(path.join(site, 'gazette.conf')), 'gazette.conf exists');
    assert.ok(existsSync(path.join(site, 'gazette.db')), 'gazette.db exists');
    const conf = readFileSync(path.join(site, 'gazette.conf'), 'utf8');
    assert.ok(conf.includes('The Riverton Ledger'), `conf keeps the title:\n${conf}`);
    assert.ok(conf.includes('Asia/Tehran'), `conf keeps the time zone:\n${conf}`);
  });

  it('refuses a directory that already holds gazette.conf: exit 1, conf untouched', () => {
    const { site } = tempSite({ title: 'First' });
    const before = readFileSync(path.join(site, 'gazette.conf'));
    const args = ['init', '--site', site, '--title', 'Second', '--timezone', 'UTC',
      '--base-url', 'http://127.0.0.1'];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.notEqual(r.stderr.trim(), '', 'says why on stderr');
    assert.deepEqual(readFileSync(path.join(site, 'gazette.conf')), before,
      'the existing gazette.conf is unchanged');
  });

  it('rejects a time zone that does not exist, naming it', () => {
    const site = path.join(tempDir(), 'site');
    const args = ['init', '--site', site, '--title', 'T', '--timezone', 'Mars/Olympus_Mons',
      '--base-url', 'http://127.0.0.1'];
    const r = run(args);
    assert.ok(r.status === 1 || r.status === 2, describeRun(args, r));
    assert.ok(r.stderr.includes('Mars/Olympus_Mons'), describeRun(args, r));
  });

  it('a new site serves an empty front page', async () => {
    const { site } = tempSite();
    await withServer(site, async (srv) => {
      const res = await request(`${srv.url}/`);
      assert.equal(res.status, 200);
      assert.deepEqual(articleLinks(res.body), []);
    });
  });
});

describe('gazette import', T, () => {
  it('imports plain-text files and serves them', async () => {
    const { dir, site } = tempSite();
    const a = writeArticle(dir, 'a.txt', plainText('Ferry service resumes', ['The ferry runs again.']));
    const b = writeArticle(dir, 'b.txt', plainText('Library extends hours', ['Open till nine.']));
    runOk(['import', '--site', site, a, b]);
    const got = await published(site);
    assert.deepEqual(got.map((x) => x.headline).sort(),
      ['Ferry service resumes', 'Library extends hours']);
    assert.notEqual(got[0].id, got[1].id);
  });

  it('a bad date line fails with FILE:LINE: expected ..., exit 1, nothing imported', async () => {
    const { dir, site } = tempSite();
    const good = writeArticle(dir, 'good.txt', plainText('Market reopens', ['Stalls are back.']));
    runOk(['import', '--site', site, good]);
    const before = await published(site);
    assert.equal(before.length, 1);

    const bad = writeArticle(dir, 'bad.txt',
      'Never to be published\n\nsometime last week\n\nBody text.\n');
    const args = ['import', '--site', site, bad];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /(^|\/)bad\.txt:3: expected/m, describeRun(args, r));
    assert.deepEqual(await published(site), before, 'the site is unchanged');
  });

  it('a bad front-matter date names its line', async () => {
    const { dir, site } = tempSite();
    const bad = writeArticle(dir, 'bad.md', markdown(
      { title: 'Never to be published', date: 'the day after tomorrow' }, 'Body.\n'));
    const args = ['import', '--site', site, bad];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /(^|\/)bad\.md:3: expected/m, describeRun(args, r));
    assert.deepEqual(await published(site), []);
  });

  it('text that is not UTF-8 is refused, naming the file, exit 1', async () => {
    const { dir, site } = tempSite();
    const bytes = Buffer.concat([
      Buffer.from('Caf\u00e9 owners protest\n\nJune 2, 2021 - 09:15\n\nThe caf', 'utf8'),
      Buffer.from([0xe9, 0x20, 0xff, 0xfe]),
      Buffer.from(' closed.\n', 'utf8'),
    ]);
    const bad = writeArticle(dir, 'latin1.txt', bytes);
    const args = ['import', '--site', site, bad];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /latin1\.txt/, describeRun(args, r));
    assert.deepEqual(await published(site), []);
  });

  it('a failing re-import leaves the existing article as it was', async () => {
    const { dir, site } = tempSite();
    const file = writeArticle(dir, 'story.txt', plainText('Dam inspection passes', ['All clear.']));
    runOk(['import', '--site', site, file]);
    const before = await published(site);
    writeArticle(dir, 'story.txt', 'Dam inspection fails\n\nnot a date\n\nOops.\n');
    const args = ['import', '--site', site, file];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /story\.txt:3: expected/, describeRun(args, r));
    assert.deepEqual(await published(site), before);
  });

  it('--dry-run checks files but imports nothing', async () => {
    const { dir, site } = tempSite();
    const good = writeArticle(dir, 'good.txt', plainText('Bus routes redrawn', ['New map.']));
    const dry = ['import', '--site', site, '--dry-run', good];
    expectStatus(dry, run(dry), 0);
    assert.deepEqual(await published(site), [], 'a dry run imports nothing');

    const bad = writeArticle(dir, 'bad.txt', 'Headline\n\nno date here\n\nBody.\n');
    const dryBad = ['import', '--site', site, '--dry-run', bad];
    const r = run(dryBad);
    expectStatus(dryBad, r, 1);
    assert.match(r.stderr, /bad\.txt:3: expected/, describeRun(dryBad, r));
  });

  it('re-importing the same file updates its article: same id, new headline', async () => {
    const { dir, site } = tempSite();
    const file = writeArticle(dir, 'story.txt', plainText('Old headline on the bridge', ['First.']));
    runOk(['import', '--site', site, file]);
    const [first] = await published(site);
    assert.equal(first.headline, 'Old headline on the bridge');

    writeArticle(dir, 'story.txt', plainText('New headline on the bridge', ['Second.']));
    runOk(['import', '--site', site, file]);
    const after = await published(site);
    assert.equal(after.length, 1, `one article, not two: ${JSON.stringify(after)}`);
    assert.equal(after[0].id, first.id, 'same article id');
    assert.equal(after[0].headline, 'New headline on the bridge');
  });

  it('a missing file fails with exit 1, naming it', () => {
    const { dir, site } = tempSite();
    const missing = path.join(dir, 'no-such-file.txt');
    const args = ['import', '--site', site, missing];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /no-such-file\.txt/);
  });

  it('no FILE is a usage error (exit 2)', () => {
    const { site } = tempSite();
    const args = ['import', '--site', site];
    const r = run(args);
    expectStatus(args, r, 2);
    assert.match(r.stderr, /usage/i);
  });

  it('a site directory that does not exist fails with exit 1', () => {
    const dir = tempDir();
    const file = writeArticle(dir, 'a.txt', plainText('Nowhere to go', ['Body.']));
    const args = ['import', '--site', path.join(dir, 'no-site'), file];
    const r = run(args);
    expectStatus(args, r, 1);
    assert.notEqual(r.stderr.trim(), '');
  });
});
