/*
 * sqlite.c - the SQLite engine behind store.h: opening the database,
 * connections, the schema and its migrations, and write transactions
 * (sqlite_driver.c has its statements and its table of result codes).
 *
 * Data flow: handlers and commands call store_*; article.c and section.c
 * hold the queries; this file gives them a connection (the calling
 * thread's reader, or the writer inside a transaction) on which conn.c
 * keeps a cache of prepared statements.
 *
 * Invariants:
 * - One writer connection, used only between store_tx_begin and
 *   store_tx_commit/rollback by the thread holding write_lock. Readers are
 *   one per thread, with query_only on, so a read can never write.
 * - The schema version is PRAGMA user_version. Migration N (1-based) is
 *   store_migrations[N - 1]; each runs in its own transaction together
 *   with the version bump, so a database is always at exactly one version,
 *   with foreign keys off (store_migrate says why) and checked before the
 *   commit.
 *   A database from a newer gazette is refused before anything is written
 *   to it (not even the switch to WAL).
 * - Before SQLite opens a file, store_file_check looks at it (exists,
 *   opens read-write, starts with SQLite's header), so that a person is
 *   told which of these is wrong instead of "unable to open database
 *   file" at the first read.
 * - Nothing outside store/ sees an SQLite type or code.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/err.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/utf8.h"

/* How long a connection waits for a lock held by another connection or
 * process before answering GZ_EBUSY. */
#define STORE_BUSY_MS 5000

/*
 * The schema, one script per version. Never edit a script once released:
 * add the next one. Portable SQL where possible, so that store/pg.c can
 * follow with the same tables (there: BIGINT for INTEGER, identity columns
 * for INTEGER PRIMARY KEY). Times are integer UTC seconds.
 *
 * Version 1:
 * - articles.id is the rowid (INTEGER PRIMARY KEY), so an FTS5
 *   external-content table can use it as its rowid, and it is the stable
 *   key of /news/{id}/ URLs, comments and revisions to come.
 * - articles.slug is not unique: URLs carry the id, the slug is decoration
 *   (a wrong one is answered with a redirect).
 * - published_at is NULL for a draft never published (store.h says 0);
 *   NULL is never <= now, so such a row is never visible.
 * - import_key is UNIQUE; NULLs do not collide, in SQLite or PostgreSQL.
 * - Indexes serve the listings: visible articles newest first
 *   (published_at, id), the same within a section (section_id first; it
 *   also serves ON DELETE SET NULL), and by tag (tag_id first; the primary
 *   key serves by article).
 *
 * Version 2: readers' comments (comment.c).
 * - comments.status is text, checked, as articles.status is. A comment
 *   goes with its article (ON DELETE CASCADE); a deleted parent leaves
 *   its replies in place (store_comment_delete moves them up to the
 *   grandparent itself; SET NULL is the backstop).
 * - Indexes: an article's comments by status and age (the page, and
 *   articles.comment_count through a covering lookup); the moderation
 *   queue by status and age (id is the rowid, so it follows created_at);
 *   replies by parent (the re-parenting and SET NULL); and "has this
 *   address an approved comment" as a partial expression index. lower()
 *   folds ASCII only in SQLite (locale-aware in PostgreSQL); addresses
 *   are ASCII in practice.
 * - comment_nonces holds spent CAPTCHA nonces; the primary key is what
 *   makes a token work once. WITHOUT ROWID is SQLite's (the key is the
 *   row): store/pg.c drops the clause.
 * - moderation_log has no foreign key: it outlives the comments it
 *   names.
 * - articles.comments_close_at: NULL leaves closing to the site policy.
 *
 * Version 3: stored HTML, kept counts, listings that read one index.
 * - articles.body_html is the body rendered by renderer html_version
 *   (NULL: not rendered yet; html_version is then 0).
 * - sections.article_count and tags.article_count are the articles
 *   visible at their counted_at, kept by every write (events.c); a read
 *   at another now adds or takes away the range between.
 * - article_tags.published_at is a copy of the article's published_at
 *   when it is listed (not a draft), else NULL, kept by
 *   store_article_put (the only writer of either): a tag's listing is
 *   then one descending range of article_tags_listed, whatever the
 *   tag's size, instead of a scan of the archive or a sort of the tag.
 * - The partial indexes articles_listed and articles_listed_section hold
 *   only listed articles, newest first, so a listing or a count never
 *   reads a draft's row to skip it. Their WHERE is the text of VISIBLE
 *   in article.c, which is what lets the planner use them.
 * - The counts are filled at migration time as of then.
 *
 * Version 6: the first-time moderation rule keyed on the browser.
 * - comments.commenter_key is a keyed hash of the commenter cookie of the
 *   browser that sent the comment (comments/commenter.c), NULL for every
 *   comment stored before (and for the demo's). Existing rows are not
 *   given one: the trust an address earned is deliberately not carried
 *   over, since anyone could claim it by typing the address.
 * - comments_commenter serves "did a moderator approve a comment of this
 *   browser": partial, so the old rows cost nothing; BLOB compares
 *   bytewise in SQLite and PostgreSQL (bytea) alike.
 * - comments_email served the address look-up, which is gone.
 */
