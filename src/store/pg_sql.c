/*
 * pg_sql.c - PostgreSQL's dialect of the store's statements (issue 16;
 * the table in docs/store.md, "PostgreSQL dialect", says what differs and
 * why). store_pg_sql gives PostgreSQL's text for each statement whose
 * SQLite text (next to its function in store/) would not run on
 * PostgreSQL 15 or would mean something else there; the driver uses
 * SQLite's text for the others. Either goes through store_pg_placeholders
 * (?N to $N) before it is prepared.
 *
 * Invariants:
 * - An override keeps its statement's parameters (numbers, meaning) and
 *   its columns (order, meaning, integer or text); booleans come back as
 *   integers 0/1, as SQLite gives them.
 * - A parameter PostgreSQL could not type from its use (a bare one in a
 *   select list, one only tested IS NULL) is cast where it appears.
 * - Overrides name the helpers of pg_schema.c's migration 1:
 *   ascii_lower (SQLite's lower()), gazette_tsquery and articles.search
 *   (FTS5's MATCH).
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

/* CAST(strftime('%s', 'now') AS INTEGER): the transaction's start. */
#define PG_NOW "CAST(extract(epoch FROM now()) AS BIGINT)"

/* SQLite's x IS y and x IS NOT y (equal, NULL equal to NULL). */
#define PG_IS " IS NOT DISTINCT FROM "
#define PG_IS_NOT " IS DISTINCT FROM "

/* ---- sqlite.c ------------------------------------------------------------ */

/* One snapshot for the read's queries (store_read_begin): SQLite's BEGIN
 * reads one; PostgreSQL's READ COMMITTED would take one per statement. */
static const char read_begin_sql[] =
	"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
/* BEGIN IMMEDIATE takes SQLite's write lock up front; PostgreSQL locks
 * rows as they are written. */
static const char tx_begin_sql[] = "BEGIN";
static const char ping_sql[] = "SELECT 1";

/* ---- article.c ----------------------------------------------------------- */

static const char article_tags_sql[] =
	"SELECT t.slug, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	" WHERE x.article_id = ?1 ORDER BY ascii_lower(t.name), t.name, t.id";

/* strftime(..., 'localtime'): the session's TimeZone, which the driver
 * sets to the process's zone (TZ), as SQLite's localtime uses. */
static const char article_months_sql[] =
	"SELECT CAST(extract(year FROM to_timestamp(a.published_at)) AS INTEGER),"
	" CAST(extract(month FROM to_timestamp(a.published_at)) AS INTEGER),"
	" count(*) FROM articles a WHERE " VISIBLE
	" GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC";

/* ?N IS NULL alone gives ?N no type: cast where it is first read. */
static const char article_page_sql[] =
	"SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE " VISIBLE
	" AND (CAST(?2 AS TEXT) IS NULL OR s.slug = ?2)"
	" AND (CAST(?3 AS TEXT) IS NULL OR EXISTS (SELECT 1"
	"  FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	"  WHERE x.article_id = a.id AND t.slug = ?3))"
	" AND (CAST(?4 AS TEXT) IS NULL OR EXISTS (SELECT 1"
	"  FROM article_authors x JOIN authors u ON u.id = x.author_id"
	"  WHERE x.article_id = a.id AND u.slug = ?4))"
	" AND a.published_at >= ?5"
	" AND (?6 = 0 OR (a.published_at, a.id) < (?6, ?7))"
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?8";

static const char tag_list_sql[] =
	"SELECT slug, name, article_count FROM tags"
	" ORDER BY ascii_lower(name), name, id";

/* ?20 and ?21 are integers: CASE WHEN ?20 needs a boolean, and
 * body_trusted an integer, not ?21 = 0. */
