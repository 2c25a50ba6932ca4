/*
 * migrate.c - `gazette migrate --to postgresql://...`: a copy of a site's
 * SQLite database into an empty PostgreSQL one, verified table by table
 * (issue 16, item 2).
 *
 * Data flow: cli/cmd_migrate.c hands the site's gazette.db and the URL to
 * store_migrate_to. Both are opened as stores (the file brought to this
 * gazette's schema, the PostgreSQL database given its own: pg_schema.c);
 * every row of every table in migrate_tables is read on the file's reader
 * in one read transaction and inserted on PostgreSQL's writer in one
 * write transaction, through driver.h only, so nothing here names an
 * engine's types.
 *
 * Invariants:
 * - The source is read in ONE snapshot (SQLite's read transaction in WAL
 *   mode): a writer still running on the file is not seen half way, and
 *   what it writes after the snapshot is not copied.
 * - The target takes everything or nothing: one PostgreSQL transaction,
 *   under the store's write lock (the advisory lock every node's writes
 *   take), which first checks that no copied table holds a row (else
 *   GZ_EEXIST, nothing written) and ends with the counts compared before
 *   COMMIT. Any failure rolls it all back.
 * - Tables go in foreign-key order, columns by name, each with its type
 *   (integer as int8, text as text, blob as bytea, NULL as NULL);
 *   articles.search, PostgreSQL's generated tsvector, is never written,
 *   so search works on the copy as soon as it commits.
 * - migrate_tables names every table of both schemas: a table neither
 *   copied nor skipped with a reason (migrate_skipped) fails
 *   tests/unit/test_store_migrate.c, as does a column that differs.
 * - SQL text here is built only from those constant names; the rows'
 *   values are bound.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

/*
 * One copied table: its columns as both schemas name them, their types in
 * the same order ('i' integer, 't' text, 'b' blob), the order rows are
 * read in (its key: a comment's parent is older than the comment, so it
 * is inserted first), and whether its id is an identity column on
 * PostgreSQL (whose sequence is set past the copied ids).
 */
struct migrate_table {
	const char *name;
	const char *cols;
	const char *types;
	const char *order;
	bool identity;
};

/* Foreign-key order: a table comes after every table it references. */
static const struct migrate_table migrate_tables[] = {
	{"sections", "id, slug, name, article_count, counted_at", "ittii",
	 "id", true},
	{"tags", "id, slug, name, article_count, counted_at", "ittii", "id",
	 true},
	{"media",
	 "id, hash, format, width, height, bytes, widths, avif, alt,"
	 " decorative, caption, credit, focal_x, focal_y, created_at, actor",
	 "ittiiititittiiit", "id", true},
	{"authors", "id, slug, name, bio", "ittt", "id", true},
	{"articles",
	 "id, slug, headline, summary, body, byline, dateline, section_id,"
	 " lang, status, published_at, created_at, updated_at, import_key,"
	 " comments_close_at, body_html, html_version, comment_count,"
	 " comment_version, body_text, owner_id, review_at, unpublished_at,"
	 " body_trusted, image_id",
	 "ittttttittiiititiiitiiiii", "id", true},
	{"article_tags", "article_id, tag_id, published_at", "iii",
	 "article_id, tag_id", false},
	{"article_authors", "article_id, author_id, position, published_at",
	 "iiii", "article_id, author_id", false},
	{"article_media", "article_id, media_id", "ii",
	 "article_id, media_id", false},
	{"comments",
	 "id, article_id, parent_id, author, email, body, ip, status,"
	 " created_at, updated_at, thread_id, commenter_key, hold_reason",
	 "iiitttttiiibt", "id", true},
	{"comment_nonces", "nonce, expires_at", "bi", "nonce", false},
	{"moderation_log", "id, comment_id, action, actor, at, detail",
	 "iittit", "id", true},
	{"pages", "slug, title, body, position, updated_at", "tttii", "slug",
	 false},
	{"users",
	 "id, name, display_name, role, password_hash, must_change_password,"
	 " totp_secret, totp_last_step, created_at, last_signin_at",
	 "ittttibiii", "id", true},
	{"sessions",
	 "id_hash, user_id, created_at, seen_at, expires_at, second_factor,"
	 " ip",
	 "biiiiit", "id_hash", false},
	{"recovery_codes", "user_id, code_hash", "ib", "user_id, code_hash",
	 false},
	{"revisions",
	 "id, article_id, created_at, actor, note, slug, headline, summary,"
	 " body, byline, dateline, section, lang, tags, authors, status,"
	 " published_at, body_trusted, image_id",
	 "iiitttttttttttttiii", "id", true},
	{"corrections", "id, article_id, created_at, text, actor", "iiitt",
	 "id", true},
	{"audit_log", "id, at, actor, action, object, detail, ip", "iittttt",
	 "id", true},
	{"settings", "key, value", "tt", "key", false},
};

