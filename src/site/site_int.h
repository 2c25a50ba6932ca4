/*
 * site_int.h - what the page handlers in site/ share: the context's
 * layout, the common parts of every view model, and URL building.
 * No other module includes this file.
 */
#ifndef GZ_SITE_INT_H
#define GZ_SITE_INT_H

#include <stdint.h>

#include "http/http.h"
#include "render/render.h"
#include "store/store.h"

struct config;

struct site {
	const struct config *cfg;
	struct store *store;
	struct render_theme *theme;
	const char *stylesheet; /* fingerprinted URL of style.css */
};

/* Every name a template may use; the theme is checked against it at load
 * (view.c). */
extern const char *const site_view_names[];

/* Starts a page's view model with what every page has: site title and
 * language, page title, description, canonical link, stylesheet, section
 * navigation (current_section marked), year. canonical_path may be NULL.
 * Returns NULL when out of memory. */
struct render_val *site_view_page(struct site *site, struct http_req *req,
				  const char *page_title,
				  const char *description,
				  const char *canonical_path,
				  const char *current_section);
/* An article card for listings. Returns NULL when out of memory. */
struct render_val *site_view_card(struct site *site, struct pool *pool,
				  const struct store_article *a);
/* A list of cards. */
struct render_val *site_view_cards(struct site *site, struct pool *pool,
				   const struct store_article *items, size_t n);

/* "/news/12/council-approves" with the slug percent-encoded; the id stands
 * in for an empty slug. In the pool; NULL when out of memory. */
const char *site_url_article(struct pool *pool, const struct store_article *a);
/* The slug in an article's URL (the id when the slug is empty). */
const char *site_article_slug(struct pool *pool, const struct store_article *a);
/* prefix + percent-encoded slug, e.g. ("/section/", "city"). */
const char *site_url_slug(struct pool *pool, const char *prefix,
			  const char *slug);

/* Renders template tpl with view into resp as HTML. Returns GZ_OK or an
 * error. */
int site_render(struct site *site, struct http_resp *resp, const char *tpl,
		const struct render_val *view);

/* Now, in UTC seconds: what is published is what is visible now. */
int64_t site_now(void);

/* Handlers (one file each). */
int site_front(void *ctx, struct http_req *req, struct http_resp *resp);
int site_article(void *ctx, struct http_req *req, struct http_resp *resp);
int site_section(void *ctx, struct http_req *req, struct http_resp *resp);
int site_tag(void *ctx, struct http_req *req, struct http_resp *resp);
int site_static(void *ctx, struct http_req *req, struct http_resp *resp);
int site_health(void *ctx, struct http_req *req, struct http_resp *resp);

#endif
