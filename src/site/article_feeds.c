/*
 * article_feeds.c - the news as feeds: /feed.atom, /feed.rss, /feed.json
 * for the whole site, and the same three under /section/{slug}/,
 * /tag/{slug}/ and /author/{slug}/. The newest FEED_ITEMS visible articles, with their full
 * HTML; never a draft or a story scheduled for later (the store lists
 * only what is visible now). Written by feed_build.c.
 *
 * Feeds are cached like pages, under "feeds" (every article write and
 * every scheduled story coming due names it) and the keys of the articles
 * they carry; the cache gives them an ETag and answers 304.
 */
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "media/media.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Entries per feed: a day's news on a busy site. */
#define FEED_ITEMS 20
/* Full article HTML until a feed carries this much of it; later entries
 * have their summary only, so a run of long stories cannot push a feed
 * past GZ_LIMIT_PAGE_BYTES. */
#define FEED_CONTENT_BUDGET (1024u * 1024u)

static const struct feed_format {
	const char *name; /* the path's last segment */
	const char *type; /* Content-Type */
	int (*build)(struct buf *, const struct site_feed *);
} feed_formats[] = {
	{"feed.atom", "application/atom+xml; charset=utf-8", site_feed_atom},
	{"feed.rss", "application/rss+xml; charset=utf-8", site_feed_rss},
	{"feed.json", "application/feed+json; charset=utf-8", site_feed_json},
};

static const struct feed_format *
feed_format_of(const char *path)
{
	const char *last = strrchr(path, '/');
	size_t i;

	last = last ? last + 1 : path;
	for (i = 0; i < sizeof(feed_formats) / sizeof(feed_formats[0]); i++)
		if (strcmp(last, feed_formats[i].name) == 0)
			return &feed_formats[i];
	return NULL;
}

/* The entry's authors: the article's, each with their page; else the
 * names its byline gives, without a page. */
static int
feed_authors(struct site *site, struct pool *pool,
	     const struct store_article *a, struct site_feed_item *it)
{
	const char *names[GZ_LIMIT_AUTHORS];
	struct site_feed_author *arr;
	size_t n = a->nauthors, i;
	int rc;

	if (!n && (rc = store_byline_names(pool, a->byline, names,
					   GZ_LIMIT_AUTHORS, &n)))
		return rc;
	it->authors = NULL;
	it->nauthors = 0;
	if (!n)
		return GZ_OK;
	if (!(arr = pool_alloc(pool, n * sizeof(*arr))))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		arr[i].name = a->nauthors ? a->authors[i].name : names[i];
		arr[i].url = a->nauthors ? pool_printf(pool, "%s%s",
				site->cfg->base_url, site_url_slug(pool,
				"/author/", a->authors[i].slug)) : NULL;
	}
	it->authors = arr;
	it->nauthors = n;
	return GZ_OK;
}

/* Sets it's image_* from a's lead photo: the variant the share preview
 * names (view_image.c), whose file's size an enclosure must give. A
 * file that is not there (a media directory not yet copied to this
 * machine) leaves the entry without one. */
static int
feed_image(struct site *site, struct pool *pool, const struct store_article *a,
	   struct site_feed_item *it)
{
	const struct store_media *m = a->image;
	const char *ext, *path, *file;
	struct stat st;
	int w;

	it->image_url = NULL;
	it->image_type = NULL;
	it->image_length = 0;
	it->image_width = it->image_height = 0;
	it->image_title = "";
	if (!m || !site->cfg->media_dir)
		return GZ_OK;
	ext = site_image_ext(m);
	w = site_image_at_most(m, MEDIA_SHARE_WIDTH);
	if (!(path = site_image_path(pool, m, w, ext)) ||
	    /* path is "/media/<name>": the file is media_dir/<name>. */
	    !(file = pool_printf(pool, "%s/%s", site->cfg->media_dir,
				 path + strlen("/media/"))))
		return GZ_ENOMEM;
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return GZ_OK;
	if (!(it->image_url = pool_printf(pool, "%s%s", site->cfg->base_url,
					  path)))
		return GZ_ENOMEM;
	it->image_type = media_mime_of_ext(ext);
	it->image_length = (int64_t)st.st_size;
	it->image_width = w;
	it->image_height = site_image_height(m, w);
	it->image_title = *m->caption ? m->caption
			: m->decorative ? "" : m->alt;
	return GZ_OK;
}

/* Fills it from a (read whole, with body and tags). budget: bytes of
 * content still allowed; lowered by what this entry carries. */
static int
feed_item(struct site *site, struct pool *pool, const struct store_article *a,
	  struct site_feed_item *it, size_t *budget)
{
	const char *base = site->cfg->base_url, *html, **cats;
	struct buf abs;
	size_t i, n = 0;
	int rc;