#define PG_TRUSTED "CASE WHEN ?21 = 0 THEN 1 ELSE 0 END"
static const char article_insert_sql[] =
	"INSERT INTO articles (slug, headline, summary, body, byline, dateline,"
	" section_id, lang, status, published_at, created_at, updated_at,"
	" import_key, comments_close_at, body_html, html_version, body_text,"
	" owner_id, review_at, unpublished_at, body_trusted)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	" nullif(CAST(?10 AS BIGINT), 0), CAST(?11 AS BIGINT),"
	" CASE WHEN ?10 > 0 AND ?10 < ?11 THEN ?10 ELSE ?11 END, ?12,"
	" nullif(?14, 0), ?15, ?16, ?17, nullif(?18, 0), nullif(?19, 0),"
	" CASE WHEN ?20 <> 0 THEN ?11 END, " PG_TRUSTED ") RETURNING id";
static const char article_update_sql[] =
	"UPDATE articles SET slug = ?1, headline = ?2, summary = ?3, body = ?4,"
	" byline = ?5, dateline = ?6, section_id = ?7, lang = ?8, status = ?9,"
	" published_at = nullif(?10, 0), updated_at = CASE WHEN"
	" slug" PG_IS "?1 AND headline" PG_IS "?2 AND summary" PG_IS "?3"
	" AND body" PG_IS "?4 AND byline" PG_IS "?5 AND dateline" PG_IS "?6"
	" AND section_id" PG_IS "?7 AND lang" PG_IS "?8 AND status" PG_IS "?9"
	" AND published_at" PG_IS "nullif(?10, 0)"
	" AND (unpublished_at IS NOT NULL) = (?20 <> 0)"
	" AND body_trusted = " PG_TRUSTED " THEN updated_at ELSE ?11 END,"
	" comments_close_at = nullif(?14, 0), body_html = ?15,"
	" html_version = ?16, body_text = ?17, review_at = nullif(?19, 0),"
	" body_trusted = " PG_TRUSTED ","
	" unpublished_at = CASE WHEN ?20 <> 0 THEN coalesce(unpublished_at, ?11)"
	" END WHERE id = ?13";

/* instr(lower(x), w) > 0: strpos, and SQLite's ASCII-only lower(), since
 * the words are folded to ASCII lower case only (article.c). */
#define PG_ADMIN_WORD(n) \
	" AND (CAST(?" #n " AS TEXT) IS NULL"                             \
	" OR strpos(ascii_lower(a.headline), ?" #n ") > 0)"
#define PG_ADMIN_WHERE                                                    \
	" WHERE (?1 < 0 OR ?1 = CASE WHEN a.status = 'scheduled' THEN 1"   \
	" WHEN a.status = 'published' THEN 2"                             \
	" WHEN a.unpublished_at IS NOT NULL THEN 3 ELSE 0 END)"           \
	" AND (?2 = 0 OR (a.status = 'draft' AND a.unpublished_at IS NULL" \
	" AND a.review_at IS NOT NULL))"                                  \
	" AND (?3 = 0 OR (a.status = 'scheduled' AND a.published_at > ?4))" \
	" AND (?5 = 0 OR a.owner_id = ?5)"                                \
	" AND (CAST(?6 AS TEXT) IS NULL OR s.slug = ?6)"                  \
	PG_ADMIN_WORD(7) PG_ADMIN_WORD(8) PG_ADMIN_WORD(9)                \
	PG_ADMIN_WORD(10) PG_ADMIN_WORD(11) PG_ADMIN_WORD(12)             \
	PG_ADMIN_WORD(13) PG_ADMIN_WORD(14)
static const char article_admin_list_sql[] =
	"SELECT " ARTICLE_COLS ", coalesce(a.owner_id, 0),"
	" coalesce(a.review_at, 0), coalesce(a.unpublished_at, 0),"
	" a.body_trusted" ARTICLE_FROM PG_ADMIN_WHERE
	" ORDER BY a.updated_at DESC, a.id DESC LIMIT ?15 OFFSET ?16";
static const char article_admin_total_sql[] =
	"SELECT count(*)" ARTICLE_FROM PG_ADMIN_WHERE;

/* ---- section.c, author.c ------------------------------------------------- */

