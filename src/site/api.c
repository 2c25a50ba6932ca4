/*
 * api.c - the read-only JSON content API under /api/v1/, for apps and
 * headless front ends (docs/api.md):
 *
 *   /api/v1/articles       newest first; filters section, tag, author,
 *                          since; cursor pagination; fields
 *   /api/v1/articles/{id}  one article, with its HTML and tags
 *   /api/v1/sections, /api/v1/tags, /api/v1/authors
 *   /api/v1/search?q=      as /search, ranked, with snippets
 *
 * Only what readers may see: the store lists visible articles only. Every
 * answer is JSON made with jansson, with CORS open for GET (the content is
 * public), and is cached like a page under the keys of what it shows, so
 * it has an ETag and answers 304. Errors are JSON too:
 * {"error": {"status": 404, "message": "..."}} (site_api_error, used by
 * the error page for every /api/ path).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "media/media.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

#define API_LIMIT_DEFAULT 20
#define API_LIMIT_MAX 100

/* The fields of an article in a listing, for ?fields=. */
enum api_field {
	F_ID = 1 << 0,
	F_URL = 1 << 1,
	F_HEADLINE = 1 << 2,
	F_SUMMARY = 1 << 3,
	F_BYLINE = 1 << 4,
	F_DATELINE = 1 << 5,
	F_SECTION = 1 << 6,
	F_LANG = 1 << 7,
	F_PUBLISHED = 1 << 8,
	F_MODIFIED = 1 << 9,
	F_COMMENTS = 1 << 10,
	F_IMAGE = 1 << 11,
	F_ALL = (1 << 12) - 1,
};

static const struct {
	const char *name;
	unsigned bit;
} api_fields[] = {
	{"id", F_ID},
	{"url", F_URL},
	{"headline", F_HEADLINE},
	{"summary", F_SUMMARY},
	{"byline", F_BYLINE},
	{"dateline", F_DATELINE},
	{"section", F_SECTION},
	{"lang", F_LANG},
	{"published", F_PUBLISHED},
	{"modified", F_MODIFIED},
	{"comment_count", F_COMMENTS},
	{"image", F_IMAGE},
};

static int
api_str(json_t *o, const char *key, const char *s)
{
	return json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static int
api_date(json_t *o, const char *key, int64_t t)
{
	char d[DATE_MAX];

	date_format_iso(t, d);
	return api_str(o, key, d);
}

static const char *
api_abs(struct site *site, struct pool *pool, const char *path)
{
	return path ? pool_printf(pool, "%s%s", site->cfg->base_url, path) : NULL;
}

/* Writes root (taken: freed here) as the response body, status 200. */
static int
api_send(struct http_resp *resp, json_t *root)
{
	char *text;
	int rc;

	if (!root)
		return GZ_ENOMEM;
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return GZ_ENOMEM;
	rc = buf_puts(&resp->body, text);
	free(text);
	if (rc == GZ_OK)
		rc = buf_putc(&resp->body, '\n');
	resp->content_type = "application/json; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-cache");
	http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	return rc;
}

void
site_api_error(struct http_resp *resp, int status, const char *message)
{
	json_t *root = json_pack("{s:{s:i,s:s}}", "error", "status", status,
				 "message", message);

	buf_reset(&resp->body);
	resp->status = status;
	if (api_send(resp, root) != GZ_OK) {
		buf_reset(&resp->body);
		resp->content_type = NULL; /* http/ writes a plain one */
		return;
	}
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* An answer the caller got wrong: 400 with a sentence. */
static int
api_bad(struct http_resp *resp, const char *message)
{
	site_api_error(resp, 400, message);
	return GZ_OK;
}

/* {"slug", "name", "url"} for a section, tag or author page. */
static json_t *
api_named(struct site *site, struct pool *pool, const char *prefix,
	  const char *slug, const char *name)
{
	return json_pack("{s:s,s:s,s:s?}", "slug", slug, "name", name, "url",
			 api_abs(site, pool, site_url_slug(pool, prefix, slug)));
}

/* srcset with every URL absolute: an app is not on the site. */
static const char *
api_srcset(struct site *site, struct pool *pool, const struct store_media *m,
	   const char *ext)
{
	const char *rel = site_image_srcset(pool, m, ext), *p;
	struct buf b;
	const char *r;

	if (!rel)
		return NULL;
	buf_init(&b, 8192);
	for (p = rel; *p; ) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);

		buf_printf(&b, "%s%s%.*s", p == rel ? "" : ", ",
			   site->cfg->base_url, (int)len, p);
		p += len + (end ? 2 : 0);
	}
	r = b.err ? NULL : pool_strndup(pool, b.data ? b.data : "", b.len);
	buf_fini(&b);
	return r;
}