#define MIGRATE_NTABLES (sizeof(migrate_tables) / sizeof(migrate_tables[0]))

/*
 * Tables of either schema that are not copied, and why; a name ending in
 * '*' is a prefix. The test holds every table of both to this list and
 * migrate_tables.
 */
static const struct {
	const char *name;
	const char *why;
	bool told;  /* a site's table: the report says it was left out */
} migrate_skipped[] = {
	/* FTS5's index of articles and its shadow tables (_data, _idx,
	 * _docsize, _config): derived from articles' columns. PostgreSQL's
	 * index is articles.search, generated from the same columns as
	 * each row is inserted. */
	{"articles_fts*", "the search index, made again from articles", true},
	/* The cross-process event queue (changes.c): keys of committed
	 * writes, read by the other processes on the same database to drop
	 * cached pages, and purged after 10 minutes. No node serves the
	 * target before the copy commits, so none has a page to drop; each
	 * node starts reading after the newest row at its open. */
	{"changes", "the event queue of cached pages, only for running nodes",
	 true},
	/* SQLite's AUTOINCREMENT counters: media's is read, and the media
	 * identity set past it (migrate_sequence). */
	{"sqlite_sequence", "SQLite's own; media's counter sets its sequence",
	 false},
	/* The limits every node shares (limit.c): hits that count for
	 * minutes, and spent sign-in tokens good for minutes. A site on
	 * SQLite keeps them in memory, so these are empty. */
	{"limit_hits", "rate limits and sign-in throttles, kept for minutes",
	 false},
	{"login_spent", "spent sign-in tokens, kept for minutes", false},
	/* Each engine's own schema version (pg_int.h). */
	{"schema_version", "PostgreSQL's own schema version", false},
};

#define MIGRATE_NSKIPPED (sizeof(migrate_skipped) / sizeof(migrate_skipped[0]))

/* The longest SQL text built here: the widest table's names, twice. */
#define MIGRATE_SQL_MAX 4096

/* Writes a sentence into msg[msglen] (when given) and returns err. */
static int __attribute__((format(printf, 4, 5)))
migrate_why(int err, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Builds into sql[MIGRATE_SQL_MAX]. Returns GZ_OK, or GZ_ETOOBIG when
 * it does not fit (a table list no longer fitting the buffer). */
static int __attribute__((format(printf, 2, 3)))
migrate_sql(char *sql, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sql, MIGRATE_SQL_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= MIGRATE_SQL_MAX ? GZ_ETOOBIG : GZ_OK;
}

/* Runs a query of one integer on c (0 when it gives no row). */
static int
migrate_int(struct store_conn *c, const char *sql, int64_t *v)
{
	struct db_stmt *s = NULL;
	int err, rc;

	*v = 0;
	if ((err = db_prepare(c, sql, &s)) != GZ_OK)
		return err;
	rc = db_step(s);
	if (rc == DB_ROW)
		*v = db_col_int64(s, 0);
	err = rc == DB_ROW || rc == DB_DONE ? GZ_OK : store_err(c, rc, sql);
	db_finalize(s);
	return err;
}

/* The column list as bound parameters: "?1, ?2, ..." for n columns. */
static int
migrate_params(char *out, size_t outlen, size_t n)
{
	size_t i, used = 0;
	int k;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(out + used, outlen - used, "%s?%zu",
			     i ? ", " : "", i + 1);
		if (k < 0 || (size_t)k >= outlen - used)
			return GZ_ETOOBIG;
		used += (size_t)k;
	}
	return GZ_OK;
}

/* The source's rows of t and how many of them hold something other than
 * an integer (or NULL) in an integer column: SQLite's types are the
 * values', and such a value would not survive the copy. */