static const char section_list_sql[] =
	"SELECT s.id, s.slug, s.name, s.article_count + (SELECT count(*)"
	" FROM articles a WHERE a.section_id = s.id AND a.status <> 'draft'"
	" AND a.published_at > s.counted_at AND a.published_at <= ?1)"
	" - (SELECT count(*) FROM articles a WHERE a.section_id = s.id"
	" AND a.status <> 'draft' AND a.published_at > ?1"
	" AND a.published_at <= s.counted_at)"
	" FROM sections s ORDER BY ascii_lower(s.name), s.name, s.id";

static const char author_list_sql[] =
	"SELECT u.slug, u.name FROM authors u WHERE EXISTS (SELECT 1"
	" FROM article_authors x JOIN articles a ON a.id = x.article_id"
	" WHERE x.author_id = u.id AND x.published_at <= ?1"
	" AND a.status <> 'draft' AND a.published_at <= ?1)"
	" ORDER BY ascii_lower(u.name), u.name, u.id";

/* ---- comment.c ----------------------------------------------------------- */

/* WHERE 1: PostgreSQL's WHERE takes a boolean only. */
#define PG_COMMENT_QUERY(where)                                          \
	"SELECT c.id, c.article_id, coalesce(c.parent_id, 0), c.author,"  \
	" c.email, c.body, c.ip, c.status, c.created_at, c.hold_reason,"  \
	" a.headline FROM comments c JOIN articles a ON a.id = c.article_id" \
	" WHERE true" where                                               \
	" ORDER BY c.created_at DESC, c.id DESC LIMIT ?3 OFFSET ?4"
static const char comment_query_sql[] = PG_COMMENT_QUERY("");
static const char comment_query_status_sql[] =
	PG_COMMENT_QUERY(" AND c.status = ?1");
static const char comment_query_article_sql[] =
	PG_COMMENT_QUERY(" AND c.article_id = ?2");
static const char comment_query_both_sql[] =
	PG_COMMENT_QUERY(" AND c.status = ?1 AND c.article_id = ?2");

/* ---- page.c -------------------------------------------------------------- */

/* char(10) is chr(10); strftime('%s', 'now') is PG_NOW. */
static const char page_seed_sql[] =
	"INSERT INTO pages (slug, title, body, position, updated_at) VALUES"
	" ('about', 'About us', 'We report the news of our community: its"
	" council and schools, its courts and businesses, its sport and its"
	" weather. Our reporters and editors work here, and our stories are"
	" signed by the people who wrote them.' || chr(10) || chr(10) ||"
	" 'This page is the newsroom''s to write: tell readers who you are,"
	" who owns the paper, and how it is paid for.', 1,"
	" " PG_NOW "),"
	" ('contact', 'Contact', 'To send us a news tip, a letter to the"
	" editor or a correction, write to the newsroom. We read everything"
	" we receive, and we protect the people who come to us with"
	" information.' || chr(10) || chr(10) || 'This page is the"
	" newsroom''s to write: give its email address, telephone number and"
	" street address.', 2, " PG_NOW "),"
	" ('corrections', 'Corrections policy', 'We correct our errors"
	" promptly and in the open. When a story is wrong in a fact that"
	" matters, we fix it and add a note at its end that says what was"
	" wrong and when it was corrected; we do not quietly change what we"
	" published. Spelling and style are fixed without a note.' ||"
	" chr(10) || chr(10) || 'If you see an error, tell us on the"
	" contact page: name the story and what is wrong.', 3,"
	" " PG_NOW "),"
	" ('privacy', 'Privacy', 'Reading this site sets no cookie and runs"
	" no tracker: there is no advertising network, no analytics script"
	" and no third-party content on its pages.' || chr(10) || chr(10) ||"
	" 'When you leave a comment we keep what you typed (your name, your"
	" comment and, if you give one, your email address, which is never"
	" shown) and your network address, to stop abuse. Where comments from"
	" returning readers are published without waiting, your browser gets"
	" one cookie, gz_commenter, which only tells us it is the browser of"
	" someone whose comment a moderator approved before. Our server keeps"
	" a log of requests (the address, the page and the time) for"
	" operating the site.' || chr(10) || chr(10) || 'To have a comment"
	" removed, write to us on the contact page.', 4,"
	" " PG_NOW ");";