/* The lead photo: {url, width, height, alt, decorative, caption, credit,
 * srcset, srcset_webp, srcset_avif} (docs/api.md), or null. url is the
 * JPEG or PNG variant a share preview names (at most MEDIA_SHARE_WIDTH
 * wide); width and height are the original's. */
static json_t *
api_image(struct site *site, struct pool *pool, const struct store_media *m)
{
	const char *ext, *path;
	json_t *o;
	int w;

	if (!m)
		return json_null();
	ext = site_image_ext(m);
	w = site_image_at_most(m, MEDIA_SHARE_WIDTH);
	if (!(path = site_image_path(pool, m, w, ext)) || !(o = json_object()))
		return NULL;
	if (api_str(o, "url", api_abs(site, pool, path)) ||
	    json_object_set_new(o, "width", json_integer(m->width)) ||
	    json_object_set_new(o, "height", json_integer(m->height)) ||
	    api_str(o, "alt", m->decorative ? "" : m->alt) ||
	    json_object_set_new(o, "decorative", json_boolean(m->decorative)) ||
	    api_str(o, "caption", m->caption) ||
	    api_str(o, "credit", m->credit) ||
	    api_str(o, "srcset", api_srcset(site, pool, m, ext)) ||
	    api_str(o, "srcset_webp", api_srcset(site, pool, m, "webp")) ||
	    api_str(o, "srcset_avif", m->avif && site->cfg->media_avif
		    ? api_srcset(site, pool, m, "avif") : NULL)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An article as a listing has it, with the fields in mask. */
static json_t *
api_article(struct site *site, struct pool *pool,
	    const struct store_article *a, unsigned mask)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (((mask & F_ID) && json_object_set_new(o, "id", json_integer(a->id))) ||
	    ((mask & F_URL) && api_str(o, "url", api_abs(site, pool,
				       site_url_article(pool, a)))) ||
	    ((mask & F_HEADLINE) && api_str(o, "headline", a->headline)) ||
	    ((mask & F_SUMMARY) && api_str(o, "summary", a->summary)) ||
	    ((mask & F_BYLINE) && api_str(o, "byline", a->byline)) ||
	    ((mask & F_DATELINE) && api_str(o, "dateline", a->dateline)) ||
	    ((mask & F_SECTION) && json_object_set_new(o, "section",
			*a->section_slug ? api_named(site, pool, "/section/",
			a->section_slug, a->section_name) : json_null())) ||
	    ((mask & F_LANG) && api_str(o, "lang", a->lang)) ||
	    ((mask & F_PUBLISHED) && api_date(o, "published", a->published_at)) ||
	    ((mask & F_MODIFIED) && api_date(o, "modified",
			a->updated_at > a->published_at ? a->updated_at
							: a->published_at)) ||
	    ((mask & F_COMMENTS) && json_object_set_new(o, "comment_count",
			json_integer(a->comment_count))) ||
	    ((mask & F_IMAGE) && json_object_set_new(o, "image",
			api_image(site, pool, a->image)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Parses ?fields=a,b into *mask. Returns false on an unknown name. */
static bool
api_fields_parse(const char *s, unsigned *mask)
{
	*mask = 0;
	while (*s) {
		size_t n = strcspn(s, ","), i;
		bool known = false;

		for (i = 0; i < sizeof(api_fields) / sizeof(api_fields[0]); i++)
			if (strlen(api_fields[i].name) == n &&
			    strncmp(s, api_fields[i].name, n) == 0) {
				*mask |= api_fields[i].bit;
				known = true;
			}
		if (!known && n)
			return false;
		s += n;
		if (*s == ',')
			s++;
	}
	return *mask != 0;
}

/* "PUBLISHED-ID", both decimal: the last article of a page. */
static bool
api_cursor_parse(const char *s, int64_t *published, int64_t *id)
{
	const char *dash = strchr(s, '-');
	char head[24];
	uint64_t p, i;

	if (!dash || (size_t)(dash - s) >= sizeof(head))
		return false;
	memcpy(head, s, (size_t)(dash - s));
	head[dash - s] = '\0';
	if (http_parse_uint(head, INT64_MAX, &p) != GZ_OK ||
	    http_parse_uint(dash + 1, INT64_MAX, &i) != GZ_OK || p == 0)
		return false;
	*published = (int64_t)p;
	*id = (int64_t)i;
	return true;
}

/* Marks resp cacheable when its query names only names in only. */
static int
api_cache(struct http_req *req, struct http_resp *resp,
	  const char *const *only, const char *key,
	  const struct store_article *items, size_t n)
{
	if (!http_req_query_only(req, only))
		return GZ_OK;
	return site_cache_keys(resp, req->pool, key, items, n);
}

int
site_api_articles(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const query[] = {"section", "tag", "author", "since",
					    "cursor", "limit", "fields", NULL};
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article_filter f = {0};
	struct store_article *items = NULL;
	const char *since = http_req_query(req, "since");
	const char *cursor = http_req_query(req, "cursor");
	const char *limit = http_req_query(req, "limit");
	const char *fields = http_req_query(req, "fields");
	json_t *root = NULL, *list;
	unsigned mask = F_ALL;
	uint64_t lim = API_LIMIT_DEFAULT;
	size_t n = 0, i;
	int rc;

	f.now = site_now();
	f.section_slug = http_req_query(req, "section");
	f.tag_slug = http_req_query(req, "tag");
	f.author_slug = http_req_query(req, "author");
	if (limit && (http_parse_uint(limit, API_LIMIT_MAX, &lim) != GZ_OK ||
		      lim == 0))
		return api_bad(resp, "limit: expected a number from 1 to 100.");
	if (since && date_parse_any(since, strlen(since), &f.since) != GZ_OK)
		return api_bad(resp, "since: expected a date such as 2026-11-01 "
			       "or 2026-11-01T08:00:00Z.");
	if (cursor && !api_cursor_parse(cursor, &f.before_published,
					&f.before_id))
		return api_bad(resp, "cursor: expected the next_cursor of an "
			       "earlier answer.");
	if (fields && !api_fields_parse(fields, &mask))
		return api_bad(resp, "fields: expected names from id, url, "
			       "headline, summary, byline, dateline, section, "
			       "lang, published, modified, comment_count, "
			       "image.");
	f.limit = (size_t)lim;
	if ((rc = store_article_page(site->store, pool, &f, &items, &n)) ||
	    (rc = api_cache(req, resp, query, "front", items, n)))
		return rc;
	if (!(root = json_object()) || !(list = json_array()) ||
	    json_object_set_new(root, "articles", list))
		goto fail;
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, api_article(site, pool,
							     &items[i], mask)))
			goto fail;
	/* A full page may have a next one; its cursor is this page's last. */
	if (n == f.limit) {
		const char *next = pool_printf(pool, "%lld-%lld",
			(long long)items[n - 1].published_at,
			(long long)items[n - 1].id);

		if (api_str(root, "next_cursor", next))
			goto fail;
	} else if (json_object_set_new(root, "next_cursor", json_null())) {
		goto fail;
	}
	return api_send(resp, root);
fail:
	json_decref(root);
	return GZ_ENOMEM;
}

int
site_api_article(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article a;
	json_t *o, *tags, *authors;
	const char *html;
	uint64_t id;
	size_t i;
	int rc;

	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_article_get(site->store, pool, (int64_t)id, site_now(),
				    &a)))
		return rc;
	if (!(html = site_article_html(pool, &a, &rc)))
		return rc;
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, NULL, &a, 1)))
		return rc;
	if (!(o = api_article(site, pool, &a, F_ALL)) ||
	    api_str(o, "body_html", html) ||
	    !(tags = json_array()) || json_object_set_new(o, "tags", tags) ||
	    !(authors = json_array()) || json_object_set_new(o, "authors", authors))
		goto fail;
	for (i = 0; i < a.ntags; i++)
		if (json_array_append_new(tags, api_named(site, pool, "/tag/",
				a.tags[i].slug, a.tags[i].name)))
			goto fail;
	for (i = 0; i < a.nauthors; i++)
		if (json_array_append_new(authors, api_named(site, pool,
				"/author/", a.authors[i].slug, a.authors[i].name)))
			goto fail;
	return api_send(resp, json_pack("{s:o}", "article", o));