static int
migrate_source_count(struct store_conn *src, const struct migrate_table *t,
		     int64_t *rows, int64_t *bad)
{
	char sql[MIGRATE_SQL_MAX], cond[MIGRATE_SQL_MAX];
	struct db_stmt *s = NULL;
	const char *col = t->cols;
	size_t i, used = 0, len;
	int err, rc, k;

	*rows = *bad = 0;
	cond[0] = '\0';
	for (i = 0; t->types[i]; i++) {
		len = strcspn(col, ",");
		if (t->types[i] == 'i') {
			k = snprintf(cond + used, sizeof(cond) - used,
				     "%stypeof(%.*s) NOT IN ('integer', 'null')",
				     used ? " OR " : "", (int)len, col);
			if (k < 0 || (size_t)k >= sizeof(cond) - used)
				return GZ_ETOOBIG;
			used += (size_t)k;
		}
		col += len;
		col += strspn(col, ", ");
	}
	if ((err = migrate_sql(sql,
			       "SELECT count(*), coalesce(sum(%s), 0) FROM %s",
			       used ? cond : "0", t->name)) != GZ_OK)
		return err;
	if ((err = db_prepare(src, sql, &s)) != GZ_OK)
		return err;
	if ((rc = db_step(s)) == DB_ROW) {
		*rows = db_col_int64(s, 0);
		*bad = db_col_int64(s, 1);
		err = GZ_OK;
	} else {
		err = rc == DB_DONE ? GZ_EDB : store_err(src, rc, sql);
	}
	db_finalize(s);
	return err;
}

/* Binds column col of the source's row to parameter col + 1 of ins, as
 * type ('i', 't', 'b'). Returns GZ_OK, GZ_ENOMEM, GZ_EINVAL (text holding a NUL, which
 * PostgreSQL's text cannot) or a mapped error. */
static int
migrate_bind(struct store_conn *dst, struct db_stmt *ins,
	     struct db_stmt *row, int col, char type)
{
	static const unsigned char empty[1];
	const char *text;
	const void *blob;
	size_t len;
	int rc;

	if (db_col_null(row, col)) {
		rc = db_bind_null(ins, col + 1);
	} else if (type == 'i') {
		rc = db_bind_int64(ins, col + 1, db_col_int64(row, col));
	} else if (type == 't') {
		/* Text first, then its length: SQLite's order. */
		if (!(text = db_col_text(row, col)))
			return GZ_ENOMEM;
		len = db_col_bytes(row, col);
		if (strlen(text) != len)
			return GZ_EINVAL;
		rc = db_bind_textn(ins, col + 1, text, len);
	} else {
		blob = db_col_blob(row, col);
		len = db_col_bytes(row, col);
		if (!blob && len)
			return GZ_ENOMEM;
		rc = db_bind_blob(ins, col + 1, blob ? blob : empty, len);
	}
	return rc == DB_OK ? GZ_OK : store_err(dst, rc, db_sql(ins));
}

/* Copies every row of t from src (inside its read transaction) to dst
 * (inside its write transaction), in t's order. Output: *copied, and
 * *max_id (t's largest id when it has an identity, else 0). */
static int
migrate_copy(struct store_conn *src, struct store_conn *dst,
	     const struct migrate_table *t, int64_t *copied, int64_t *max_id,
	     char *msg, size_t msglen)
{
	char sel[MIGRATE_SQL_MAX], ins[MIGRATE_SQL_MAX], params[1024];
	struct db_stmt *rs = NULL, *is = NULL;
	size_t ncols = strlen(t->types);
	int err, rc, i;

	*copied = *max_id = 0;
	if ((err = migrate_params(params, sizeof(params), ncols)) != GZ_OK ||
	    (err = migrate_sql(sel, "SELECT %s FROM %s ORDER BY %s", t->cols,
			       t->name, t->order)) != GZ_OK ||
	    (err = migrate_sql(ins, "INSERT INTO %s (%s) VALUES (%s)",
			       t->name, t->cols, params)) != GZ_OK)
		return err;
	if ((err = db_prepare(src, sel, &rs)) != GZ_OK ||
	    (err = db_prepare(dst, ins, &is)) != GZ_OK)
		goto out;
	while ((rc = db_step(rs)) == DB_ROW) {
		for (i = 0; i < (int)ncols; i++)
			if ((err = migrate_bind(dst, is, rs, i,
						t->types[i])) != GZ_OK)
				break;
		if (err == GZ_EINVAL)
			(void)migrate_why(err, msg, msglen,
					  "%s: row %lld holds text with a NUL "
					  "byte, which PostgreSQL's text cannot",
					  t->name, (long long)*copied + 1);
		if (err == GZ_OK)
			err = store_stmt_run(dst, is);
		else
			store_stmt_done(is);
		if (err != GZ_OK)
			goto out;
		if (t->identity && db_col_int64(rs, 0) > *max_id)
			*max_id = db_col_int64(rs, 0);
		(*copied)++;
	}
	if (rc != DB_DONE)
		err = store_err(src, rc, sel);
out:
	db_finalize(is);
	db_finalize(rs);
	return err;
}