static const char *const store_migrations[] = {
	"CREATE TABLE sections ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL"
	");"
	"CREATE TABLE articles ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL,"
	"  headline TEXT NOT NULL,"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL DEFAULT '',"
	"  byline TEXT NOT NULL DEFAULT '',"
	"  dateline TEXT NOT NULL DEFAULT '',"
	"  section_id INTEGER REFERENCES sections (id) ON DELETE SET NULL,"
	"  lang TEXT NOT NULL DEFAULT 'en',"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('draft', 'scheduled', 'published')),"
	"  published_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  import_key TEXT UNIQUE"
	");"
	"CREATE INDEX articles_published ON articles (published_at, id);"
	"CREATE INDEX articles_section ON articles (section_id, published_at, id);"
	"CREATE TABLE article_tags ("
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  tag_id INTEGER NOT NULL REFERENCES tags (id),"
	"  PRIMARY KEY (article_id, tag_id)"
	");"
	"CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);",

	"CREATE TABLE comments ("
	"  id INTEGER PRIMARY KEY,"
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  parent_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,"
	"  author TEXT NOT NULL,"
	"  email TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL,"
	"  ip TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX comments_article"
	"  ON comments (article_id, status, created_at, id);"
	"CREATE INDEX comments_status ON comments (status, created_at);"
	"CREATE INDEX comments_parent ON comments (parent_id);"
	"CREATE INDEX comments_email ON comments (lower(email))"
	"  WHERE status = 'approved' AND email <> '';"
	"CREATE TABLE comment_nonces ("
	"  nonce BLOB PRIMARY KEY,"
	"  expires_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX comment_nonces_expires ON comment_nonces (expires_at);"
	"CREATE TABLE moderation_log ("
	"  id INTEGER PRIMARY KEY,"
	"  comment_id INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX moderation_log_comment ON moderation_log (comment_id, at);"
	"ALTER TABLE articles ADD COLUMN comments_close_at INTEGER;",

	"ALTER TABLE articles ADD COLUMN body_html TEXT;"
	"ALTER TABLE articles ADD COLUMN html_version INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE sections ADD COLUMN article_count INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE sections ADD COLUMN counted_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tags ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tags ADD COLUMN counted_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE article_tags ADD COLUMN published_at INTEGER;"
	"UPDATE article_tags SET published_at = (SELECT a.published_at"
	"  FROM articles a WHERE a.id = article_tags.article_id"
	"  AND a.status <> 'draft');"
	"CREATE INDEX articles_listed ON articles (published_at, id)"
	"  WHERE status <> 'draft';"
	"CREATE INDEX articles_listed_section"
	"  ON articles (section_id, published_at, id) WHERE status <> 'draft';"
	"CREATE INDEX article_tags_listed"
	"  ON article_tags (tag_id, published_at, article_id);"
	"UPDATE sections SET counted_at = CAST(strftime('%s', 'now') AS INTEGER);"
	"UPDATE sections SET article_count = (SELECT count(*) FROM articles a"
	"  WHERE a.section_id = sections.id AND a.status <> 'draft'"
	"  AND a.published_at <= sections.counted_at);"
	"UPDATE tags SET counted_at = CAST(strftime('%s', 'now') AS INTEGER);"
	"UPDATE tags SET article_count = (SELECT count(*) FROM article_tags x"
	"  WHERE x.tag_id = tags.id AND x.published_at <= tags.counted_at);",

	/* changes.c: keys of committed writes, for the other processes. */
	"CREATE TABLE changes ("
	"  id INTEGER PRIMARY KEY,"
	"  origin INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  keys TEXT NOT NULL"
	");"
	"CREATE INDEX changes_at ON changes (at);",

	/* comment.c: each comment knows its thread (the top-level comment it
	 * hangs from, itself for a top-level one), so an article page reads
	 * one page of threads, not every comment; and an article's approved
	 * comments are counted on write, not per read. */
	"ALTER TABLE comments ADD COLUMN thread_id INTEGER;"
	"WITH RECURSIVE up (id, top) AS ("
	"  SELECT id, id FROM comments WHERE parent_id IS NULL"
	"  UNION ALL SELECT c.id, up.top FROM comments c"
	"  JOIN up ON c.parent_id = up.id)"
	"UPDATE comments SET thread_id = (SELECT top FROM up"
	"  WHERE up.id = comments.id);"
	"UPDATE comments SET thread_id = id WHERE thread_id IS NULL;"
	"CREATE INDEX comments_thread"
	"  ON comments (article_id, status, thread_id, id);"
	"ALTER TABLE articles ADD COLUMN comment_count INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE articles SET comment_count = (SELECT count(*) FROM comments c"
	"  WHERE c.article_id = articles.id AND c.status = 'approved');"
	"ALTER TABLE articles ADD COLUMN comment_version INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE articles SET comment_version = (SELECT count(*) FROM comments c"
	"  WHERE c.article_id = articles.id);",

	/* Version 6: the first-time rule keyed on the browser, not the
	 * address (comment.c's known_sql; docs/security.md). */
	"ALTER TABLE comments ADD COLUMN commenter_key BLOB;"
	"CREATE INDEX comments_commenter ON comments (commenter_key, status)"
	"  WHERE commenter_key IS NOT NULL;"
	"DROP INDEX comments_email;",

	/* Version 7: search (search.c). body_text is the body's text as
	 * read (its HTML without the markup; the Markdown until the
	 * start-up refresh remakes both, which html_version 0 asks for). articles_fts indexes headline, summary
	 * and body_text of every article, drafts too (a search filters on
	 * visibility, as every listing does), with diacritics folded, and
	 * follows each insert, edit and delete in the same transaction by
	 * the triggers. */
	"ALTER TABLE articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';"
	"UPDATE articles SET body_text = body;"
	/* The start-up refresh remakes each body's HTML, and its text. */
	"UPDATE articles SET html_version = 0;"
	"CREATE VIRTUAL TABLE articles_fts USING fts5("
	"  headline, summary, body_text,"
	"  content = 'articles', content_rowid = 'id',"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');"
	"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN"
	"  INSERT INTO articles_fts (rowid, headline, summary, body_text)"
	"  VALUES (new.id, new.headline, new.summary, new.body_text);"
	"END;"
	"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN"
	"  INSERT INTO articles_fts (articles_fts, rowid, headline, summary,"
	"  body_text) VALUES ('delete', old.id, old.headline, old.summary,"
	"  old.body_text);"
	"END;"
	"CREATE TRIGGER articles_fts_update"
	"  AFTER UPDATE OF headline, summary, body_text ON articles BEGIN"
	"  INSERT INTO articles_fts (articles_fts, rowid, headline, summary,"
	"  body_text) VALUES ('delete', old.id, old.headline, old.summary,"
	"  old.body_text);"
	"  INSERT INTO articles_fts (rowid, headline, summary, body_text)"
	"  VALUES (new.id, new.headline, new.summary, new.body_text);"
	"END;",

	/* Version 8: authors (author.c), each article linked to the names
	 * its byline gives by store_authors_backfill, in the same
	 * transaction (store_migrate). */
	"CREATE TABLE authors ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  bio TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE TABLE article_authors ("
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  author_id INTEGER NOT NULL REFERENCES authors (id),"
	"  position INTEGER NOT NULL,"
	"  published_at INTEGER,"
	"  PRIMARY KEY (article_id, author_id)"
	");"
	"CREATE INDEX article_authors_listed"
	"  ON article_authors (author_id, published_at, article_id);",

	/* Version 9: the newsroom's own pages (page.c), in Markdown, each
	 * at /SLUG. A new site is given four to edit (store_pages_seed, from
	 * gazette init); an upgraded one none, so that no placeholder goes
	 * live on a running paper. */
	"CREATE TABLE pages ("
	"  slug TEXT PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  position INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL"
	");",

	/* Version 10: the newsroom (user.c, session.c, revision.c,
	 * correction.c, audit.c, setting.c).
	 * - articles.owner_id is who created it in the admin (NULL for an
	 *   import; no foreign key, so removing a user keeps their stories);
	 *   review_at is when a writer asked for review; unpublished_at marks
	 *   a story taken down, stored as a draft so that every VISIBLE test
	 *   and partial index hides it unchanged.
	 * - users.role is text, checked, as articles.status is; totp_secret
	 *   NULL means no second factor. sessions keep a hash of the id
	 *   (WITHOUT ROWID: the hash is the row; pg.c drops the clause) and
	 *   go with their user. recovery_codes likewise.
	 * - revisions copy the article as saved (tags and authors as the
	 *   text shown to editors); every existing article gets one, as it
	 *   stands, so that its history starts somewhere.
	 * - audit_log has no foreign key: it outlives what it names.
	 * - settings are an admin's overrides of gazette.conf ("site.title").
	 * - comments.hold_reason says why a comment waits for a moderator
	 *   ("first-time", "links", "word: casino"); "" for the older ones. */
	"ALTER TABLE comments ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE articles ADD COLUMN owner_id INTEGER;"
	"ALTER TABLE articles ADD COLUMN review_at INTEGER;"
	"ALTER TABLE articles ADD COLUMN unpublished_at INTEGER;"
	"CREATE INDEX articles_updated ON articles (updated_at, id);"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL"
	"    CHECK (role IN ('admin', 'editor', 'writer', 'moderator')),"
	"  password_hash TEXT NOT NULL,"
	"  must_change_password INTEGER NOT NULL DEFAULT 0,"
	"  totp_secret BLOB,"
	"  totp_last_step INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  last_signin_at INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE sessions ("
	"  id_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  second_factor INTEGER NOT NULL DEFAULT 0,"
	"  ip TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions (user_id);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"
	"CREATE TABLE recovery_codes ("
	"  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	"  code_hash BLOB NOT NULL,"
	"  PRIMARY KEY (user_id, code_hash)"
	") WITHOUT ROWID;"
	"CREATE TABLE revisions ("
	"  id INTEGER PRIMARY KEY,"
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  slug TEXT NOT NULL DEFAULT '',"
	"  headline TEXT NOT NULL,"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL DEFAULT '',"
	"  byline TEXT NOT NULL DEFAULT '',"
	"  dateline TEXT NOT NULL DEFAULT '',"
	"  section TEXT NOT NULL DEFAULT '',"
	"  lang TEXT NOT NULL DEFAULT 'en',"
	"  tags TEXT NOT NULL DEFAULT '',"
	"  authors TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('draft', 'scheduled', 'published', 'unpublished')),"
	"  published_at INTEGER"
	");"
	"CREATE INDEX revisions_article ON revisions (article_id, id);"
	"INSERT INTO revisions (article_id, created_at, actor, note, slug,"
	"  headline, summary, body, byline, dateline, section, lang, tags,"
	"  authors, status, published_at)"
	"  SELECT a.id, a.updated_at, 'import', '', a.slug, a.headline,"
	"  a.summary, a.body, a.byline, a.dateline,"
	"  coalesce((SELECT s.name FROM sections s WHERE s.id = a.section_id),"
	"  ''),"
	/* Tags sorted as revision.c copies them, so that an unchanged
	 * re-import after the upgrade records no revision. */
	"  a.lang, coalesce((SELECT group_concat(name, ', ') FROM (SELECT"
	"  t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	"  WHERE x.article_id = a.id ORDER BY lower(t.name), t.name, t.id)),"
	"  ''),"
	"  coalesce((SELECT group_concat(name, ', ') FROM (SELECT u.name"
	"  FROM article_authors y JOIN authors u ON u.id = y.author_id"
	"  WHERE y.article_id = a.id ORDER BY y.position)), ''),"
	"  a.status, a.published_at FROM articles a ORDER BY a.id;"
	"CREATE TABLE corrections ("
	"  id INTEGER PRIMARY KEY,"
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  actor TEXT NOT NULL"
	");"
	"CREATE INDEX corrections_article ON corrections (article_id, id);"
	"CREATE INDEX corrections_created ON corrections (created_at, id);"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  ip TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_log_actor ON audit_log (actor, id);"
	"CREATE INDEX audit_log_object ON audit_log (object, id);"
	"CREATE INDEX moderation_log_at ON moderation_log (at, id);"
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");",
	/* Version 11: whose raw HTML a body may carry, and revisions that
	 * share the article's body.
	 * - articles.body_trusted is 0 when a writer saved the body last:
	 *   its HTML is then rendered as a reader's comment is (raw HTML
	 *   omitted, dangerous links emptied), until an editor trusts it.
	 *   Every article before was an import or an editor's: 1.
	 * - revisions.body_trusted is the same at the revision's save, so
	 *   that restoring a writer's text never trusts it.
	 * - revisions.body may be NULL: the article's current body
	 *   (revision.c), so an import does not store each body twice.
	 *   SQLite cannot drop a NOT NULL, so the table is made again
	 *   (store/pg.c: ALTER COLUMN ... DROP NOT NULL); the bodies equal
	 *   to their article's become NULL. */
	"ALTER TABLE articles ADD COLUMN body_trusted INTEGER NOT NULL"
	"  DEFAULT 1 CHECK (body_trusted IN (0, 1));"
	"CREATE TABLE revisions_11 ("
	"  id INTEGER PRIMARY KEY,"
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  slug TEXT NOT NULL DEFAULT '',"
	"  headline TEXT NOT NULL,"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  body TEXT,"
	"  byline TEXT NOT NULL DEFAULT '',"
	"  dateline TEXT NOT NULL DEFAULT '',"
	"  section TEXT NOT NULL DEFAULT '',"
	"  lang TEXT NOT NULL DEFAULT 'en',"
	"  tags TEXT NOT NULL DEFAULT '',"
	"  authors TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('draft', 'scheduled', 'published', 'unpublished')),"
	"  published_at INTEGER,"
	"  body_trusted INTEGER NOT NULL DEFAULT 1"
	"    CHECK (body_trusted IN (0, 1))"
	");"
	"INSERT INTO revisions_11 (id, article_id, created_at, actor, note,"
	"  slug, headline, summary, body, byline, dateline, section, lang,"
	"  tags, authors, status, published_at)"
	"  SELECT r.id, r.article_id, r.created_at, r.actor, r.note, r.slug,"
	"  r.headline, r.summary, CASE WHEN r.body = a.body THEN NULL"
	"  ELSE r.body END, r.byline, r.dateline, r.section, r.lang, r.tags,"
	"  r.authors, r.status, r.published_at"
	"  FROM revisions r JOIN articles a ON a.id = r.article_id;"
	"DROP TABLE revisions;"
	"ALTER TABLE revisions_11 RENAME TO revisions;"
	"CREATE INDEX revisions_article ON revisions (article_id, id);",
	/* Version 12: photos (media.c).
	 * - media holds one row per uploaded original, found by hash (the
	 *   BLAKE2b of its bytes, which also names its variant files under
	 *   the media directory), so the same bytes uploaded twice are one
	 *   image. widths lists the variant widths made, narrowest first,
	 *   comma-separated ("320,640,960"): at most MEDIA_MAX_VARIANTS
	 *   small numbers, read whole with the row, never queried by.
	 * - alt is '' only when decorative (store_media_add checks; the
	 *   CHECK is the backstop). focal_x, focal_y are thousandths of the
	 *   width and height, 500 the middle.
	 * - articles.image_id is the lead image; a row in use cannot be
	 *   deleted (store_media_delete answers GZ_EBUSY, the foreign key
	 *   is the backstop). articles_image serves "who uses this image"
	 *   (uses counts, delete, change events); partial, so the many
	 *   articles without one cost nothing.
	 * - revisions.image_id is the lead image at the revision's save, so
	 *   that changing it alone is a revision. No foreign key: history
	 *   may name an image since deleted.
	 * - ALTER TABLE ADD COLUMN keeps articles' rowids, so articles_fts
	 *   (external content, keyed by rowid) and its triggers (which name
	 *   their columns) are untouched. */
	"CREATE TABLE media ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  format TEXT NOT NULL CHECK (format IN"
	"    ('jpeg', 'png', 'webp', 'avif')),"
	"  width INTEGER NOT NULL CHECK (width > 0),"
	"  height INTEGER NOT NULL CHECK (height > 0),"
	"  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
	"  widths TEXT NOT NULL DEFAULT '',"
	"  avif INTEGER NOT NULL DEFAULT 0 CHECK (avif IN (0, 1)),"
	"  alt TEXT NOT NULL DEFAULT '',"
	"  decorative INTEGER NOT NULL DEFAULT 0"
	"    CHECK (decorative IN (0, 1)),"
	"  caption TEXT NOT NULL DEFAULT '',"
	"  credit TEXT NOT NULL DEFAULT '',"
	"  focal_x INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_x BETWEEN 0 AND 1000),"
	"  focal_y INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_y BETWEEN 0 AND 1000),"
	"  created_at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  CHECK (alt <> '' OR decorative = 1)"
	");"
	"CREATE INDEX media_created ON media (created_at, id);"
	"ALTER TABLE articles ADD COLUMN image_id INTEGER"
	"  REFERENCES media (id);"
	"CREATE INDEX articles_image ON articles (image_id)"
	"  WHERE image_id IS NOT NULL;"
	"ALTER TABLE revisions ADD COLUMN image_id INTEGER;",
	/* Version 13: media ids are never used twice.
	 * - media.id was the rowid alone, so SQLite gave a deleted photo's
	 *   id (the largest) to the next upload: /admin/media/7, an
	 *   audit entry "media:7" and a revision's image_id 7 could come to
	 *   name another photo. AUTOINCREMENT keeps the largest id ever
	 *   given in sqlite_sequence (store/pg.c: an identity column never
	 *   reuses either).
	 * - SQLite cannot add AUTOINCREMENT to a column, so the table is
	 *   made again, in SQLite's order for a table others reference:
	 *   create the new one, copy, drop the old, rename the new (the
	 *   rename leaves articles' REFERENCES media (id) naming it).
	 *   store_migrate runs migrations with foreign keys off, as SQLite
	 *   asks for this, and checks them before the commit.
	 * - The sequence starts past every id a deleted photo may still be
	 *   known by: the rows', the revisions' image_id and the audit
	 *   log's "media:N" objects. */
	"CREATE TABLE media_13 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  format TEXT NOT NULL CHECK (format IN"
	"    ('jpeg', 'png', 'webp', 'avif')),"
	"  width INTEGER NOT NULL CHECK (width > 0),"
	"  height INTEGER NOT NULL CHECK (height > 0),"
	"  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
	"  widths TEXT NOT NULL DEFAULT '',"
	"  avif INTEGER NOT NULL DEFAULT 0 CHECK (avif IN (0, 1)),"
	"  alt TEXT NOT NULL DEFAULT '',"
	"  decorative INTEGER NOT NULL DEFAULT 0"
	"    CHECK (decorative IN (0, 1)),"
	"  caption TEXT NOT NULL DEFAULT '',"
	"  credit TEXT NOT NULL DEFAULT '',"
	"  focal_x INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_x BETWEEN 0 AND 1000),"
	"  focal_y INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_y BETWEEN 0 AND 1000),"
	"  created_at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  CHECK (alt <> '' OR decorative = 1)"
	");"
	"INSERT INTO media_13 (id, hash, format, width, height, bytes, widths,"
	"  avif, alt, decorative, caption, credit, focal_x, focal_y,"
	"  created_at, actor)"
	"  SELECT id, hash, format, width, height, bytes, widths, avif, alt,"
	"  decorative, caption, credit, focal_x, focal_y, created_at, actor"
	"  FROM media ORDER BY id;"
	"DROP TABLE media;"
	"ALTER TABLE media_13 RENAME TO media;"
	"CREATE INDEX media_created ON media (created_at, id);"
	"DELETE FROM sqlite_sequence WHERE name = 'media';"
	"INSERT INTO sqlite_sequence (name, seq) SELECT 'media', max("
	"  coalesce((SELECT max(id) FROM media), 0),"
	"  coalesce((SELECT max(image_id) FROM revisions), 0),"
	"  coalesce((SELECT max(CAST(substr(object, 7) AS INTEGER))"
	"    FROM audit_log WHERE object GLOB 'media:[0-9]*'), 0));",
	/* Version 14: which photos an article's body shows inline.
	 * - An article uses a photo inline when its body holds
	 *   "/media/<ab>/<hash>-" (media.c). Finding those by instr over
	 *   every body cost 1.45 s per store_media_get at 100,000 articles
	 *   of 5 KB, and the library's page and the delete's refusal (on
	 *   the writer) likewise; article_media is that answer kept on
	 *   every body write (store_media_article_link, from
	 *   store_article_put) and on every new photo (store_media_add:
	 *   a body may name a photo deleted and uploaded again).
	 * - Both ends cascade (foreign_keys is on for every connection):
	 *   an article deleted, or a photo (only ever one no body names,
	 *   so none of its rows remain), takes its rows.
	 * - Filled from the bodies as they are by store_media_backfill, in
	 *   the same transaction (store_migrate): one pass over the bodies
	 *   with media.c's own scanner. One INSERT ... SELECT with instr
	 *   per (photo, article) pair took 3 min 49 s at 100,000 articles
	 *   of 5 KB and 200 photos; the pass takes seconds.
	 * - WITHOUT ROWID: the pair is the key; article_media_media serves
	 *   "who uses this photo". */
	"CREATE TABLE article_media ("
	"  article_id INTEGER NOT NULL REFERENCES articles (id)"
	"    ON DELETE CASCADE,"
	"  media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,"
	"  PRIMARY KEY (article_id, media_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX article_media_media ON article_media (media_id);",
	/* Version 15: limits every node on one database shares (limit.c).
	 * - limit_hits: one row per counted hit of a rate limit or a
	 *   sign-in throttle; scope says which limit, key is a keyed hash
	 *   the site makes of the address or account (never the address
	 *   itself); a hit counts until expires_at, when the purge takes
	 *   it. The id orders hits of one second, for the newest to be
	 *   taken back.
	 * - login_spent: the hashes of sign-in forms' tokens already used,
	 *   until the token would have expired anyway.
	 * - On SQLite (one node) the site keeps these in memory and the
	 *   tables stay empty; they are here so that both engines have one
	 *   schema and the store's tests run on both. */
	"CREATE TABLE limit_hits ("
	"  id INTEGER PRIMARY KEY,"
	"  scope INTEGER NOT NULL,"
	"  key BLOB NOT NULL CHECK (length(key) BETWEEN 16 AND 32),"
	"  at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	");"
	"CREATE INDEX limit_hits_key ON limit_hits (scope, key, at);"
	"CREATE INDEX limit_hits_expires ON limit_hits (expires_at);"
	"CREATE TABLE login_spent ("
	"  hash BLOB PRIMARY KEY CHECK (length(hash) BETWEEN 16 AND 32),"
	"  expires_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX login_spent_expires ON login_spent (expires_at);",
};

