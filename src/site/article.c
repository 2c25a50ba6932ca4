/*
 * article.c - the article page, /news/{id}/{slug}: the page we exist to
 * serve (design.md section 1).
 *
 * The id finds the article; the slug is decoration. A wrong or missing
 * slug answers 301 to the canonical URL, so old links keep working when a
 * headline is corrected and every article has one address for caches and
 * search engines.
 *
 * Corrections an editor appended are shown in a notice after the body
 * and carried by the JSON-LD. The newsroom's preview (site_article_preview)
 * is the same page with a banner, no comments, and nothing cached.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define ARTICLE_RELATED 4
/* A description made from the body: search engines show about this. */
#define ARTICLE_EXCERPT 160

const char *
site_article_html(struct pool *pool, const struct store_article *a, int *rc)
{
	struct buf b;
	const char *r = NULL;

	*rc = GZ_OK;
	if (a->body_html && a->html_version == RENDER_MD_VERSION)
		return a->body_html;
	/* The same bytes the import stores (render_article_html). */
	buf_init(&b, GZ_LIMIT_MARKDOWN_BYTES);
	*rc = render_article_html(a->body, strlen(a->body), a->dateline,
				  a->body_trusted, &b);
	if (*rc == GZ_OK && !(r = pool_strndup(pool, b.data ? b.data : "", b.len)))
		*rc = GZ_ENOMEM;
	buf_fini(&b);
	return r;
}

static struct render_val *
article_tags(struct site *site, struct pool *pool,
	     const struct store_article *a)
{
	struct render_val *list = render_list_new(pool), *t;
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < a->ntags; i++) {
		if (!(t = render_obj_new(pool)) ||
		    render_obj_str(pool, t, "name", a->tags[i].name) ||
		    render_obj_str(pool, t, "url", site_url_slug(pool, "/tag/",
				   a->tags[i].slug)) ||
		    render_list_push(pool, list, t))
			return NULL;
	}
	return list;
}

/* The head's article metadata: og:type article, its dates, section and
 * tags, and the JSON-LD. url is the page's path. */