/* ---- user.c -------------------------------------------------------------- */

/* zeroblob(length(secret)): as many zero bytes, NULL for NULL. */
static const char user_list_sql[] =
	"SELECT u.id, u.name, u.display_name, u.role, '',"
	" decode(repeat('00', length(u.totp_secret)), 'hex'),"
	" u.totp_last_step, u.must_change_password, u.created_at,"
	" u.last_signin_at FROM users u ORDER BY u.name";

/* ---- session.c ----------------------------------------------------------- */

static const char session_delete_user_sql[] =
	"DELETE FROM sessions WHERE user_id = ?1"
	" AND (CAST(?2 AS BYTEA) IS NULL OR id_hash <> ?2)";

/* ---- audit.c ------------------------------------------------------------- */

/* A subquery in FROM needs a name (before PostgreSQL 16). */
#define PG_AUDIT_LIST(audit_where, moderation_where)                     \
	"SELECT id, at, actor, action, object, detail, ip FROM ("         \
	"SELECT * FROM (SELECT a.id, a.at, a.actor, a.action, a.object,"  \
	" a.detail, a.ip FROM audit_log a WHERE " audit_where             \
	" a.id < ?5 AND a.at <= ?6 ORDER BY a.id DESC LIMIT ?4) x"        \
	" UNION ALL SELECT * FROM (SELECT -m.id, m.at, m.actor, m.action,"\
	" 'comment:' || m.comment_id, m.detail, '' FROM moderation_log m" \
	" WHERE " moderation_where "(m.at, m.id) < (?7, ?8)"             \
	" ORDER BY m.at DESC, m.id DESC LIMIT ?4) y) u"                   \
	" ORDER BY at DESC, id > 0 DESC, abs(id) DESC LIMIT ?4"
static const char audit_list_sql[] = PG_AUDIT_LIST("", "");
static const char audit_list_actor_sql[] =
	PG_AUDIT_LIST("a.actor = ?1 AND", "m.actor = ?1 AND ");
static const char audit_list_object_sql[] =
	PG_AUDIT_LIST("a.object = ?2 AND", "m.comment_id = ?3 AND ");
static const char audit_list_both_sql[] =
	PG_AUDIT_LIST("a.actor = ?1 AND a.object = ?2 AND",
		      "m.comment_id = ?3 AND m.actor = ?1 AND ");

/* ---- search.c ------------------------------------------------------------ */

/* FTS5's MATCH, bm25() and snippet() (schema 7) are articles.search @@
 * gazette_tsquery(q) (the same query text), ts_rank and ts_headline
 * (pg_schema.c). bm25 is lower for a better match, ts_rank higher: the
 * score is its negation, so the order is search.c's. ts_rank's weights
 * are {D, C, B, A}: body 0.1, summary 0.4, headline 1.0, SEARCH_WEIGHTS'
 * 1 : 4 : 10; normalization 1 divides by 1 + log(length), as BM25 weighs
 * length. */
static const char search_sql[] =
	"WITH q AS (SELECT gazette_tsquery(CAST(?2 AS TEXT)) AS q),"
	" c AS MATERIALIZED ("
	"  SELECT a.id AS id,"
	"  -ts_rank('{0.1, 0, 0.4, 1.0}', a.search, q.q, 1) AS score,"
	"  a.published_at AS at"
	"  FROM q CROSS JOIN articles a"
	"  WHERE a.search @@ q.q AND " VISIBLE
	"  ORDER BY a.id DESC LIMIT ?5 + 1),"
	" r AS (SELECT id, score, at FROM c ORDER BY id DESC LIMIT ?5)"
	" SELECT n.total, p.id FROM (SELECT count(*) AS total FROM c) n"
	" LEFT JOIN (SELECT id, score, at FROM r"
	"  ORDER BY score, at DESC, id DESC LIMIT ?3 OFFSET ?4) p ON true"
	" ORDER BY p.score, p.at DESC, p.id DESC";

