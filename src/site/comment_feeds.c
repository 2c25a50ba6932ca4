/*
 * comment_feeds.c - Atom feeds of approved comments: one per article
 * (/news/{id}/comments.atom) and one for the whole site
 * (/comments.atom), newest first.
 *
 * The feed template is escaped like any page: a comment's HTML (from
 * render_text) goes into <content type="html"> escaped once more, which
 * is what Atom expects, so no reader's text can become feed markup.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define FEED_ENTRIES 50

/* One entry for comment c on the article at article_url (absolute). */
static struct render_val *
feed_entry(struct pool *pool, const struct store_comment *c,
	   const char *headline, const char *article_url, struct buf *scratch)
{
	struct render_val *e = render_obj_new(pool);
	char iso[DATE_MAX];

	buf_reset(scratch);
	if (!e || render_text(c->body, strlen(c->body), scratch) != GZ_OK)
		return NULL;
	date_format_iso(c->created_at, iso);
	if (render_obj_str(pool, e, "title", pool_printf(pool,
			   "Comment by %s on %s", c->author, headline)) ||
	    render_obj_str(pool, e, "author", c->author) ||
	    /* The id stays what it always was; the link opens the comment
	     * page holding the comment (threads are paginated). */
	    render_obj_str(pool, e, "permalink", pool_printf(pool,
			   "%s#comment-%lld", article_url, (long long)c->id)) ||
	    render_obj_str(pool, e, "comment_url", pool_printf(pool,
			   "%s#comment-%lld", site_url_comment(pool, article_url,
			   c->id), (long long)c->id)) ||
	    render_obj_str(pool, e, "date_iso", pool_strdup(pool, iso)) ||
	    render_obj_html(pool, e, "body_html", pool_strndup(pool,
			    scratch->data ? scratch->data : "", scratch->len)))
		return NULL;
	return e;
}

static int
feed_render(struct site *site, struct http_req *req, struct http_resp *resp,
	    const char *title, const char *self, const char *alternate,
	    struct render_val *entries, int64_t updated)
{
	struct pool *pool = req->pool;
	struct render_val *v = render_obj_new(pool);
	char iso[DATE_MAX];
	int rc;

	date_format_iso(updated, iso);
	if (!v || render_obj_str(pool, v, "feed_title", title) ||
	    render_obj_str(pool, v, "feed_url", self) ||
	    render_obj_str(pool, v, "alternate_url", alternate) ||
	    render_obj_str(pool, v, "updated_iso", pool_strdup(pool, iso)) ||
	    render_obj_set(pool, v, "entries", entries))
		return GZ_ENOMEM;
	rc = render_theme_render(site->theme, "comments_feed", v, &resp->body);
	resp->content_type = "application/atom+xml; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-cache");
	return rc;
}

int
site_comments_feed(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article a;
	struct store_comment *items = NULL;
	struct render_val *entries, *e;
	const char *base = site->cfg->base_url, *url, *self;
	int64_t updated;
	struct buf scratch;
	uint64_t id;
	size_t n = 0, i;
	int rc;

	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_article_get(site->store, pool, (int64_t)id, site_now(), &a)) ||
	    (rc = store_comment_list(site->store, pool, a.id, &items, &n)))
		return rc;
	if (!(url = site_url_article(pool, &a)) ||
	    !(url = pool_printf(pool, "%s%s", base, url)) ||
	    !(self = pool_printf(pool, "%s/news/%lld/comments.atom", base,
				 (long long)a.id)) ||
	    !(entries = render_list_new(pool)))
		return GZ_ENOMEM;
	updated = a.published_at;
	buf_init(&scratch, GZ_LIMIT_PAGE_BYTES);
	/* Newest first: the list comes oldest first. */
	for (i = n; i-- > 0;) {
		if (!(e = feed_entry(pool, &items[i], a.headline, url, &scratch)) ||
		    render_list_push(pool, entries, e)) {
			buf_fini(&scratch);
			return GZ_ENOMEM;
		}
		if (items[i].created_at > updated)
			updated = items[i].created_at;
		if (n - i >= FEED_ENTRIES)
			break;
	}
	buf_fini(&scratch);
	if (http_req_query_only(req, site_no_query) &&
	    (rc = http_resp_cache_key(resp, pool, pool_printf(pool,
			"article:%lld", (long long)a.id))))
		return rc;
	return feed_render(site, req, resp, pool_printf(pool, "Comments on %s",
			   a.headline), self, url, entries, updated);
}

int
site_comments_feed_all(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_comment_filter f = {
		.status = STORE_COMMENT_APPROVED, .limit = FEED_ENTRIES};
	struct store_comment *items = NULL;
	struct store_article a;
	struct render_val *entries, *e;
	const char *base = site->cfg->base_url, *url;
	int64_t updated = 0, now = site_now();
	struct buf scratch;
	size_t n = 0, i;
	int rc;

	if ((rc = store_comment_query(site->store, pool, &f, &items, &n)))
		return rc;
	if (http_req_query_only(req, site_no_query) &&
	    ((rc = http_resp_cache_key(resp, pool, "comments")) ||
	     (rc = http_resp_cache_key(resp, pool, "feeds"))))
		return rc;
	if (!(entries = render_list_new(pool)))
		return GZ_ENOMEM;
	buf_init(&scratch, GZ_LIMIT_PAGE_BYTES);
	for (i = 0; i < n; i++) {
		/* A comment on an article no longer visible stays out. */
		if (store_article_get(site->store, pool, items[i].article_id,
				      now, &a) != GZ_OK)
			continue;
		if (!(url = site_url_article(pool, &a)) ||
		    !(url = pool_printf(pool, "%s%s", base, url)) ||
		    !(e = feed_entry(pool, &items[i], a.headline, url, &scratch)) ||
		    render_list_push(pool, entries, e)) {
			buf_fini(&scratch);
			return GZ_ENOMEM;
		}
		if (items[i].created_at > updated)
			updated = items[i].created_at;
	}
	buf_fini(&scratch);
	return feed_render(site, req, resp, pool_printf(pool, "Comments on %s",
			   site->cfg->title), pool_printf(pool, "%s/comments.atom",
			   base), pool_printf(pool, "%s/", base), entries,
			   updated ? updated : now);
}