static int
article_meta(struct site *site, struct pool *pool, struct render_val *view,
	     const struct store_article *a, const char *url,
	     const char *description, const struct store_correction *corr,
	     size_t ncorr)
{
	const char *canonical = pool_printf(pool, "%s%s", site->cfg->base_url,
					    url);
	struct render_val *meta = render_obj_new(pool);
	char pub[DATE_MAX], mod[DATE_MAX];
	const char *jsonld = NULL;
	int rc;

	if (!canonical || !meta)
		return GZ_ENOMEM;
	date_format_iso(a->published_at, pub);
	date_format_iso(a->updated_at > a->published_at ? a->updated_at
							: a->published_at, mod);
	if ((rc = site_jsonld_article_corrected(site, pool, a, canonical,
						description, corr, ncorr,
						&jsonld)))
		return rc;
	if (render_obj_str(pool, meta, "published_iso", pool_strdup(pool, pub)) ||
	    render_obj_str(pool, meta, "modified_iso", pool_strdup(pool, mod)) ||
	    render_obj_str(pool, meta, "section",
			   *a->section_name ? a->section_name : NULL) ||
	    render_obj_set(pool, meta, "tags", article_tags(site, pool, a)) ||
	    render_obj_set(pool, view, "article_meta", meta) ||
	    render_obj_str(pool, view, "og_type", "article") ||
	    render_obj_html(pool, view, "jsonld", jsonld))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* The byline as links to the authors' pages, when the byline is "By "
 * and their names: sets "byline_authors" and "authors" [name, url, sep]
 * on obj, where sep comes before each name ("", ", " or " and "). */
static int
article_byline(struct pool *pool, struct render_val *obj,
	       const struct store_article *a)
{
	struct render_val *list, *item;
	size_t i;

	if (!a->nauthors || (strncmp(a->byline, "By ", 3) != 0 &&
			     strncmp(a->byline, "by ", 3) != 0))
		return GZ_OK;
	if (!(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < a->nauthors; i++) {
		const char *sep = i == 0 ? "" : i + 1 == a->nauthors ? " and "
			: ", ";

		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", a->authors[i].name) ||
		    render_obj_str(pool, item, "url", site_url_slug(pool,
				   "/author/", a->authors[i].slug)) ||
		    render_obj_str(pool, item, "sep", sep) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	}
	if (render_obj_bool(pool, obj, "byline_authors", true) ||
	    render_obj_set(pool, obj, "authors", list))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* "corrections" on obj: each one's date (site zone) and text, oldest
 * first. */
static int
article_corrections(struct pool *pool, struct render_val *obj,
		    const struct store_correction *c, size_t n)
{
	struct render_val *list, *item;
	char human[DATE_MAX], iso[DATE_MAX];
	size_t i;

	if (!n)
		return GZ_OK;
	if (!(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		date_format_human(c[i].created_at, human);
		date_format_iso(c[i].created_at, iso);
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "date_human",
				   pool_strdup(pool, human)) ||
		    render_obj_str(pool, item, "date_iso",
				   pool_strdup(pool, iso)) ||
		    render_obj_str(pool, item, "text", c[i].text) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	}
	if (render_obj_bool(pool, obj, "has_corrections", true) ||
	    render_obj_set(pool, obj, "corrections", list))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* The only query an article page takes whole (and may be kept with). */
static const char *const cacheable_query[] = {"comments", NULL};

/* Keys the article page is kept under: the article, its related ones
 * (site_cache_keys) and its section. Returns GZ_OK or an error. */
static int
article_cache_keys(struct http_req *req, struct http_resp *resp,
		   const struct store_article *a,
		   const struct store_article *related, size_t nrelated)
{
	struct pool *pool = req->pool;
	int rc;

	if ((rc = site_cache_keys(resp, pool, pool_printf(pool, "article:%lld",
				  (long long)a->id), related, nrelated)))
		return rc;
	if (!*a->section_slug)
		return GZ_OK;
	return site_cache_keys(resp, pool, pool_printf(pool, "section:%s",
				a->section_slug), NULL, 0);
}

/* The key of the page that holds its reader's challenge: every comment
 * taken, even one held for moderation, fires it (store/comment.c), since
 * the page's ETag counts them; the ESI page, whose challenge comes
 * apart, does not carry it. */
static int
article_form_key(struct http_req *req, struct http_resp *resp,
		 const struct store_article *a)
{
	int rc = http_resp_cache_key(resp, req->pool,
				     pool_printf(req->pool, "article-form:%lld",
						 (long long)a->id));

	return rc == GZ_ETOOBIG ? GZ_OK : rc;
}

/*
 * An article page behind an edge that speaks ESI (site_challenge_esi):
 * the page holds no per-reader bytes, its challenge being an
 * <esi:include> (when has_form), so gazette's cache and the edge may both
 * keep it, under the keys gazette's cache gives it; the server sends
 * the edge's headers (Surrogate-Control for the include, Surrogate-Key,
 * the [edge] Cache-Control) with it, cached or not. A query the page does
 * not take whole is not kept: no-cache.
 */
static int
article_edge(struct http_req *req, struct http_resp *resp,
	     const struct store_article *a, const struct store_article *related,
	     size_t nrelated, bool has_form)
{
	resp->esi = has_form;
	if (!http_req_query_only(req, cacheable_query))
		return http_resp_header(resp, "Cache-Control", "no-cache");
	return article_cache_keys(req, resp, a, related, nrelated);
}

static int article_page(struct site *site, struct http_req *req,
			struct http_resp *resp, const struct store_article *ap,
			const struct site_comment_form *form, bool preview);

int
site_article(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article a;
	const char *url, *slug;
	uint64_t id;
	int rc;

	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_article_get(site->store, pool, (int64_t)id, site_now(),
				    &a)) != GZ_OK)
		return rc;
	if (!(url = site_url_article(pool, &a)) ||
	    !(slug = site_article_slug(pool, &a)))
		return GZ_ENOMEM;
	if (req->nparams < 2 || strcmp(req->params[1], slug) != 0) {
		http_resp_header(resp, "Cache-Control", "public, max-age=3600");
		return http_resp_redirect(resp, 301, url);
	}
	return site_article_page(site, req, resp, &a, NULL);
}

int
site_article_page(struct site *site, struct http_req *req,
		  struct http_resp *resp, const struct store_article *ap,
		  const struct site_comment_form *form)
{
	return article_page(site, req, resp, ap, form, false);
}

int
site_article_preview(struct site *site, struct http_req *req,
		     struct http_resp *resp, const struct store_article *a)
{
	int rc;

	if ((rc = article_page(site, req, resp, a, NULL, true)) != GZ_OK)
		return rc;
	if ((rc = http_resp_header(resp, "Cache-Control", "no-store")) ||
	    (rc = http_resp_header(resp, "X-Robots-Tag", "noindex")))
		return rc;
	return GZ_OK;
}

static int
article_page(struct site *site, struct http_req *req, struct http_resp *resp,
	     const struct store_article *ap,
	     const struct site_comment_form *form, bool preview)
{
	struct pool *pool = req->pool;
	struct store_article a = *ap, *related = NULL;
	struct store_correction *corr = NULL;
	size_t ncorr = 0;
	struct store_article_query q = {0};
	struct render_val *view, *obj, *card;
	const char *etag;
	int64_t activity = 0;
	const char *url, *body, *description;
	size_t nrelated = 0;
	bool has_form = false;
	int rc;

	if (!(url = site_url_article(pool, &a)))
		return GZ_ENOMEM;
	/* The HTML made when the article was stored; rendered here only for
	 * an article stored before that, until the start-up refresh. */
	if (!(body = site_article_html(pool, &a, &rc)))
		return rc;

	q.section_slug = *a.section_slug ? a.section_slug : NULL;
	q.now = site_now();
	q.exclude_id = a.id;
	q.limit = ARTICLE_RELATED;
	if ((rc = store_article_list(site->store, pool, &q, &related,
				     &nrelated, NULL)) != GZ_OK)
		return rc;
	/* An article not yet stored (a preview of what is typed) has none. */
	if (a.id && (rc = store_correction_list(site->store, pool, a.id,
						&corr, &ncorr)) != GZ_OK)
		return rc;

	/* A story without a summary is described by its first words. */
	if (!(description = *a.summary ? a.summary
			    : site_text_excerpt(pool, body, ARTICLE_EXCERPT)))
		return GZ_ENOMEM;
	view = site_view_page(site, req, a.headline, description, url,
			      *a.section_slug ? a.section_slug : NULL, &rc);
	if (!view)
		return rc;
	if (!(obj = site_view_card(site, pool, &a)))
		return GZ_ENOMEM;
	if ((rc = article_meta(site, pool, view, &a, url, description, corr,
			       ncorr)))
		return rc;
	if ((rc = article_corrections(pool, obj, corr, ncorr)))
		return rc;
	if (preview && (render_obj_bool(pool, view, "preview", true) ||
			render_obj_bool(pool, view, "noindex", true)))
		return GZ_ENOMEM;
	/* The page is in the story's language, its title and description
	 * too: the html element says so (the site's furniture around it is
	 * short and mostly names). */
	if (render_obj_str(pool, view, "site_lang", a.lang))
		return GZ_ENOMEM;
	/* The lead photo, above the fold: fetched at once, and the page's
	 * share picture. */
	if (a.image &&
	    (render_obj_set(pool, obj, "image", site_view_image(site, pool,
			    a.image, SITE_IMAGE_ARTICLE)) ||
	     render_obj_set(pool, obj, "thumb", render_bool(pool, false)) ||
	     render_obj_set(pool, view, "og_image",
			    site_view_og_image(site, pool, a.image))))
		return GZ_ENOMEM;
	if (!a.image && render_obj_set(pool, obj, "image", render_bool(pool, false)))
		return GZ_ENOMEM;
	if (render_obj_str(pool, obj, "dateline", *a.dateline ? a.dateline : NULL) ||
	    render_obj_html(pool, obj, "body_html", body) ||
	    render_obj_set(pool, obj, "tags", article_tags(site, pool, &a)) ||
	    article_byline(pool, obj, &a) ||
	    render_obj_set(pool, view, "article", obj))
		return GZ_ENOMEM;
	/* "Updated" only for a change made after the article was first
	 * stored and well after publication: importing an old story is not
	 * an update, and fixing a typo minutes later is not news. */
	if (a.updated_at > a.created_at + 600 &&
	    a.updated_at > a.published_at + 600) {
		char human[DATE_MAX], iso[DATE_MAX];

		date_format_human(a.updated_at, human);
		date_format_iso(a.updated_at, iso);
		if (render_obj_bool(pool, obj, "updated", true) ||
		    render_obj_str(pool, obj, "updated_human", pool_strdup(pool, human)) ||
		    render_obj_str(pool, obj, "updated_iso", pool_strdup(pool, iso)))
			return GZ_ENOMEM;
	}
	if (nrelated) {
		if (!(card = site_view_cards(site, pool, related, nrelated)) ||
		    render_obj_set(pool, view, "related", card))
			return GZ_ENOMEM;
	}
	if (!preview && (rc = site_comments_view(site, req, &a, url, view, form,
						 &has_form)) != GZ_OK)
		return rc;
	if ((rc = site_render(site, resp, "article", view)) != GZ_OK)
		return rc;
	if (preview)
		return GZ_OK;
	/* The ETag covers the page, not the challenge: every response gets
	 * its own question and token in the slots below. It also changes
	 * with the article's comment activity: a reader who has just
	 * commented revalidates into a fresh form rather than their kept
	 * copy, whose token is spent. */
	if ((rc = store_comment_activity(site->store, a.id, &activity)) != GZ_OK)
		return rc;
	if (!(etag = http_etag(pool, resp->body.data, resp->body.len)) ||
	    !(etag = pool_printf(pool, "%s%lld", etag, (long long)activity)) ||
	    (rc = http_resp_header(resp, "ETag", http_etag(pool, etag,
							   strlen(etag)))))
		return rc ? rc : GZ_ENOMEM;
	if (site_challenge_esi(site, form))
		return article_edge(req, resp, &a, related, nrelated,
				    has_form);
	/* A shared cache must not keep the page: a token works once. */
	http_resp_header(resp, "Cache-Control", "private, no-cache");
	/* The same page for every reader, but for the challenge, may be
	 * kept in gazette's own cache; a page answering a submission, or a
	 * query it does not take whole (?reply=, ?held=), is made anew. */
	if (!form && http_req_query_only(req, cacheable_query) &&
	    ((rc = article_cache_keys(req, resp, &a, related, nrelated)) ||
	     (rc = article_form_key(req, resp, &a))))
		return rc;
	if (!has_form)
		return GZ_OK; /* comments closed: no form, nothing to fill */
	return site_challenge_slots(site, resp, a.id, form && form->backdate);
}