/* highlight(..., 0, char(1), char(2)) is ts_headline of the whole
 * headline; snippet(..., 2, char(1), char(2), '…', 24) one fragment of
 * at most 24 words of body_text (ts_headline adds no '…'). ?4's JSON
 * array of ids is read by json_array_elements_text, not json_each. */
#define PG_MARKS "StartSel=\"' || chr(1) || '\", StopSel=\"' || chr(2) || '\""
/* ts_headline marks each word; FTS5 a phrase's words as one span, with
 * what lies between them (spaces, punctuation): marks apart by no more
 * than that are joined. */
#define PG_JOIN_MARKS(x)                                                 \
	"regexp_replace(" x ", '\\x02([\\x03-\\x19\\x1b-\\x2f"          \
	"\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\x7f]*)\\x01', '\\1', 'g')"
static const char search_rows_sql[] =
	"SELECT " ARTICLE_COLS ","
	PG_JOIN_MARKS(" ts_headline('gazette_search', a.headline, q.q,"
	"  '" PG_MARKS ", HighlightAll=true')") ","
	PG_JOIN_MARKS(" ts_headline('gazette_search', a.body_text, q.q,"
	"  '" PG_MARKS ", MaxWords=24, MinWords=12, MaxFragments=1')")
	" FROM (SELECT gazette_tsquery(CAST(?1 AS TEXT)) AS q) q"
	" CROSS JOIN articles a"
	" LEFT JOIN sections s ON s.id = a.section_id" ARTICLE_IMAGE_JOIN
	" WHERE a.search @@ q.q AND a.id BETWEEN ?2 AND ?3"
	" AND a.id IN (SELECT CAST(value AS BIGINT)"
	"  FROM json_array_elements_text(CAST(?4 AS JSON)))";

/* ---- revision.c ---------------------------------------------------------- */

/* group_concat over an ordered subquery is string_agg(... ORDER BY);
 * IS is IS NOT DISTINCT FROM; WHERE ?5 needs a boolean. */
static const char revision_record_sql[] =
	"WITH cur (slug, headline, summary, body, byline, dateline, section,"
	" lang, tags, authors, status, published_at, body_trusted, image_id)"
	" AS (SELECT a.slug, a.headline, a.summary, a.body, a.byline,"
	" a.dateline, coalesce(s.name, ''), a.lang,"
	" coalesce((SELECT string_agg(t.name, ', '"
	"  ORDER BY ascii_lower(t.name), t.name, t.id)"
	"  FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	"  WHERE x.article_id = ?1), ''),"
	" coalesce((SELECT string_agg(u.name, ', ' ORDER BY y.position)"
	"  FROM article_authors y JOIN authors u ON u.id = y.author_id"
	"  WHERE y.article_id = ?1), ''),"
	" CASE WHEN a.status = 'draft' AND a.unpublished_at IS NOT NULL"
	"  THEN 'unpublished' ELSE a.status END, a.published_at,"
	" a.body_trusted, a.image_id FROM articles a"
	" LEFT JOIN sections s ON s.id = a.section_id WHERE a.id = ?1)"
	" INSERT INTO revisions (article_id, created_at, actor, note, slug,"
	" headline, summary, body, byline, dateline, section, lang, tags,"
	" authors, status, published_at, body_trusted, image_id)"
	" SELECT ?1, ?2, ?3, ?4, cur.slug, cur.headline, cur.summary, NULL,"
	" cur.byline, cur.dateline, cur.section, cur.lang, cur.tags,"
	" cur.authors, cur.status, cur.published_at, cur.body_trusted,"
	" cur.image_id FROM cur WHERE ?5 <> 0 OR NOT EXISTS (SELECT 1"
	" FROM revisions r WHERE r.id = (SELECT max(id) FROM revisions"
	"  WHERE article_id = ?1)"
	" AND r.slug" PG_IS "cur.slug AND r.headline" PG_IS "cur.headline"
	" AND r.summary" PG_IS "cur.summary"
	" AND coalesce(r.body, cur.body)" PG_IS "cur.body"
	" AND r.byline" PG_IS "cur.byline AND r.dateline" PG_IS "cur.dateline"
	" AND r.section" PG_IS "cur.section AND r.lang" PG_IS "cur.lang"
	" AND r.tags" PG_IS "cur.tags AND r.authors" PG_IS "cur.authors"
	" AND r.status" PG_IS "cur.status"
	" AND r.published_at" PG_IS "cur.published_at"
	" AND r.body_trusted" PG_IS "cur.body_trusted"
	" AND r.image_id" PG_IS "cur.image_id)";