#define STORE_SCHEMA_VERSION \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* Closes c's statements and database handle; c may be half-open. The
 * SQLite engine's close hook. */
void
store_sqlite_conn_close(struct store_conn *c)
{
	size_t i;
	int rc;

	for (i = 0; i < STMT_COUNT; i++) {
		db_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	if (c->db) {
		/* Every statement is finalized, so close cannot be busy;
		 * an error here means a leak to report, not to recover. */
		if ((rc = sqlite3_close(c->db)) != SQLITE_OK)
			log_error("store: close: %s", sqlite3_errstr(rc));
		c->db = NULL;
	}
}

/* Opens c->db on path with flags (plus multi-thread mode), extended result
 * codes and the busy timeout. */
static int
store_conn_open(struct store_conn *c, const char *path, int flags)
{
	sqlite3 *db = NULL;
	int rc;

	c->eng = &store_sqlite_engine;
	rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	/* A failed open still gives a handle, for its message and to be
	 * closed (store_conn_close). */
	c->db = db;
	if (rc != SQLITE_OK)
		return store_err(c, rc, path);
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, STORE_BUSY_MS);
	return GZ_OK;
}

/* True when c's main file is no longer at its path (renamed or deleted
 * since it was opened): the VFS compares the open file with the path's. */
static bool
store_conn_moved(struct store_conn *c)
{
	int moved = 0;

	return sqlite3_file_control(c->db, "main", SQLITE_FCNTL_HAS_MOVED,
				    &moved) == SQLITE_OK &&
	       moved;
}

