// serve-port.test.mjs - a second `gazette serve` on a port already in use
// stops with a clear message and exit status 1, instead of silently
// sharing the port with the first (SO_REUSEPORT), which could put two
// different sites behind one address.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { describeRun, request, run, slow, startServer, stopChecked, tempSite } from '../lib/gazette.mjs';

describe('serve: a port in use', { timeout: slow(60000) }, () => {
  let srv; let site;

  before(async () => {
    ({ site } = tempSite());
    srv = await startServer(['serve', '--site', site]);
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('a second server on the same port exits 1 and says why', async () => {
    const other = tempSite().site;
    const args = ['serve', '--site', other, '--listen', `127.0.0.1:${srv.port}`];
    const r = run(args, { timeout: slow(10000) });
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/, describeRun(args, r));
    assert.match(r.stderr, /another server/);
    // The first one still answers.
    assert.equal((await request(`${srv.url}/healthz`)).status, 200);
  });
});