	it->id = pool_printf(pool, "%s/news/%lld", base, (long long)a->id);
	it->url = pool_printf(pool, "%s%s", base, site_url_article(pool, a));
	it->title = a->headline;
	it->summary = a->summary;
	if ((rc = feed_authors(site, pool, a, it)))
		return rc;
	it->lang = a->lang;
	it->published = a->published_at;
	it->modified = a->updated_at > a->published_at ? a->updated_at
						       : a->published_at;
	if (!(cats = pool_alloc(pool, (a->ntags + 1) * sizeof(*cats))))
		return GZ_ENOMEM;
	if (*a->section_name)
		cats[n++] = a->section_name;
	for (i = 0; i < a->ntags; i++)
		cats[n++] = a->tags[i].name;
	it->categories = cats;
	it->ncategories = n;
	it->content_html = NULL;
	if (!it->id || !it->url)
		return GZ_ENOMEM;
	if ((rc = feed_image(site, pool, a, it)))
		return rc;
	if (!(html = site_article_html(pool, a, &rc)))
		return rc;
	if (strlen(html) > *budget)
		return GZ_OK;
	buf_init(&abs, GZ_LIMIT_PAGE_BYTES);
	rc = site_feed_absolute(&abs, html, base);
	if (rc == GZ_OK &&
	    !(it->content_html = pool_strndup(pool, abs.data ? abs.data : "",
					      abs.len)))
		rc = GZ_ENOMEM;
	if (rc == GZ_OK)
		*budget -= abs.len < *budget ? abs.len : *budget;
	buf_fini(&abs);
	return rc;
}

int
site_feed(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	const struct config *cfg = site->cfg;
	const struct feed_format *fmt = feed_format_of(req->path);
	struct store_article_query q = {0};
	struct store_article *list = NULL, full;
	struct site_feed_item *items = NULL;
	struct site_feed f = {0};
	struct store_section sec;
	struct store_tag tag;
	struct store_author author = {0};
	const char *scope = NULL, *page = "/";
	size_t n = 0, i, budget = FEED_CONTENT_BUDGET;
	int rc;

	if (!fmt)
		return GZ_ENOTFOUND;
	if (strncmp(req->path, "/section/", 9) == 0) {
		if ((rc = store_section_get(site->store, pool, req->params[0],
					    &sec)))
			return rc;
		q.section_slug = sec.slug;
		scope = sec.name;
		page = site_url_slug(pool, "/section/", sec.slug);
	} else if (strncmp(req->path, "/author/", 8) == 0) {
		if ((rc = store_author_get(site->store, pool, req->params[0],
					   &author)))
			return rc;
		scope = author.name;
		page = site_url_slug(pool, "/author/", author.slug);
	} else if (strncmp(req->path, "/tag/", 5) == 0) {
		if ((rc = store_tag_get(site->store, pool, req->params[0], &tag)))
			return rc;
		q.tag_slug = tag.slug;
		scope = tag.name;
		page = site_url_slug(pool, "/tag/", tag.slug);
	}
	q.now = site_now();
	q.limit = FEED_ITEMS;
	if (author.slug) {
		size_t total;

		rc = store_author_articles(site->store, pool, q.now,
					   author.slug, FEED_ITEMS, 0, &list,
					   &n, &total);
		/* As the author's page: none before their first story. */
		if (rc == GZ_OK && total == 0)
			rc = GZ_ENOTFOUND;
	} else {
		rc = store_article_list(site->store, pool, &q, &list, &n, NULL);
		/* As its page: a section or tag with nothing out has none. */
		if (rc == GZ_OK && n == 0 && scope)
			rc = GZ_ENOTFOUND;
	}
	if (rc)
		return rc;
	if (n && !(items = pool_alloc(pool, n * sizeof(*items))))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((rc = store_article_get(site->store, pool, list[i].id, q.now,
					    &full)) ||
		    (rc = feed_item(site, pool, &full, &items[i], &budget)))
			return rc;
		if (items[i].modified > f.updated)
			f.updated = items[i].modified;
	}
	if (!n)
		f.updated = q.now;
	f.title = scope ? pool_printf(pool, "%s – %s", cfg->title, scope)
			: cfg->title;
	f.description = scope ? pool_printf(pool, "The latest from %s: %s.",
					    cfg->title, scope)
			      : pool_printf(pool, "The latest news from %s.",
					    cfg->title);
	f.lang = cfg->language;
	f.publisher = cfg->title;
	f.home_url = pool_printf(pool, "%s/", cfg->base_url);
	f.alternate_url = page ? pool_printf(pool, "%s%s", cfg->base_url, page)
			       : NULL;
	f.self_url = pool_printf(pool, "%s%s", cfg->base_url,
				 page && scope ? pool_printf(pool, "%s/%s", page,
							     fmt->name)
					       : pool_printf(pool, "/%s",
							     fmt->name));
	f.items = items;
	f.n = n;
	if (!f.title || !f.description || !f.home_url || !f.alternate_url ||
	    !f.self_url)
		return GZ_ENOMEM;
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, "feeds", list, n)))
		return rc;
	resp->content_type = fmt->type;
	http_resp_header(resp, "Cache-Control", "no-cache");
	http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	return fmt->build(&resp->body, &f);
}