/* Runs constant SQL (one or more statements) on c. */
static int
store_conn_exec(struct store_conn *c, const char *sql, const char *what)
{
	int rc;

	rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_err(c, rc, what);
	return GZ_OK;
}

/* Runs a one-off statement returning one row and reads its first column,
 * as an integer into *iv or as text into text[textlen] (whichever is not
 * NULL). For pragmas at open time: not worth a cached statement. */
static int
store_conn_query1(struct store_conn *c, const char *sql, const char *what,
		  int64_t *iv, char *text, size_t textlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	int rc, err, n;

	rc = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		err = store_err(c, rc, what);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = store_err(c, rc == SQLITE_DONE ? SQLITE_ERROR : rc,
				what);
		goto out;
	}
	if (iv)
		*iv = sqlite3_column_int64(s, 0);
	if (text) {
		t = sqlite3_column_text(s, 0);
		n = snprintf(text, textlen, "%s", t ? (const char *)t : "");
		if (n < 0 || (size_t)n >= textlen) {
			err = GZ_ETOOBIG;
			goto out;
		}
	}
	err = GZ_OK;
out:
	sqlite3_finalize(s);
	return err;
}

/* GZ_OK when PRAGMA foreign_key_check finds no row that breaks a
 * foreign key (a migration's, made with them off), else GZ_EDB, the first
 * such row's table logged. */