fail:
	json_decref(o);
	return GZ_ENOMEM;
}

int
site_api_sections(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_section *items = NULL;
	json_t *list = json_array();
	size_t n = 0, i;
	int rc;

	if (!list)
		return GZ_ENOMEM;
	if ((rc = store_section_list(site->store, pool, site_now(), &items, &n)) ||
	    (rc = api_cache(req, resp, site_no_query, "front", NULL, 0))) {
		json_decref(list);
		return rc;
	}
	for (i = 0; i < n; i++) {
		json_t *o;

		/* Only what a reader can see: a section with nothing out may
		 * be an embargoed story's. */
		if (items[i].article_count == 0)
			continue;
		o = api_named(site, pool, "/section/", items[i].slug,
			      items[i].name);

		if (!o || json_object_set_new(o, "article_count",
					      json_integer(items[i].article_count)) ||
		    json_array_append_new(list, o)) {
			json_decref(list);
			return GZ_ENOMEM;
		}
	}
	return api_send(resp, json_pack("{s:o}", "sections", list));
}

int
site_api_tags(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_tag_count *items = NULL;
	json_t *list = json_array();
	size_t n = 0, i;
	int rc;

	if (!list)
		return GZ_ENOMEM;
	if ((rc = store_tag_list(site->store, pool, &items, &n)) ||
	    (rc = api_cache(req, resp, site_no_query, "front", NULL, 0))) {
		json_decref(list);
		return rc;
	}
	for (i = 0; i < n; i++) {
		json_t *o;

		if (items[i].article_count == 0)
			continue;
		o = api_named(site, pool, "/tag/", items[i].slug,
			      items[i].name);

		if (!o || json_object_set_new(o, "article_count",
					      json_integer(items[i].article_count)) ||
		    json_array_append_new(list, o)) {
			json_decref(list);
			return GZ_ENOMEM;
		}
	}
	return api_send(resp, json_pack("{s:o}", "tags", list));
}

