/*
 * sitemap.c - what crawlers read: /robots.txt, the sitemap index
 * /sitemap.xml, its pieces /sitemap-pages.xml (front page, sections and
 * authors)
 * and /sitemap-articles.xml?page=N, and the Google News sitemap
 * /sitemap-news.xml (sitemaps.org protocol 0.9; Google News sitemap 0.9).
 *
 * Article pieces hold SITEMAP_PIECE_URLS articles each, oldest first, so
 * a piece keeps its URLs as the archive grows and only the last one
 * changes with each story. The protocol allows 50,000 URLs a file; a
 * piece here stays smaller so that even with the longest slugs it is
 * written in one pass into one response well under GZ_LIMIT_PAGE_BYTES,
 * and cached and compressed once like any page. Rows are written as the
 * store steps them (store_sitemap_each), never gathered first.
 *
 * Everything written is escaped as XML text (render_escape_html escapes
 * & < > " and ', which is also right for XML). Dates are W3C datetimes
 * with the site zone's offset.
 */
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Articles per sitemap piece: at the longest slug (SLUG_MAX bytes of
 * non-ASCII, percent-encoded) a <url> is under 400 bytes, so a piece is
 * under 2 MB. */
#define SITEMAP_PIECE_URLS 5000u
/* The news sitemap: Google reads at most 1,000 articles of the last two
 * days. */
#define SITEMAP_NEWS_URLS 1000u
#define SITEMAP_NEWS_SECONDS (48 * 3600)

#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define SITEMAP_NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

struct sitemap_ctx {
	struct site *site;
	struct pool *pool;
	struct buf *out;
};

static int
xml_text(struct buf *out, const char *s)
{
	return render_escape_xml(out, s, strlen(s));
}

/* "<tag>escaped text</tag>"; text NULL (out of memory) is GZ_ENOMEM. */
static int
xml_elem(struct buf *out, const char *tag, const char *text)
{
	int rc;

	if (!text)
		return GZ_ENOMEM;
	if ((rc = buf_printf(out, "<%s>", tag)) || (rc = xml_text(out, text)))
		return rc;
	return buf_printf(out, "</%s>", tag);
}

static int
xml_date(struct buf *out, const char *tag, int64_t t)
{
	char iso[DATE_MAX];

	date_format_iso(t, iso);
	return xml_elem(out, tag, iso);
}

/* base_url + path, both as the site names them. */
static const char *
sitemap_abs(struct sitemap_ctx *x, const char *path)
{
	return path ? pool_printf(x->pool, "%s%s", x->site->cfg->base_url, path)
		    : NULL;
}

static const char *
sitemap_article_url(struct sitemap_ctx *x, const struct store_sitemap_row *r)
{
	struct store_article a = {.id = r->id, .slug = r->slug};

	return sitemap_abs(x, site_url_article(x->pool, &a));
}

static int
sitemap_on_article(void *ctx, const struct store_sitemap_row *r)
{
	struct sitemap_ctx *x = ctx;
	const char *url = sitemap_article_url(x, r);
	int rc;

	if (!url)
		return GZ_ENOMEM;
	if ((rc = buf_puts(x->out, "<url>")) ||
	    (rc = xml_elem(x->out, "loc", url)) ||
	    (rc = xml_date(x->out, "lastmod", r->modified_at)))
		return rc;
	return buf_puts(x->out, "</url>\n");
}

/* Google News wants an ISO 639 code, with zh-cn and zh-tw as the only
 * exceptions: "en-GB" is "en", "zh-TW" is "zh-tw". In pool. */
static const char *
sitemap_news_lang(struct pool *pool, const char *lang)
{
	size_t n = strcspn(lang, "-_"), i;
	char *out;

	if (n == 2 && strncasecmp(lang, "zh", 2) == 0 && lang[2]) {
		/* Google names Chinese by script: zh-cn (simplified) and
		 * zh-tw (traditional), whatever the tag says it with. */
		const char *sub = lang + 3;

		if (strcasecmp(sub, "cn") == 0 || strncasecmp(sub, "hans", 4) == 0 ||
		    strcasecmp(sub, "sg") == 0)
			return pool_strdup(pool, "zh-cn");
		if (strcasecmp(sub, "tw") == 0 || strncasecmp(sub, "hant", 4) == 0 ||
		    strcasecmp(sub, "hk") == 0 || strcasecmp(sub, "mo") == 0)
			return pool_strdup(pool, "zh-tw");
	}
	if (!(out = pool_strndup(pool, lang, n)))
		return NULL;
	for (i = 0; i < n; i++) {
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
		else if (out[i] == '_')
			out[i] = '-';
	}
	return out;
}