static int
store_fk_check(struct store_conn *c, const char *path)
{
	sqlite3_stmt *s = NULL;
	int rc, err;

	rc = sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &s,
				NULL);
	if (rc != SQLITE_OK)
		return store_err(c, rc, path);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		err = GZ_OK;
	} else if (rc == SQLITE_ROW) {
		log_error("store: %s: a migration broke a foreign key of %s "
			  "(row %lld)", path,
			  (const char *)sqlite3_column_text(s, 0),
			  (long long)sqlite3_column_int64(s, 1));
		err = GZ_EDB;
	} else {
		err = store_err(c, rc, path);
	}
	sqlite3_finalize(s);
	return err;
}

/* store_migrate's loop, with foreign keys off. */
static int
store_migrate_all(struct store *st)
{
	struct store_conn *c = &st->writer;
	char sql[64];
	int64_t version = 0, first = -1;
	int err, n;

	for (;;) {
		err = store_conn_exec(c, "BEGIN IMMEDIATE", st->path);
		if (err != GZ_OK)
			return err;
		err = store_conn_query1(c, "PRAGMA user_version", st->path,
					&version, NULL, 0);
		if (err != GZ_OK)
			goto fail;
		if (version > STORE_SCHEMA_VERSION) {
			log_error("store: %s: schema version %lld is newer than "
				  "this gazette knows (%d)", st->path,
				  (long long)version, STORE_SCHEMA_VERSION);
			err = GZ_ESCHEMA;
			goto fail;
		}
		if (version == STORE_SCHEMA_VERSION) {
			err = store_conn_exec(c, "ROLLBACK", st->path);
			goto done;
		}
		if (first < 0)
			first = version;
		err = store_conn_exec(c, store_migrations[version], st->path);
		if (err == GZ_OK && version + 1 == 8)
			err = store_authors_backfill(c);
		if (err == GZ_OK && version + 1 == 14)
			err = store_media_backfill(c);
		if (err != GZ_OK)
			goto fail;
		/* PRAGMA takes no parameters; the number is our own. */
		n = snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
			     (long long)version + 1);
		if (n < 0 || (size_t)n >= sizeof(sql)) {
			err = GZ_EDB;
			goto fail;
		}
		if ((err = store_conn_exec(c, sql, st->path)) != GZ_OK ||
		    (err = store_fk_check(c, st->path)) != GZ_OK)
			goto fail;
		if ((err = store_conn_exec(c, "COMMIT", st->path)) != GZ_OK)
			goto fail;
		/* A new database is created, not upgraded: say nothing. */
		if (first > 0)
			log_info("store: %s: schema upgraded to version %lld",
				 st->path, (long long)version + 1);
	}
