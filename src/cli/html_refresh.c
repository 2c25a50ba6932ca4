/*
 * html_refresh.c - remaking the stored HTML of articles before a site is
 * served.
 *
 * Articles are rendered when they are stored (cli_import_bytes), with the
 * renderer version that made them (RENDER_MD_VERSION). Articles stored
 * before that, or by another version of the renderer, are rendered again
 * here, at start-up, so that no reader's request parses Markdown.
 *
 * Data flow: store_article_html_stale names a batch of stale articles;
 * each is read and rendered (render_article_html, the page's own
 * definition of the body's HTML), and the results are written with
 * store_article_html_set, a few hundred or 16 MB of HTML per transaction,
 * so the write lock is never held while Markdown is parsed.
 *
 * Invariants: when nothing is stale this is one query; an article whose
 * body cannot be rendered (more than GZ_LIMIT_MARKDOWN_BYTES of HTML) is
 * reported and left stale, and the others are still done; an article is
 * written only with HTML of the current version.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "render/render.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Stale articles asked for per query, and written per transaction. */
#define REFRESH_BATCH 256u
/* HTML held before it is written: a transaction's worth. */
#define REFRESH_BYTES (16u * 1024u * 1024u)
/* The batch's pool: the HTML held, plus one article's body and HTML
 * past it. */
#define REFRESH_POOL (REFRESH_BYTES + GZ_LIMIT_IMPORT_FILE_BYTES + \
		      2u * GZ_LIMIT_MARKDOWN_BYTES + 1024u * 1024u)

struct refresh_item {
	int64_t id;
	const char *html;
	const char *text; /* the HTML's text, for search */
};

/* Writes items[0..n) in one transaction. Returns GZ_OK or the store's
 * error (reported). */
static int
refresh_write(struct store *st, const struct refresh_item *items, size_t n,
	      FILE *progress)
{
	size_t i;
	int rc;

	if (n == 0)
		return GZ_OK;
	if ((rc = store_tx_begin(st)) != GZ_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		rc = store_article_html_set(st, items[i].id, items[i].html,
					    items[i].text, RENDER_MD_VERSION);
		/* Deleted since it was listed: nothing to remake. */
		if (rc != GZ_OK && rc != GZ_ENOTFOUND) {
			store_tx_rollback(st);
			goto fail;
		}
	}
	/* A failed commit rolls back and releases the lock itself. */
	if ((rc = store_tx_commit(st)) != GZ_OK)
		goto fail;
	return GZ_OK;
fail:
	if (progress)
		fprintf(progress, "gazette: cannot store the articles' HTML "
			"(%s)\n", gz_strerror(rc));
	return rc;
}

/* Renders article id into *html and its text into *text, allocated from
 * pool (b is scratch).
 * Returns GZ_OK; GZ_ENOTFOUND to skip the article (gone since it was
 * listed, or its HTML is too big: reported here, and it stays stale); or
 * an error for the caller to report. Output: *bytes, about what the pool
 * now holds for it. */
static int
refresh_render(struct store *st, struct pool *pool, struct buf *b, int64_t id,
	       const char **html, const char **text, size_t *bytes,
	       FILE *progress)
{
	struct store_article a;
	char msg[512];
	unsigned line;
	size_t len;
	int rc;

	if ((rc = store_article_get(st, pool, id, 0, &a)) != GZ_OK)
		return rc;
	len = strlen(a.body);
	/* Imported before the import checked bodies: rendered anyway, once,
	 * here; the editor learns what to change. */
	if (progress &&
	    render_markdown_check(a.body, len, &line, msg, sizeof(msg)) != GZ_OK)
		fprintf(progress, "gazette: article %" PRId64 ", line %u of "
			"its body: %s; import it again once corrected\n", id,
			line, msg);
	buf_reset(b);
	if ((rc = render_article_html(a.body, len, a.dateline, a.body_trusted,
				      b)) != GZ_OK) {
		if (rc != GZ_ETOOBIG)
			return rc;
		if (progress)
			fprintf(progress, "gazette: article %" PRId64 ": its "
				"body makes more than %u bytes of HTML; split "
				"it\n", id, GZ_LIMIT_MARKDOWN_BYTES);
		return GZ_ENOTFOUND;
	}
	if (!(*html = pool_strndup(pool, b->data ? b->data : "", b->len)))
		return GZ_ENOMEM;
	*bytes = len + 3 * b->len;
	buf_reset(b);
	if ((rc = render_html_text(b, *html)) != GZ_OK)
		return rc;
	if (!(*text = pool_strndup(pool, b->data ? b->data : "", b->len)))
		return GZ_ENOMEM;
	return GZ_OK;
}

int
cli_html_refresh(struct store *st, FILE *progress)
{
	struct refresh_item items[REFRESH_BATCH];
	struct pool *ids_pool = NULL, *pool = NULL;
	struct buf b;
	int64_t *ids, after = 0;
	size_t n, i, nitems, held, bytes, done = 0;
	bool announced = false;
	int rc;

	buf_init(&b, GZ_LIMIT_MARKDOWN_BYTES);
	if (!(ids_pool = pool_new(REFRESH_BATCH * sizeof(int64_t) + 4096u)) ||
	    !(pool = pool_new(REFRESH_POOL))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	for (;;) {
		pool_clear(ids_pool);
		if ((rc = store_article_html_stale(st, ids_pool,
						   RENDER_MD_VERSION, after,
						   REFRESH_BATCH, &ids,
						   &n)) != GZ_OK) {
			if (progress)
				fprintf(progress, "gazette: cannot list the "
					"articles to render (%s)\n",
					gz_strerror(rc));
			goto out;
		}
		if (n == 0)
			break;
		if (!announced && progress)
			fprintf(progress, "gazette: rendering the articles "
				"stored without HTML of renderer version %d\n",
				RENDER_MD_VERSION);
		announced = true;
		nitems = 0;
		held = 0;
		for (i = 0; i < n; i++) {
			after = ids[i];
			rc = refresh_render(st, pool, &b, ids[i],
					    &items[nitems].html,
					    &items[nitems].text, &bytes,
					    progress);
			if (rc == GZ_ENOTFOUND)
				continue;
			if (rc != GZ_OK) {
				if (progress)
					fprintf(progress, "gazette: cannot "
						"render article %" PRId64
						" (%s)\n", ids[i],
						gz_strerror(rc));
				goto out;
			}
			items[nitems++].id = ids[i];
			held += bytes;
			if (held >= REFRESH_BYTES) {
				if ((rc = refresh_write(st, items, nitems,
							progress)) != GZ_OK)
					goto out;
				done += nitems;
				nitems = 0;
				held = 0;
				pool_clear(pool);
			}
		}
		if ((rc = refresh_write(st, items, nitems, progress)) != GZ_OK)
			goto out;
		done += nitems;
		pool_clear(pool);
		if (n < REFRESH_BATCH)
			break;
	}
	if (done > 0 && progress)
		fprintf(progress, "gazette: rendered %zu article%s\n", done,
			done == 1 ? "" : "s");
	rc = GZ_OK;
out:
	buf_fini(&b);
	pool_free(pool);
	pool_free(ids_pool);
	return rc;
}