static int
sitemap_on_news(void *ctx, const struct store_sitemap_row *r)
{
	struct sitemap_ctx *x = ctx;
	const char *url = sitemap_article_url(x, r);
	const char *lang = sitemap_news_lang(x->pool, *r->lang ? r->lang
					     : x->site->cfg->language);
	int rc;

	if (!url || !lang)
		return GZ_ENOMEM;
	if ((rc = buf_puts(x->out, "<url>")) ||
	    (rc = xml_elem(x->out, "loc", url)) ||
	    (rc = buf_puts(x->out, "<news:news><news:publication>")) ||
	    (rc = xml_elem(x->out, "news:name", x->site->cfg->title)) ||
	    (rc = xml_elem(x->out, "news:language", lang)) ||
	    (rc = buf_puts(x->out, "</news:publication>")) ||
	    (rc = xml_date(x->out, "news:publication_date", r->published_at)) ||
	    (rc = xml_elem(x->out, "news:title", r->headline)))
		return rc;
	return buf_puts(x->out, "</news:news></url>\n");
}

/* Lets the page cache keep resp until an article's visibility, URL or
 * date changes ("sitemaps"), or the sections do ("nav"), unless the
 * request has a query beyond the names in only. */
static int
sitemap_cache(struct http_req *req, struct http_resp *resp,
	      const char *const *only)
{
	if (!http_req_query_only(req, only))
		return GZ_OK;
	return site_cache_keys(resp, req->pool, "sitemaps", NULL, 0);
}

static void
sitemap_xml(struct http_resp *resp)
{
	resp->content_type = "application/xml; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-cache");
}

/* /sitemap.xml: the pages piece, then one entry per article piece with
 * the latest change among its articles. */
int
site_sitemap_index(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct sitemap_ctx x = {site, req->pool, &resp->body};
	int64_t *lastmod = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = store_sitemap_pieces(site->store, req->pool, site_now(),
				       SITEMAP_PIECE_URLS, &lastmod, &n)) ||
	    (rc = sitemap_cache(req, resp, site_no_query)))
		return rc;
	sitemap_xml(resp);
	if ((rc = buf_puts(&resp->body, XML_DECL "<sitemapindex xmlns=\""
			   SITEMAP_NS "\">\n<sitemap>")) ||
	    (rc = xml_elem(&resp->body, "loc",
			   sitemap_abs(&x, "/sitemap-pages.xml"))) ||
	    (rc = buf_puts(&resp->body, "</sitemap>\n")))
		return rc;
	for (i = 0; i < n; i++) {
		const char *url = sitemap_abs(&x, pool_printf(req->pool,
			"/sitemap-articles.xml?page=%zu", i + 1));

		if (!url)
			return GZ_ENOMEM;
		if ((rc = buf_puts(&resp->body, "<sitemap>")) ||
		    (rc = xml_elem(&resp->body, "loc", url)) ||
		    (rc = xml_date(&resp->body, "lastmod", lastmod[i])) ||
		    (rc = buf_puts(&resp->body, "</sitemap>\n")))
			return rc;
	}
	return buf_puts(&resp->body, "</sitemapindex>\n");
}

/* /sitemap-pages.xml: the front page, every section and every author. */
int
site_sitemap_pages(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct sitemap_ctx x = {site, req->pool, &resp->body};
	struct store_section *sections = NULL;
	struct store_author *authors = NULL;
	struct store_page *pages = NULL;
	size_t n = 0, na = 0, np = 0, i;
	int rc;

	if ((rc = store_section_list(site->store, req->pool, site_now(),
				     &sections, &n)) ||
	    (rc = sitemap_cache(req, resp, site_no_query)))
		return rc;
	sitemap_xml(resp);
	if ((rc = buf_puts(&resp->body, XML_DECL "<urlset xmlns=\"" SITEMAP_NS
			   "\">\n<url>")) ||
	    (rc = xml_elem(&resp->body, "loc", sitemap_abs(&x, "/"))) ||
	    (rc = buf_puts(&resp->body, "</url>\n")))
		return rc;
	for (i = 0; i < n; i++) {
		const char *url = sitemap_abs(&x, site_url_slug(req->pool,
					      "/section/", sections[i].slug));

		/* An empty section's page has nothing to index. */
		if (sections[i].article_count == 0)
			continue;

		if (!url)
			return GZ_ENOMEM;
		if ((rc = buf_puts(&resp->body, "<url>")) ||
		    (rc = xml_elem(&resp->body, "loc", url)) ||
		    (rc = buf_puts(&resp->body, "</url>\n")))
			return rc;
	}
	if ((rc = store_page_list(site->store, req->pool, &pages, &np)))
		return rc;
	for (i = 0; i < np; i++) {
		const char *url = sitemap_abs(&x, site_url_slug(req->pool, "/",
					      pages[i].slug));

		if ((rc = buf_puts(&resp->body, "<url>")) ||
		    (rc = xml_elem(&resp->body, "loc", url)) ||
		    (rc = xml_date(&resp->body, "lastmod", pages[i].updated_at)) ||
		    (rc = buf_puts(&resp->body, "</url>\n")))
			return rc;
	}
	if ((rc = store_author_list(site->store, req->pool, site_now(), &authors, &na)))
		return rc;
	for (i = 0; i < na; i++) {
		const char *url = sitemap_abs(&x, site_url_slug(req->pool,
					      "/author/", authors[i].slug));

		if ((rc = buf_puts(&resp->body, "<url>")) ||
		    (rc = xml_elem(&resp->body, "loc", url)) ||
		    (rc = buf_puts(&resp->body, "</url>\n")))
			return rc;
	}
	return buf_puts(&resp->body, "</urlset>\n");
}