fail:
	if (!sqlite3_get_autocommit(c->db))
		(void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
done:
	return err;
}

/* Brings the writer's database to STORE_SCHEMA_VERSION, one migration per
 * transaction. The version is read again under the write lock, so two
 * processes opening one old database migrate it once. Foreign keys are
 * off meanwhile (PRAGMA foreign_keys does nothing inside a transaction,
 * so for all of them): migration 13 makes again a table that articles
 * reference, which SQLite's DROP TABLE refuses with them on; each
 * migration commits only when foreign_key_check finds nothing broken. */
static int
store_migrate(struct store *st)
{
	int err, on;

	if ((err = store_conn_exec(&st->writer, "PRAGMA foreign_keys=OFF",
				   st->path)) != GZ_OK)
		return err;
	err = store_migrate_all(st);
	on = store_conn_exec(&st->writer, "PRAGMA foreign_keys=ON", st->path);
	return err != GZ_OK ? err : on;
}

/* Thread-exit hook of st->key: a thread that ends closes its reader. */
static void
store_reader_exit(void *arg)
{
	struct store_conn *c = arg, **pp;
	struct store *st = c->st;

	pthread_mutex_lock(&st->readers_lock);
	for (pp = &st->readers; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&st->readers_lock);
	c->eng->close(c);
	free(c);
}

/*
 * Opens the store. Order matters: the schema version is read before
 * anything may write (so a newer database is left untouched), then WAL is
 * switched on, then migrations run.
 *
 * synchronous=FULL by default: in WAL mode each commit syncs the WAL,
 * so a commit survives a power loss. store_sync_set (writer.c) lowers it
 * to NORMAL, where a commit survives a crash of the process but the last
 * ones may be lost to an OS crash or a power loss; docs/store.md. Group
 * commit (writer.c) is what pays for FULL: one sync per batch.
 *
 * The group-commit thread starts last, once the schema is current.
 */
int
store_open(const char *path, struct store **out)
{
	return store_open_checked(path, STORE_OPEN_CREATE, out, NULL, 0);
}

/* Writes a message into why[whylen], or to the log when why is NULL,
 * and returns err. */
static int __attribute__((format(printf, 4, 5)))
store_why(int err, char *why, size_t whylen, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	if (why) {
		if (whylen)
			vsnprintf(why, whylen, fmt, ap);
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		log_error("store: %s", msg);
	}
	va_end(ap);
	return err;
}

/* Before SQLite sees path: it exists (unless create), opens for reading
 * and writing, and starts with SQLite's header (or is empty, which SQLite
 * takes as a new database). SQLite itself would say all of these late,
 * at the first read, as "unable to open database file" or "file is not a
 * database". Returns GZ_OK, GZ_ENOTFOUND or GZ_EDB as
 * store_open_checked. */
static int
store_file_check(const char *path, bool create, char *why, size_t whylen)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	ssize_t n;
	int fd, err = GZ_OK;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return create ? GZ_OK : GZ_ENOTFOUND;
		return store_why(GZ_EDB, why, whylen, "cannot open %s: %s",
				 path, strerror(errno));
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = store_why(GZ_EDB, why, whylen, "cannot read %s: %s", path,
				strerror(errno));
	else if (n > 0 && ((size_t)n < sizeof(head) ||
			   memcmp(head, magic, sizeof(magic)) != 0))
		err = store_why(GZ_EDB, why, whylen,
				"%s is not a database: it does not start with "
				"SQLite's header (restore it from a backup, or "
				"move it away and run `gazette init`)", path);
	close(fd);
	return err;
}

/* Waits (the busy timeout at most) for the write lock and lets it go: a
 * database another process keeps locked is refused at open, with a
 * message, rather than failing the first comment. */
static int
store_lock_probe(struct store *st, char *why, size_t whylen)
{
	int rc;

	rc = sqlite3_exec(st->writer.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return store_why(GZ_EBUSY, why, whylen,
				 "%s is locked by another process (waited %d s): "
				 "stop it or try again later", st->path,
				 STORE_BUSY_MS / 1000);
	if (rc != SQLITE_OK)
		return store_err(&st->writer, rc, st->path);
	return store_conn_exec(&st->writer, "ROLLBACK", st->path);
}

int
store_alloc(const char *path, struct store **out)
{
	struct store *st;
	pthread_mutexattr_t attr;
	int err = GZ_ENOMEM;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return GZ_ENOMEM;
	st->shm_fd = -1;
	if (!(st->path = strdup(path)))
		goto out;
	if (pthread_key_create(&st->key, store_reader_exit) != 0)
		goto out;
	st->key_made = true;
	/* An error-checking mutex turns a nested store_tx_begin in one
	 * thread into an error instead of a deadlock. */
	if (pthread_mutexattr_init(&attr) != 0)
		goto out;
	if (pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) != 0 ||
	    pthread_mutex_init(&st->write_lock, &attr) != 0) {
		pthread_mutexattr_destroy(&attr);
		goto out;
	}
	pthread_mutexattr_destroy(&attr);
	if (pthread_mutex_init(&st->readers_lock, NULL) != 0) {
		pthread_mutex_destroy(&st->write_lock);
		goto out;
	}
	st->locks_made = true;
	*out = st;
	st = NULL;
	err = GZ_OK;
out:
	store_close(st);
	return err;
}