static const char revision_keep_body_sql[] =
	"UPDATE revisions SET body = (SELECT a.body FROM articles a"
	" WHERE a.id = ?1) WHERE article_id = ?1 AND body IS NULL"
	" AND (SELECT a.body FROM articles a WHERE a.id = ?1)" PG_IS_NOT
	"CAST(?2 AS TEXT)";

/* ---- sitemap.c ----------------------------------------------------------- */

/* max(x, y) of two values is greatest(x, y). */
static const char sitemap_each_sql[] =
	"SELECT a.id, a.slug, a.headline, a.lang, a.published_at,"
	" greatest(a.published_at, a.updated_at) FROM articles a"
	" WHERE " VISIBLE " ORDER BY a.id LIMIT ?2 OFFSET ?3";
static const char sitemap_pieces_sql[] =
	"SELECT (n - 1) / ?2, max(m) FROM (SELECT row_number() OVER"
	" (ORDER BY a.id) AS n, greatest(a.published_at, a.updated_at) AS m"
	" FROM articles a WHERE " VISIBLE ") p GROUP BY 1 ORDER BY 1";
static const char sitemap_news_sql[] =
	"SELECT a.id, a.slug, a.headline, a.lang, a.published_at,"
	" greatest(a.published_at, a.updated_at) FROM articles a"
	" WHERE " VISIBLE " AND a.published_at >= ?2"
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?3";

/* ---- media.c ------------------------------------------------------------- */

#define PG_MEDIA_USES(m)                                                 \
	"((SELECT count(*) FROM articles a WHERE a.image_id = " m ".id)"  \
	" + (SELECT count(*) FROM article_media am JOIN articles a"       \
	" ON a.id = am.article_id WHERE am.media_id = " m ".id"           \
	" AND a.image_id" PG_IS_NOT m ".id))"
#define PG_MEDIA_MATCH                                                   \
	" WHERE (CAST(?1 AS TEXT) IS NULL"                                \
	" OR strpos(ascii_lower(m.alt), ?1) > 0"                          \
	" OR strpos(ascii_lower(m.caption), ?1) > 0"                      \
	" OR strpos(ascii_lower(m.credit), ?1) > 0)"
static const char media_get_sql[] =
	"SELECT " MEDIA_COLS ", " PG_MEDIA_USES("m")
	" FROM media m WHERE m.id = ?1";
static const char media_list_sql[] =
	"WITH page AS MATERIALIZED (SELECT * FROM media m" PG_MEDIA_MATCH
	" ORDER BY m.created_at DESC, m.id DESC LIMIT ?2 OFFSET ?3)"
	" SELECT " MEDIA_COLS ", " PG_MEDIA_USES("m") " FROM page m"
	" ORDER BY m.created_at DESC, m.id DESC";
static const char media_total_sql[] =
	"SELECT count(*) FROM media m" PG_MEDIA_MATCH;
/* A boolean in a select list is an integer, as SQLite gives it. */
static const char media_in_use_sql[] =
	"SELECT CAST(EXISTS (SELECT 1 FROM articles WHERE image_id = ?1)"
	" OR EXISTS (SELECT 1 FROM article_media WHERE media_id = ?1)"
	" AS INTEGER)";