/* /sitemap-articles.xml?page=N: piece N (from 1); past the last, 404. */
int
site_sitemap_articles(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const page_query[] = {"page", NULL};
	struct site *site = ctx;
	struct sitemap_ctx x = {site, req->pool, &resp->body};
	const char *arg = http_req_query(req, "page");
	uint64_t page = 1;
	size_t before;
	int rc;

	if ((arg && http_parse_uint(arg, GZ_LIMIT_PAGE_NUMBER, &page)) ||
	    page == 0)
		return GZ_ENOTFOUND;
	if ((rc = sitemap_cache(req, resp, page_query)))
		return rc;
	sitemap_xml(resp);
	if ((rc = buf_puts(&resp->body, XML_DECL "<urlset xmlns=\"" SITEMAP_NS
			   "\">\n")))
		return rc;
	before = resp->body.len;
	if ((rc = store_sitemap_each(site->store, site_now(),
				     (size_t)(page - 1) * SITEMAP_PIECE_URLS,
				     SITEMAP_PIECE_URLS, sitemap_on_article,
				     &x)))
		return rc;
	/* The index lists no empty piece (a urlset needs one <url>). */
	if (resp->body.len == before)
		return GZ_ENOTFOUND;
	return buf_puts(&resp->body, "</urlset>\n");
}

/* /sitemap-news.xml: the articles of the last 48 hours, newest first.
 * Articles leave it by the clock, with no write to invalidate a cached
 * copy, so it is made anew for each request (it is small). */
int
site_sitemap_news(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct sitemap_ctx x = {site, req->pool, &resp->body};
	int64_t now = site_now();
	size_t before;
	int rc;

	sitemap_xml(resp);

	if ((rc = buf_puts(&resp->body, XML_DECL "<urlset xmlns=\"" SITEMAP_NS
			   "\" xmlns:news=\"" SITEMAP_NEWS_NS "\">\n")))
		return rc;
	before = resp->body.len;
	if ((rc = store_sitemap_news(site->store, now,
				     now - SITEMAP_NEWS_SECONDS,
				     SITEMAP_NEWS_URLS, sitemap_on_news, &x)))
		return rc;
	/* Two quiet days: a urlset must hold a <url>, so the front page
	 * stands in, without news tags (crawlers then find no article). */
	if (resp->body.len == before &&
	    ((rc = buf_puts(&resp->body, "<url>")) ||
	     (rc = xml_elem(&resp->body, "loc", sitemap_abs(&x, "/"))) ||
	     (rc = buf_puts(&resp->body, "</url>\n"))))
		return rc;
	return buf_puts(&resp->body, "</urlset>\n");
}

/* /robots.txt: everything may be crawled but the newsroom and the
 * comment form's target; both sitemaps are named. */
int
site_robots(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	const char *base = site->cfg->base_url;
	int rc;

	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, req->pool, NULL, NULL, 0)))
		return rc;
	resp->content_type = "text/plain; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "public, max-age=3600");
	return buf_printf(&resp->body,
			  "User-agent: *\n"
			  "Disallow: /admin/\n"
			  "Disallow: /api/\n"
			  "Allow: /\n"
			  "\n"
			  "Sitemap: %s/sitemap.xml\n"
			  "Sitemap: %s/sitemap-news.xml\n",
			  base, base);
}
