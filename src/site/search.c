/*
 * search.c - /search?q=WORDS[&page=N]: the stories that hold every word,
 * best first, each with its headline and a snippet of its body, the
 * words found highlighted. Whatever is typed, the answer is a results
 * page or one friendly sentence, never an error: the words become an
 * FTS5 query by site_search_query, which FTS5 always accepts; bytes that
 * are not UTF-8 become U+FFFD; a query past the limits is cut, and the
 * page says so.
 *
 * Highlighting escapes the text first, then turns the store's markers
 * (U+0001 before a match, U+0002 after) into <mark> and </mark>, opened
 * and closed in pairs only, so no text of a story can unbalance the
 * markup. Results are not cached: a query is made anew each time. The
 * store ranks and counts the most recent STORE_SEARCH_MAX matches only;
 * past them the summary says "More than 1,000 stories match".
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

const char *
site_search_marked(struct pool *pool, const char *text)
{
	struct buf b;
	const char *p = text, *run = text, *r = NULL;
	bool open = false;

	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	for (;; p++) {
		if (*p != '\x01' && *p != '\x02' && *p != '\0')
			continue;
		if (render_escape_html(&b, run, (size_t)(p - run)))
			goto out;
		if (*p == '\0')
			break;
		if (*p == '\x01' && !open) {
			buf_puts(&b, "<mark>");
			open = true;
		} else if (*p == '\x02' && open) {
			buf_puts(&b, "</mark>");
			open = false;
		}
		run = p + 1;
	}
	if (open)
		buf_puts(&b, "</mark>");
	if (!b.err)
		r = pool_strndup(pool, b.data ? b.data : "", b.len);
out:
	buf_fini(&b);
	return r;
}

/* n with a comma between each three digits ("1,000"). Returns a string
 * in pool, or NULL when it is exhausted. */
static const char *
search_count(struct pool *pool, size_t n)
{
	char digits[24], out[32];
	size_t len = 0, i, j = 0;

	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (i = len; i > 0; i--) {
		out[j++] = digits[i - 1];
		if (i > 1 && (i - 1) % 3 == 0)
			out[j++] = ',';
	}
	return pool_strndup(pool, out, j);
}

/* One hit's view; eager: its thumbnail is the page's first (above the
 * fold), fetched at once. */
static struct render_val *
search_result(struct site *site, struct pool *pool,
	      const struct store_search_hit *h, bool eager)
{
	const struct store_article *a = &h->article;
	struct render_val *r = render_obj_new(pool);
	char human[DATE_MAX], iso[DATE_MAX];
	const char *snippet = *h->snippet ? site_search_marked(pool, h->snippet)
			    : "";

	date_format_human(a->published_at, human);
	date_format_iso(a->published_at, iso);
	if (!r || !snippet ||
	    render_obj_str(pool, r, "url", site_url_article(pool, a)) ||
	    render_obj_html(pool, r, "headline_html",
			    site_search_marked(pool, h->headline_marked)) ||
	    render_obj_html(pool, r, "snippet_html", *snippet ? snippet : NULL) ||
	    render_obj_str(pool, r, "lang", a->lang) ||
	    render_obj_str(pool, r, "date_human", pool_strdup(pool, human)) ||
	    render_obj_str(pool, r, "date_iso", pool_strdup(pool, iso)) ||
	    /* Set on every result, false when none (as on cards). */
	    render_obj_set(pool, r, "thumb", a->image
			   ? site_view_image(site, pool, a->image, eager
					     ? SITE_IMAGE_CARD_EAGER
					     : SITE_IMAGE_CARD)
			   : render_bool(pool, false)))
		return NULL;
	if (*a->section_slug &&
	    (render_obj_str(pool, r, "section_name", a->section_name) ||
	     render_obj_str(pool, r, "section_url", site_url_slug(pool,
			    "/section/", a->section_slug))))
		return NULL;
	return r;
}