static const char media_users_list_sql[] =
	"SELECT id, headline, slug, status,"
	" CAST(unpublished_at IS NOT NULL AS INTEGER) FROM articles"
	" WHERE id IN (SELECT id FROM articles WHERE image_id = ?1"
	" UNION SELECT article_id FROM article_media WHERE media_id = ?1)"
	" ORDER BY updated_at DESC, id DESC LIMIT ?2";
/* INSERT OR IGNORE is ON CONFLICT DO NOTHING; instr is strpos. */
static const char media_link_sql[] =
	"INSERT INTO article_media (article_id, media_id)"
	" SELECT ?1, id FROM media WHERE hash = ?2 ON CONFLICT DO NOTHING";
static const char media_link_new_sql[] =
	"INSERT INTO article_media (article_id, media_id)"
	" SELECT a.id, ?1 FROM articles a WHERE strpos(a.body,"
	" '/media/' || substr(CAST(?2 AS TEXT), 1, 2) || '/' || ?2 || '-') > 0"
	" ON CONFLICT DO NOTHING";

/* ---- article.c: the lead image ------------------------------------------- */

static const char article_image_set_sql[] =
	"UPDATE articles SET image_id = ?2, updated_at = CASE WHEN"
	" image_id" PG_IS "?2 THEN updated_at ELSE ?3 END WHERE id = ?1";

/* Every override, by statement id. */
#define PG_OVERRIDE(id, sql) { id, #id, sql }
static const struct {
	enum store_stmt_id id;
	const char *name;
	const char *sql;
} pg_overrides[] = {
	PG_OVERRIDE(STMT_READ_BEGIN, read_begin_sql),
	PG_OVERRIDE(STMT_TX_BEGIN, tx_begin_sql),
	PG_OVERRIDE(STMT_PING, ping_sql),
	PG_OVERRIDE(STMT_ARTICLE_GET_TAGS, article_tags_sql),
	PG_OVERRIDE(STMT_ARTICLE_MONTHS, article_months_sql),
	PG_OVERRIDE(STMT_ARTICLE_PAGE, article_page_sql),
	PG_OVERRIDE(STMT_TAG_LIST, tag_list_sql),
	PG_OVERRIDE(STMT_ARTICLE_INSERT, article_insert_sql),
	PG_OVERRIDE(STMT_ARTICLE_UPDATE, article_update_sql),
	PG_OVERRIDE(STMT_ARTICLE_ADMIN_LIST, article_admin_list_sql),
	PG_OVERRIDE(STMT_ARTICLE_ADMIN_TOTAL, article_admin_total_sql),
	PG_OVERRIDE(STMT_SECTION_LIST, section_list_sql),
	PG_OVERRIDE(STMT_AUTHOR_LIST, author_list_sql),
	PG_OVERRIDE(STMT_COMMENT_QUERY, comment_query_sql),
	PG_OVERRIDE(STMT_COMMENT_QUERY_STATUS, comment_query_status_sql),
	PG_OVERRIDE(STMT_COMMENT_QUERY_ARTICLE, comment_query_article_sql),
	PG_OVERRIDE(STMT_COMMENT_QUERY_STATUS_ARTICLE, comment_query_both_sql),
	PG_OVERRIDE(STMT_PAGE_SEED, page_seed_sql),
	PG_OVERRIDE(STMT_USER_LIST, user_list_sql),
	PG_OVERRIDE(STMT_SESSION_DELETE_USER, session_delete_user_sql),
	PG_OVERRIDE(STMT_AUDIT_LIST, audit_list_sql),
	PG_OVERRIDE(STMT_AUDIT_LIST_ACTOR, audit_list_actor_sql),
	PG_OVERRIDE(STMT_AUDIT_LIST_OBJECT, audit_list_object_sql),
	PG_OVERRIDE(STMT_AUDIT_LIST_ACTOR_OBJECT, audit_list_both_sql),
	PG_OVERRIDE(STMT_SEARCH, search_sql),
	PG_OVERRIDE(STMT_SEARCH_ROWS, search_rows_sql),
	PG_OVERRIDE(STMT_REVISION_RECORD, revision_record_sql),
	PG_OVERRIDE(STMT_REVISION_KEEP_BODY, revision_keep_body_sql),
	PG_OVERRIDE(STMT_SITEMAP_EACH, sitemap_each_sql),
	PG_OVERRIDE(STMT_SITEMAP_PIECES, sitemap_pieces_sql),
	PG_OVERRIDE(STMT_SITEMAP_NEWS, sitemap_news_sql),
	PG_OVERRIDE(STMT_MEDIA_GET, media_get_sql),
	PG_OVERRIDE(STMT_MEDIA_LIST, media_list_sql),
	PG_OVERRIDE(STMT_MEDIA_TOTAL, media_total_sql),
	PG_OVERRIDE(STMT_MEDIA_IN_USE, media_in_use_sql),
	PG_OVERRIDE(STMT_MEDIA_USERS_LIST, media_users_list_sql),
	PG_OVERRIDE(STMT_MEDIA_LINK, media_link_sql),
	PG_OVERRIDE(STMT_MEDIA_LINK_NEW, media_link_new_sql),
	PG_OVERRIDE(STMT_ARTICLE_IMAGE_SET, article_image_set_sql),
};
#define PG_NOVERRIDES (sizeof(pg_overrides) / sizeof(pg_overrides[0]))