/* Sets t's identity sequence on dst so that the next id given is past
 * floor (nothing when floor is 0: the table is empty). */
static int
migrate_sequence(struct store_conn *dst, const struct migrate_table *t,
		 int64_t floor)
{
	static const char sql[] =
		"SELECT setval(pg_get_serial_sequence(?1, 'id'), ?2)";
	struct db_stmt *s = NULL;
	int err, rc;

	if (!t->identity || floor <= 0)
		return GZ_OK;
	if ((err = db_prepare(dst, sql, &s)) != GZ_OK)
		return err;
	rc = db_bind_text(s, 1, t->name);
	if (rc == DB_OK)
		rc = db_bind_int64(s, 2, floor);
	if (rc == DB_OK)
		rc = db_step(s);
	err = rc == DB_ROW ? GZ_OK : store_err(dst, rc, sql);
	db_finalize(s);
	return err;
}

/* The first copied table of dst that holds a row, or NULL when none
 * does. Output: *first. */
static int
migrate_target_empty(struct store_conn *dst, const char **first)
{
	char sql[MIGRATE_SQL_MAX];
	int64_t any;
	size_t i;
	int err;

	*first = NULL;
	for (i = 0; i < MIGRATE_NTABLES; i++) {
		if ((err = migrate_sql(sql,
				       "SELECT count(*) FROM (SELECT 1 FROM %s"
				       " LIMIT 1) AS x",
				       migrate_tables[i].name)) != GZ_OK ||
		    (err = migrate_int(dst, sql, &any)) != GZ_OK)
			return err;
		if (any) {
			*first = migrate_tables[i].name;
			return GZ_OK;
		}
	}
	return GZ_OK;
}

/* The copy proper, in src's read transaction and dst's write transaction
 * (both open). Output: rows[MIGRATE_NTABLES]. */
