// admin-revisions-image.test.mjs - the lead image in an article's history
// and in the editor, over HTTP: restoring a revision brings back its lead
// image, or none when it had none; one whose photo was deleted since
// restores the words, keeps the current lead image and says so in one
// sentence; the comparison names both photos. A photo chosen in the
// editor and deleted before the save (or the preview) gives the form
// back, 422, with everything typed and one sentence, nothing stored.
// The photos are library rows made with SQL: no file is needed for any of
// this.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { sql } from '../lib/admin.mjs';
import { slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, articleIdOf, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(120000) };

// A library row with alt text; its id.
function addPhoto(site, n, alt) {
  const hash = n.toString(16).padStart(32, '0');
  return Number(sql(site, 'INSERT INTO media (hash, format, width, height, bytes, widths, alt,'
    + ` created_at, actor) VALUES ('${hash}', 'jpeg', 800, 600, 1000, '320,640', '${alt}',`
    + " strftime('%s', 'now'), 'admin:eddie') RETURNING id"));
}

function leadOf(site, id) {
  return sql(site, `SELECT coalesce(image_id, 'none') FROM articles WHERE id = ${id}`);
}

describe('the lead image in revisions and the editor', T, () => {
  let srv;
  let site;
  let eddie;

  before(async () => {
    ({ site } = newsroomSite());
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    eddie = await signIn(srv.url, 'eddie');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  // Saves article id (0: creates one) with body and image; its id.
  async function save(id, body, image) {
    let loaded = {};
    if (id) {
      const ed = await eddie.get(`/admin/articles/${id}`);
      loaded = { loaded_revision: ed.body.match(/name="loaded_revision" value="(\d+)"/)[1] };
    }
    const res = await eddie.post(id ? `/admin/articles/${id}` : '/admin/articles', {
      headline: 'Bridge story', body, image: String(image), action: 'save', ...loaded,
    }, { multipart: true });
    assert.equal(res.status, 303, res.body.slice(0, 2000));
    return articleIdOf(res);
  }

  // The revision urls of article id, oldest first.
  async function revisions(id) {
    const list = await eddie.get(`/admin/articles/${id}/revisions`);
    assert.equal(list.status, 200);
    return [...list.body.matchAll(/href="(\/admin\/articles\/\d+\/revisions\/\d+)">\d+</g)]
      .map((m) => m[1]).reverse();
  }

  it('a restore brings back the revision\'s lead image, or none', async () => {
    const a = addPhoto(site, 1, 'The old bridge');
    const b = addPhoto(site, 2, 'The new bridge');
    const id = await save(0, 'First words.', a);
    await save(id, 'Second words.', b);
    await save(id, 'Third words.', 'none');
    const [r1, r2] = await revisions(id);
    const diff = await eddie.get(r1);
    assert.match(diff.body, new RegExp(`Photo ${a}: The old bridge`));
    let res = await eddie.post(`${r1}/restore`, {});
    assert.equal(res.status, 303);
    assert.match(res.headers.location, /done=restored$/);
    assert.equal(leadOf(site, id), String(a));
    res = await eddie.post(`${r2}/restore`, {});
    assert.equal(res.status, 303);
    assert.equal(leadOf(site, id), String(b));
    const [, , r3] = await revisions(id);
    res = await eddie.post(`${r3}/restore`, {});
    assert.equal(res.status, 303);
    assert.equal(leadOf(site, id), 'none');
  });

  it('a photo deleted since: the words come back, the lead image stays, one sentence says so', async () => {
    const gone = addPhoto(site, 3, 'A heron on the weir');
    const kept = addPhoto(site, 4, 'The weir in winter');
    const id = await save(0, 'Heron words.', gone);
    await save(id, 'Weir words.', kept);
    let res = await eddie.post(`/admin/media/${gone}/delete`, {});
    assert.equal(res.status, 303, 'unused now: deleted');
    const [r1] = await revisions(id);
    const diff = await eddie.get(r1);
    assert.match(diff.body, new RegExp(`Photo ${gone} \\(removed from the library\\)`));
    res = await eddie.post(`${r1}/restore`, {});
    assert.equal(res.status, 303);
    assert.match(res.headers.location, /done=restored-without-photo$/);
    assert.equal(leadOf(site, id), String(kept));
    const ed = await eddie.get(res.headers.location);
    assert.equal(ed.status, 200);
    assert.match(ed.body, /Heron words\./);
    assert.match(ed.body, /The revision was restored without its lead photo, which was removed from the library since/);
    // A new photo never takes the deleted one's id.
    assert.notEqual(addPhoto(site, 5, 'Another heron'), gone);
  });

  it('a photo deleted between the editor\'s load and its save: 422, everything kept', async () => {
    const photo = addPhoto(site, 6, 'A kingfisher');
    const id = await save(0, 'Kingfisher words.', 'none');
    const ed = await eddie.get(`/admin/articles/${id}`);
    assert.match(ed.body, new RegExp(`<option value="${photo}">`));
    const loaded = ed.body.match(/name="loaded_revision" value="(\d+)"/)[1];
    assert.equal((await eddie.post(`/admin/media/${photo}/delete`, {})).status, 303);
    // The newest photo deleted: its id is not given again (schema 13).
    assert.equal(addPhoto(site, 7, 'A newer photo'), photo + 1);
    const before = sql(site, `SELECT count(*) FROM revisions WHERE article_id = ${id}`);
    for (const action of ['save', 'preview']) {
      const res = await eddie.post(`/admin/articles/${id}`, {
        headline: 'Kingfisher story, typed', body: 'Words typed since the page was opened.',
        image: String(photo), action, loaded_revision: loaded,
      }, { multipart: true });
      assert.equal(res.status, 422, `${action}: ${res.body.slice(0, 1500)}`);
      assert.match(res.body, /The lead photo was removed from the library; choose another\./);
      assert.match(res.body, /Words typed since the page was opened\./);
      assert.match(res.body, /value="Kingfisher story, typed"/);
    }
    assert.equal(sql(site, `SELECT count(*) FROM revisions WHERE article_id = ${id}`), before);
    assert.equal(leadOf(site, id), 'none');
  });
});