int
site_search(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	const char *raw = http_req_query(req, "q");
	const char *page_arg = http_req_query(req, "page");
	const char *q, *summary = NULL, *note = NULL, *base;
	struct store_search_hit *hits = NULL;
	struct render_val *view, *s, *results;
	size_t per = site->cfg->per_page, n = 0, total = 0, terms = 0, i;
	uint64_t page = 1, pages = 1;
	struct buf match;
	bool cut = false, deep = false, capped = false, eager = true;
	int rc;

	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		page = 1;
	/* Deep pages cost the most and serve nobody: past the limit there
	 * is a sentence, not a query. */
	if (page > GZ_LIMIT_SEARCH_PAGES)
		deep = true;
	if (!(q = utf8_scrub(pool, raw ? raw : "")))
		return GZ_ENOMEM;
	buf_init(&match, 4 * GZ_LIMIT_SEARCH_BYTES + 4 * GZ_LIMIT_SEARCH_TERMS);
	rc = site_search_query(&match, q, &terms, &cut);
	if (rc == GZ_OK && !deep)
		rc = store_search(site->store, pool, site_now(), match.data,
				  per, (size_t)(page - 1) * per, &hits, &n,
				  &total, &capped);
	buf_fini(&match);
	if (rc == GZ_OK && deep) {
		summary = pool_printf(pool, "Only the first %u pages of results "
				      "are shown; add a word to find fewer "
				      "stories.", GZ_LIMIT_SEARCH_PAGES);
	} else if (rc == GZ_ENOTFOUND) {
		summary = "Type a word or two to search the news.";
	} else if (rc == GZ_EINVAL) {
		summary = "That search could not be read; try a few plain words.";
	} else if (rc != GZ_OK) {
		return rc;
	} else if (total == 0) {
		summary = pool_printf(pool, "No stories match “%s”. Try fewer "
				      "words, or other ones.", q);
	} else {
		const char *count = search_count(pool, total);

		if (!count)
			return GZ_ENOMEM;
		pages = (total + per - 1) / per;
		summary = page > pages
			? pool_printf(pool, "There are no more stories matching "
				      "“%s”.", q)
			: capped ? pool_printf(pool, "More than %s stories match "
					       "“%s”.", count, q)
			: total == 1 ? pool_printf(pool, "1 story matches “%s”.", q)
			: pool_printf(pool, "%s stories match “%s”.", count, q);
	}
	if (cut)
		note = terms == GZ_LIMIT_SEARCH_TERMS
			? pool_printf(pool, "Only the first %u words were "
				      "searched for.", GZ_LIMIT_SEARCH_TERMS)
			: pool_printf(pool, "Only the first %u characters were "
				      "searched for.", GZ_LIMIT_SEARCH_BYTES);
	view = site_view_page(site, req, *q ? pool_printf(pool, "Search: %s", q)
			      : "Search", NULL, NULL, NULL, &rc);
	if (!view)
		return rc;
	if (!summary || !(s = render_obj_new(pool)) ||
	    !(results = render_list_new(pool)) ||
	    render_obj_str(pool, view, "search_query", q) ||
	    render_obj_bool(pool, view, "noindex", true) ||
	    render_obj_str(pool, s, "summary", summary) ||
	    render_obj_str(pool, s, "note", note) ||
	    render_obj_set(pool, s, "results", results) ||
	    render_obj_set(pool, view, "search", s))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		if (render_list_push(pool, results, search_result(site, pool,
				     &hits[i], eager && hits[i].article.image)))
			return GZ_ENOMEM;
		if (hits[i].article.image)
			eager = false;
	}
	if (total && page <= pages) {
		struct buf b;

		buf_init(&b, GZ_LIMIT_PAGE_BYTES);
		buf_puts(&b, "/search?q=");
		render_escape_url(&b, q, strlen(q));
		base = b.err ? NULL : pool_strndup(pool, b.data, b.len);
		buf_fini(&b);
		if (!base)
			return GZ_ENOMEM;
		if ((rc = site_view_pagination(pool, view, base, page, pages)))
			return rc;
	}
	return site_render(site, resp, "search", view);
}