int
store_open_checked(const char *path, unsigned flags, struct store **out,
		   char *why, size_t whylen)
{
	struct store *st = NULL;
	char mode[16];
	int64_t version = 0;
	bool create = (flags & STORE_OPEN_CREATE) != 0;
	int err, attempt;

	assert(path && out);
	*out = NULL;
	if (why && whylen)
		why[0] = '\0';
	if (store_url_is_pg(path))
		return store_pg_open(path, out, why, whylen);
	if ((err = store_file_check(path, create, why, whylen)) != GZ_OK)
		return err;
	if (!sqlite3_threadsafe()) {
		log_error("store: SQLite was built without thread support");
		return GZ_EDB;
	}
	if ((err = store_alloc(path, &st)) != GZ_OK)
		goto out;

	for (attempt = 0;; attempt++) {
		err = store_conn_open(&st->writer, path,
				      SQLITE_OPEN_READWRITE |
					      (create ? SQLITE_OPEN_CREATE : 0));
		if (err != GZ_OK)
			goto out;
		/* The first read of the file: a file that is not a database
		 * fails here, with "file is not a database" in the log. */
		err = store_conn_query1(&st->writer, "PRAGMA user_version",
					path, &version, NULL, 0);
		if (err != GZ_OK)
			goto out;
		/* A restore renames the old file away and the new one into
		 * place: opened in between, this connection would be on the
		 * old file, and what it wrote lost. Opened again, it finds
		 * the new one; a second replacement this soon is said. */
		if (!store_conn_moved(&st->writer))
			break;
		/* Its -wal and -shm are found by name, so they are the new
		 * file's: a checkpoint on close would copy the new file's
		 * frames into the old one and delete its WAL. */
		(void)sqlite3_db_config(st->writer.db,
					SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
					NULL);
		store_sqlite_conn_close(&st->writer);
		if (attempt > 0) {
			err = store_why(GZ_EBUSY, why, whylen,
					"%s: the database was replaced while "
					"opening; try again", path);
			goto out;
		}
	}
	if (version > STORE_SCHEMA_VERSION) {
		err = store_why(GZ_ESCHEMA, why, whylen,
				"%s has schema version %lld, newer than this "
				"gazette (%d): upgrade gazette", path,
				(long long)version, STORE_SCHEMA_VERSION);
		goto out;
	}
	/* Persistent in the file: set once, every later connection is WAL. An
	 * in-memory or temporary database answers another mode and is
	 * refused (each connection would see its own). */
	err = store_conn_query1(&st->writer, "PRAGMA journal_mode=WAL", path,
				NULL, mode, sizeof(mode));
	if (err == GZ_OK && strcmp(mode, "wal") != 0) {
		log_error("store: %s: cannot use WAL (journal mode %s)", path,
			  mode);
		err = GZ_EDB;
	}
	if (err != GZ_OK)
		goto out;
	/* The writer keeps 16 MiB of pages (SQLite's default is 2 MiB): a
	 * batch of imported articles or comments touches the same index
	 * pages again and again, and at 100,000 articles the indexes
	 * outgrow 2 MiB. Readers keep the default. */
	err = store_conn_exec(&st->writer,
			      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			      " PRAGMA cache_size=-16384",
			      path);
	if (err != GZ_OK)
		goto out;
	if ((flags & STORE_OPEN_LOCK_PROBE) &&
	    (err = store_lock_probe(st, why, whylen)) != GZ_OK)
		goto out;
	if (version < STORE_SCHEMA_VERSION) {
		if ((err = store_migrate(st)) != GZ_OK)
			goto out;
	}
	if ((err = store_changes_open(st)) != GZ_OK ||
	    (err = store_writer_start(st)) != GZ_OK)
		goto out;
	*out = st;
	st = NULL;
	err = GZ_OK;
out:
	store_close(st);
	/* What SQLite said is in the log above; the sentence sums it up. */
	if (err == GZ_EBUSY && why && !why[0])
		store_why(err, why, whylen,
			  "%s is locked by another process (waited %d s): stop "
			  "it or try again later", path, STORE_BUSY_MS / 1000);
	else if (err != GZ_OK && why && !why[0])
		store_why(err, why, whylen, "cannot open %s: %s", path,
			  gz_strerror(err));
	return err;
}

void
store_close(struct store *st)
{
	struct store_conn *c, *next;

	if (!st)
		return;
	/* First the threads: PostgreSQL's listener (it reads through a
	 * reader of its own), and the writer, which may still be
	 * committing a batch. */
	store_pg_listen_stop(st);
	store_writer_stop(st);
	assert(!st->in_tx);
	/* After this no thread's exit closes a reader: all are ours now. */
	if (st->key_made)
		pthread_key_delete(st->key);
	if (st->locks_made)
		pthread_mutex_lock(&st->readers_lock);
	c = st->readers;
	st->readers = NULL;
	if (st->locks_made)
		pthread_mutex_unlock(&st->readers_lock);
	for (; c; c = next) {
		next = c->next;
		c->eng->close(c);
		free(c);
	}
	if (st->writer.eng)
		st->writer.eng->close(&st->writer);
	/* After every connection: see changes.c on the -shm descriptor. */
	store_changes_close(st);
	store_keys_free(&st->keys);
	if (st->locks_made) {
		pthread_mutex_destroy(&st->readers_lock);
		pthread_mutex_destroy(&st->write_lock);
	}
	free(st->path);
	free(st);
}

/*
 * Readers are opened read-write with query_only on, not with
 * SQLITE_OPEN_READONLY: a read-only connection to a WAL database cannot
 * always open or recover the -shm index, while query_only gives the same
 * guarantee (no statement writes) without that trap.
 */
int
store_reader(struct store *st, struct store_conn **out)
{
	struct store_conn *c;
	int err;

	assert(st && out);
	if ((c = pthread_getspecific(st->key)) != NULL) {
		*out = c;
		return GZ_OK;
	}
	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return GZ_ENOMEM;
	c->st = st;
	if ((err = st->writer.eng->open_reader(st, c)) != GZ_OK)
		goto fail;
	if (pthread_setspecific(st->key, c) != 0) {
		err = GZ_ENOMEM;
		goto fail;
	}
	pthread_mutex_lock(&st->readers_lock);
	c->next = st->readers;
	st->readers = c;
	pthread_mutex_unlock(&st->readers_lock);
	*out = c;
	return GZ_OK;
fail:
	if (c->eng)
		c->eng->close(c);
	free(c);
	return err;
}

int
store_sqlite_open_reader(struct store *st, struct store_conn *c)
{
	int err;

	if ((err = store_conn_open(c, st->path, SQLITE_OPEN_READWRITE)))
		return err;
	return store_conn_exec(c, "PRAGMA query_only=ON; PRAGMA foreign_keys=ON",
			       st->path);
}

bool
store_sqlite_in_tx(struct store_conn *c)
{
	return c->db && !sqlite3_get_autocommit(c->db);
}