const char *
store_pg_sql(enum store_stmt_id id)
{
	size_t i;

	assert(id < STMT_COUNT);
	for (i = 0; i < PG_NOVERRIDES; i++)
		if (pg_overrides[i].id == id)
			return pg_overrides[i].sql;
	return NULL;
}

const char *
store_pg_sql_name(enum store_stmt_id id)
{
	size_t i;

	for (i = 0; i < PG_NOVERRIDES; i++)
		if (pg_overrides[i].id == id)
			return pg_overrides[i].name;
	return NULL;
}

/* Skips the quoted text starting at sql[i] (its opening quote q, a
 * doubled q inside it being one): returns the index past its closing
 * quote, or past the end when it is not closed. */
static size_t
pg_skip_quoted(const char *sql, size_t i, char q)
{
	for (i++; sql[i]; i++) {
		if (sql[i] != q)
			continue;
		if (sql[i + 1] != q)
			return i + 1;
		i++;
	}
	return i;
}

char *
store_pg_placeholders(const char *sql, int *nparams)
{
	size_t len, cap, i = 0, o = 0;
	unsigned long last = 0;
	char *out;

	assert(sql);
	len = strlen(sql);
	/* ?N is as long as $N; a bare ? becomes $N of at most 20 digits. */
	cap = len + 1;
	for (i = 0; i < len; i++)
		if (sql[i] == '?')
			cap += 20;
	i = 0;
	if (!(out = malloc(cap)))
		return NULL;
	while (sql[i]) {
		size_t from = i;

		if (sql[i] == '\'' || sql[i] == '"') {
			i = pg_skip_quoted(sql, i, sql[i]);
		} else if (sql[i] == '-' && sql[i + 1] == '-') {
			while (sql[i] && sql[i] != '\n')
				i++;
		} else if (sql[i] == '/' && sql[i + 1] == '*') {
			const char *end = strstr(sql + i + 2, "*/");

			i = end ? (size_t)(end - sql) + 2 : len;
		} else if (sql[i] == '?') {
			unsigned long n = 0;
			int w;

			out[o++] = '$';
			i++;
			if (sql[i] >= '0' && sql[i] <= '9') {
				while (sql[i] >= '0' && sql[i] <= '9') {
					n = n * 10 + (unsigned long)(sql[i] - '0');
					out[o++] = sql[i++];
				}
			} else {
				n = last + 1;
				w = snprintf(out + o, cap - o, "%lu", n);
				assert(w > 0 && (size_t)w < cap - o);
				o += (size_t)w;
			}
			if (n > last)
				last = n;
			continue;
		} else {
			i++;
		}
		memcpy(out + o, sql + from, i - from);
		o += i - from;
	}
	out[o] = '\0';
	if (nparams)
		*nparams = last > INT_MAX ? INT_MAX : (int)last;
	return out;
}