int
site_api_authors(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_author *items = NULL;
	json_t *list = json_array();
	size_t n = 0, i;
	int rc;

	if (!list)
		return GZ_ENOMEM;
	if ((rc = store_author_list(site->store, pool, site_now(), &items, &n)) ||
	    (rc = api_cache(req, resp, site_no_query, "front", NULL, 0))) {
		json_decref(list);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, api_named(site, pool, "/author/",
				items[i].slug, items[i].name))) {
			json_decref(list);
			return GZ_ENOMEM;
		}
	return api_send(resp, json_pack("{s:o}", "authors", list));
}

int
site_api_search(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	const char *raw = http_req_query(req, "q");
	const char *limit = http_req_query(req, "limit");
	const char *q;
	struct store_search_hit *hits = NULL;
	json_t *root = NULL, *list;
	uint64_t lim = API_LIMIT_DEFAULT;
	size_t n = 0, total = 0, terms = 0, i;
	struct buf match;
	bool cut = false, capped = false;
	int rc;

	if (limit && (http_parse_uint(limit, API_LIMIT_MAX, &lim) != GZ_OK ||
		      lim == 0))
		return api_bad(resp, "limit: expected a number from 1 to 100.");
	if (!(q = utf8_scrub(pool, raw ? raw : "")))
		return GZ_ENOMEM;
	buf_init(&match, 4 * GZ_LIMIT_SEARCH_BYTES + 4 * GZ_LIMIT_SEARCH_TERMS);
	rc = site_search_query(&match, q, &terms, &cut);
	if (rc == GZ_OK)
		rc = store_search(site->store, pool, site_now(), match.data,
				  (size_t)lim, 0, &hits, &n, &total, &capped);
	buf_fini(&match);
	if (rc == GZ_ENOTFOUND)
		return api_bad(resp, "q: expected a word or two to search for.");
	if (rc == GZ_EINVAL)
		return api_bad(resp, "q: that search could not be read; try a few "
			       "plain words.");
	if (rc != GZ_OK)
		return rc;
	if (!(root = json_object()) || api_str(root, "query", q) ||
	    json_object_set_new(root, "total", json_integer((json_int_t)total)) ||
	    json_object_set_new(root, "total_capped", json_boolean(capped)) ||
	    json_object_set_new(root, "cut", json_boolean(cut)) ||
	    !(list = json_array()) || json_object_set_new(root, "results", list))
		goto fail;
	for (i = 0; i < n; i++) {
		json_t *o = api_article(site, pool, &hits[i].article, F_ALL);

		/* The snippet as the results page shows it: escaped HTML,
		 * the words found in <mark>. */
		if (!o || api_str(o, "snippet_html",
				  site_search_marked(pool, hits[i].snippet)) ||
		    json_array_append_new(list, o))
			goto fail;
	}
	return api_send(resp, root);
fail:
	json_decref(root);
	return GZ_ENOMEM;
}