int
store_read_begin(struct store_conn *c)
{
	struct db_stmt *s;
	int err;

	if ((err = store_stmt(c, STMT_READ_BEGIN, "BEGIN", &s)) != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

void
store_read_end(struct store_conn *c)
{
	struct db_stmt *s;

	/* Some errors (NOMEM, IOERR) end the transaction themselves. */
	if (!c->eng->in_tx(c))
		return;
	if (store_stmt(c, STMT_READ_END, "COMMIT", &s) == GZ_OK &&
	    store_stmt_run(c, s) == GZ_OK)
		return;
	/* A read transaction left open would pin its snapshot forever. */
	(void)c->eng->exec(c, "ROLLBACK");
}

struct store_conn *
store_writer(struct store *st)
{
	assert(st->in_tx && pthread_equal(st->tx_owner, pthread_self()));
	return &st->writer;
}

/* The store whose transaction the calling thread holds, if any: what
 * store_tx_held reads without touching another thread's state (in_tx
 * and tx_owner are the lock holder's). */
static _Thread_local const struct store *tx_held;

bool
store_tx_held(const struct store *st)
{
	return tx_held == st;
}

/* Takes write_lock, then SQLite's write lock (BEGIN IMMEDIATE, so a busy
 * database fails here, after the busy timeout, rather than halfway through
 * the caller's writes). Returns GZ_OK, GZ_EBUSY (another process writes,
 * or this thread is already inside a transaction), GZ_EDB. On error the
 * lock is not held. */
static void store_tx_abort(struct store *st);

int
store_tx_begin(struct store *st)
{
	struct db_stmt *s;
	int rc, err;

	assert(st);
	if ((rc = pthread_mutex_lock(&st->write_lock)) != 0) {
		assert(rc != EDEADLK && "store_tx_begin: nested transaction");
		return GZ_EBUSY;
	}
	err = store_stmt(&st->writer, STMT_TX_BEGIN, "BEGIN IMMEDIATE", &s);
	if (err == GZ_OK)
		err = store_stmt_run(&st->writer, s);
	if (err == GZ_OK && st->writer.eng->write_lock_sql) {
		err = store_stmt(&st->writer, STMT_TX_LOCK,
				 st->writer.eng->write_lock_sql, &s);
		if (err == GZ_OK)
			err = store_stmt_row(&st->writer, s);
		store_stmt_done(s);
		if (err != GZ_OK)
			store_tx_abort(st);
	}
	if (err != GZ_OK) {
		pthread_mutex_unlock(&st->write_lock);
		return err;
	}
	st->in_tx = true;
	st->in_unit = false;
	st->tx_owner = pthread_self();
	tx_held = st;
	store_keys_clear(st);
	return GZ_OK;
}

/* Rolls back the writer's transaction if one is open. */
static void
store_tx_abort(struct store *st)
{
	struct db_stmt *s;

	if (!st->writer.eng->in_tx(&st->writer))
		return; /* rolled back already (SQLite: NOMEM, IOERR, FULL) */
	if (store_stmt(&st->writer, STMT_TX_ROLLBACK, "ROLLBACK", &s) ==
		    GZ_OK &&
	    store_stmt_run(&st->writer, s) == GZ_OK)
		return;
	/* The cached statement could not run; try once more uncached. */
	(void)db_exec(&st->writer, "ROLLBACK", "rollback");
}

/* Recounts the sections and tags the transaction touched, commits and
 * releases the write lock, whatever the outcome: when the commit fails
 * the transaction is rolled back. Then, on success and outside the lock,
 * tells the listener the transaction's keys (events.c). Returns GZ_OK,
 * GZ_EBUSY, GZ_ENOMEM, GZ_EDB. */
int
store_tx_commit(struct store *st)
{
	struct store_keyset keys;
	struct db_stmt *s;
	int err;

	assert(st && st->in_tx &&
	       pthread_equal(st->tx_owner, pthread_self()));
	err = store_events_recount(st);
	if (err == GZ_OK)
		err = store_changes_record(st);
	/* A transaction the engine lost (SQLite on NOMEM or IOERR, a
	 * PostgreSQL connection gone) must not COMMIT as nothing. */
	if (err == GZ_OK && !st->writer.eng->in_tx(&st->writer))
		err = GZ_EDB;
	if (err == GZ_OK)
		err = store_stmt(&st->writer, STMT_TX_COMMIT, "COMMIT", &s);
	if (err == GZ_OK)
		err = store_stmt_run(&st->writer, s);
	if (err != GZ_OK) {
		store_tx_abort(st);
		store_keys_clear(st);
	}
	/* The keys leave the writer state with the lock. */
	keys = st->keys;
	memset(&st->keys, 0, sizeof(st->keys));
	st->in_tx = false;
	tx_held = NULL;
	pthread_mutex_unlock(&st->write_lock);
	if (err == GZ_OK)
		store_events_fire(st, &keys);
	store_keys_free(&keys);
	return err;
}

/* Undoes everything since store_tx_begin, forgets its keys and releases
 * the write lock. */
void
store_tx_rollback(struct store *st)
{
	assert(st && st->in_tx &&
	       pthread_equal(st->tx_owner, pthread_self()));
	store_tx_abort(st);
	store_keys_clear(st);
	st->in_tx = false;
	tx_held = NULL;
	pthread_mutex_unlock(&st->write_lock);
}

int
store_tx_unit_begin(struct store *st)
{
	int err;

	assert(st && st->in_tx && !st->in_unit &&
	       pthread_equal(st->tx_owner, pthread_self()));
	st->unit_mark = store_keys_mark(st);
	err = store_savepoint_stmt(&st->writer, STMT_UNIT_SAVEPOINT,
				   "SAVEPOINT store_unit");
	st->in_unit = err == GZ_OK;
	return err;
}

int
store_tx_unit_end(struct store *st, int err)
{
	static const char release_sql[] = "RELEASE store_unit";

	assert(st && st->in_tx && st->in_unit &&
	       pthread_equal(st->tx_owner, pthread_self()));
	st->in_unit = false;
	if (err == GZ_OK &&
	    (err = store_savepoint_stmt(&st->writer, STMT_UNIT_RELEASE,
					release_sql)) == GZ_OK)
		return GZ_OK;
	if (store_savepoint_stmt(&st->writer, STMT_UNIT_ROLLBACK_TO,
				 "ROLLBACK TO store_unit") == GZ_OK)
		(void)store_savepoint_stmt(&st->writer, STMT_UNIT_RELEASE,
					   release_sql);
	store_keys_truncate(st, st->unit_mark);
	return err;
}

/* Reads page 1 of the database through this thread's reader: proves the
 * file is there and readable, which SELECT 1 would not. Returns GZ_OK or
 * a mapped error. */
int
store_ping(struct store *st)
{
	struct store_conn *c;
	struct db_stmt *s;
	int64_t n;
	int err;

	assert(st);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	/* A database file deleted or renamed under the server still reads
	 * (the open descriptor), but no other process and no restart would
	 * find it: that is not healthy. */
	if (c->eng == &store_sqlite_engine && store_conn_moved(c)) {
		log_error("store: %s was deleted or moved while open", st->path);
		return GZ_EIO;
	}
	err = store_stmt(c, STMT_PING, "SELECT count(*) FROM sqlite_master", &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_int64(c, s, &n);
}

/* backup.c needs the version this build writes to refuse a newer file. */
int
store_schema_version(void)
{
	return STORE_SCHEMA_VERSION;
}