static int
migrate_all(struct store_conn *src, struct store_conn *dst, int64_t *rows,
	    char *msg, size_t msglen)
{
	char sql[MIGRATE_SQL_MAX];
	const struct migrate_table *t;
	const char *full;
	int64_t count, bad, copied, max_id, seq;
	int64_t floors[MIGRATE_NTABLES];
	size_t i;
	int err;

	if ((err = migrate_target_empty(dst, &full)) != GZ_OK)
		return migrate_why(err, msg, msglen,
				   "cannot read the PostgreSQL database's "
				   "tables (%s)", gz_strerror(err));
	if (full)
		return migrate_why(GZ_EEXIST, msg, msglen,
				   "the PostgreSQL database already holds rows "
				   "(table %s): migrate copies into an empty "
				   "database only; nothing was written", full);
	/* AUTOINCREMENT's counter: past every media id ever given, which
	 * a deleted photo's audit entries and revisions may still name. */
	if ((err = migrate_int(src,
			       "SELECT coalesce(max(seq), 0) FROM sqlite_sequence"
			       " WHERE name = 'media'",
			       &seq)) != GZ_OK)
		return migrate_why(err, msg, msglen,
				   "cannot read the site's media counter (%s)",
				   gz_strerror(err));
	for (i = 0; i < MIGRATE_NTABLES; i++) {
		t = &migrate_tables[i];
		if ((err = migrate_source_count(src, t, &count, &bad)) != GZ_OK)
			return migrate_why(err, msg, msglen,
					   "cannot read table %s of the site's "
					   "database (%s)", t->name,
					   gz_strerror(err));
		if (bad)
			return migrate_why(GZ_EINVAL, msg, msglen,
					   "table %s: %lld rows hold a value "
					   "other than an integer in an integer "
					   "column; nothing was written",
					   t->name, (long long)bad);
		msg[0] = '\0';
		err = migrate_copy(src, dst, t, &copied, &max_id, msg, msglen);
		if (err != GZ_OK)
			return msg[0] ? err
				      : migrate_why(err, msg, msglen,
						    "copying table %s failed "
						    "(%s; the log says what the "
						    "server answered); nothing "
						    "was written", t->name,
						    gz_strerror(err));
		if (strcmp(t->name, "media") == 0 && seq > max_id)
			max_id = seq;
		floors[i] = max_id;
		/* The verification: what the snapshot holds, what was sent,
		 * what PostgreSQL now holds, all equal. */
		if ((err = migrate_sql(sql, "SELECT count(*) FROM %s",
				       t->name)) != GZ_OK ||
		    (err = migrate_int(dst, sql, &rows[i])) != GZ_OK)
			return migrate_why(err, msg, msglen,
					   "cannot count table %s in PostgreSQL "
					   "(%s); nothing was written", t->name,
					   gz_strerror(err));
		if (rows[i] != count || copied != count)
			return migrate_why(GZ_EDB, msg, msglen,
					   "table %s: %lld rows in the site's "
					   "database, %lld copied, %lld in "
					   "PostgreSQL; nothing was written",
					   t->name, (long long)count,
					   (long long)copied,
					   (long long)rows[i]);
	}
	/* Last: a sequence's setval is not undone by a ROLLBACK, so it
	 * waits until every table has been copied and counted. */
	for (i = 0; i < MIGRATE_NTABLES; i++)
		if ((err = migrate_sequence(dst, &migrate_tables[i],
					    floors[i])) != GZ_OK)
			return migrate_why(err, msg, msglen,
					   "cannot set the id sequence of %s "
					   "(%s); nothing was written",
					   migrate_tables[i].name,
					   gz_strerror(err));
	return GZ_OK;
}

int
store_migrate_to(const char *sqlite_path, const char *pg_url,
		 store_migrate_report_fn fn, void *ctx, char *msg,
		 size_t msglen)
{
	struct store *src = NULL, *dst = NULL;
	struct store_conn *rc = NULL;
	int64_t rows[MIGRATE_NTABLES];
	char why[1024];
	bool reading = false, writing = false;
	size_t i;
	int err;

	assert(sqlite_path && pg_url && msg && msglen);
	msg[0] = '\0';
	if (!store_url_is_pg(pg_url))
		return migrate_why(GZ_EINVAL, msg, msglen,
				   "the target is not a PostgreSQL URL (it "
				   "starts with postgresql://)");
	if (store_url_is_pg(sqlite_path))
		return migrate_why(GZ_EINVAL, msg, msglen,
				   "the site's database is already PostgreSQL");
	/* The file at this gazette's schema, as serving it would make it. */
	why[0] = '\0';
	err = store_open_checked(sqlite_path, 0, &src, why, sizeof(why));
	if (err != GZ_OK) {
		if (err == GZ_ENOTFOUND)
			(void)migrate_why(err, msg, msglen, "no database at %s",
					  sqlite_path);
		else
			(void)migrate_why(err, msg, msglen, "%s", why);
		goto out;
	}
	why[0] = '\0';
	err = store_open_checked(pg_url, 0, &dst, why, sizeof(why));
	if (err != GZ_OK) {
		(void)migrate_why(err, msg, msglen, "%s", why);
		goto out;
	}
	if ((err = store_reader(src, &rc)) != GZ_OK ||
	    (err = store_read_begin(rc)) != GZ_OK) {
		(void)migrate_why(err, msg, msglen,
				  "cannot read %s (%s)", sqlite_path,
				  gz_strerror(err));
		goto out;
	}
	reading = true;
	if ((err = store_tx_begin(dst)) != GZ_OK) {
		(void)migrate_why(err, msg, msglen,
				  "cannot begin a transaction on PostgreSQL (%s)",
				  gz_strerror(err));
		goto out;
	}
	writing = true;
	if ((err = migrate_all(rc, store_writer(dst), rows, msg, msglen)) !=
	    GZ_OK)
		goto out;
	writing = false;
	if ((err = store_tx_commit(dst)) != GZ_OK) {
		(void)migrate_why(err, msg, msglen,
				  "PostgreSQL refused the COMMIT (%s); nothing "
				  "was written", gz_strerror(err));
		goto out;
	}
	if (fn) {
		for (i = 0; i < MIGRATE_NTABLES; i++)
			fn(ctx, migrate_tables[i].name, rows[i], NULL);
		for (i = 0; i < MIGRATE_NSKIPPED; i++)
			if (migrate_skipped[i].told)
				fn(ctx, migrate_skipped[i].name, 0,
				   migrate_skipped[i].why);
	}
out:
	if (writing)
		store_tx_rollback(dst);
	if (reading)
		store_read_end(rc);
	store_close(dst);
	store_close(src);
	return err;
}

/* Appends n bytes of s to out[outlen] at *used; false when it does not
 * fit. */
static bool
redact_put(char *out, size_t outlen, size_t *used, const char *s, size_t n)
{
	if (n >= outlen - *used)
		return false;
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
	return true;
}

/* The value of hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when the query parameter starting at v (after its '?' or '&')
 * names a secret: its key, percent-decoded as libpq decodes it, holds
 * "password" in any case (password, sslpassword, pass%77ord...). Its
 * value is then hidden, whatever the key's spelling. */
static bool
redact_secret_key(const char *v)
{
	static const char want[] = "password";
	char key[64];
	size_t n = 0, i;
	int hi, lo;

	while (*v && *v != '=' && *v != '&' && *v != '#') {
		if (n == sizeof(key) - 1)
			return true; /* a key this long is not libpq's: hide it */
		if (v[0] == '%' && (hi = hexval(v[1])) >= 0 &&
		    (lo = hexval(v[2])) >= 0) {
			key[n++] = (char)(hi << 4 | lo);
			v += 3;
		} else {
			key[n++] = *v++;
		}
	}
	key[n] = '\0';
	for (i = 0; i < n; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	return strstr(key, want) != NULL;
}

bool
store_url_redact(const char *url, char *out, size_t outlen)
{
	const char *p = url, *scheme, *auth_end, *at, *colon, *q, *v, *eq;
	size_t used = 0, n;
	bool hidden = false, ok = true;

	assert(url && out && outlen);
	out[0] = '\0';
	scheme = strstr(url, "://");
	/* The userinfo: up to the last '@' before the path or query. */
	if (scheme) {
		p = scheme + 3;
		auth_end = p + strcspn(p, "/?#");
		at = NULL;
		for (q = p; q < auth_end; q++)
			if (*q == '@')
				at = q;
		ok = redact_put(out, outlen, &used, url, (size_t)(p - url));
		if (at) {
			colon = memchr(p, ':', (size_t)(at - p));
			if (colon) {
				ok = ok && redact_put(out, outlen, &used, p,
						      (size_t)(colon - p)) &&
				     redact_put(out, outlen, &used, ":***", 4);
				hidden = true;
			} else {
				ok = ok && redact_put(out, outlen, &used, p,
						      (size_t)(at - p));
			}
			p = at;
		}
	}
	/* The rest, with the value of every password-like parameter
	 * hidden (redact_secret_key). */
	while (ok && *p) {
		q = p;
		if (*p == '?' || *p == '&') {
			v = p + 1;
			eq = v + strcspn(v, "=&#");
			if (*eq == '=' && redact_secret_key(v)) {
				ok = redact_put(out, outlen, &used, p,
						(size_t)(eq + 1 - p)) &&
				     redact_put(out, outlen, &used, "***", 3);
				p = eq + 1 + strcspn(eq + 1, "&#");
				hidden = true;
				continue;
			}
		}
		n = 1 + strcspn(q + 1, "?&");
		ok = redact_put(out, outlen, &used, q, n);
		p = q + n;
	}
	if (!ok) {
		/* Too long to show: nothing of it, rather than a cut that
		 * may end inside the password. */
		(void)snprintf(out, outlen, "%s", "(a PostgreSQL URL)");
		return true;
	}
	return hidden;
}
