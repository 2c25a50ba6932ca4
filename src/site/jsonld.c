/*
 * jsonld.c - the structured data of an article page: a schema.org
 * NewsArticle and the BreadcrumbList that leads to it, as the JSON-LD in
 * the page's head, made with jansson, with the article's corrections as
 * schema.org "correction"s; and the plain-text excerpt that describes a
 * page without a summary.
 *
 * The JSON goes inside <script type="application/ld+json">, where an HTML
 * parser ends the element at the first "</script" and treats "<!--"
 * specially. jansson escapes "/" (JSON_ESCAPE_SLASH); then every '<',
 * '>' and '&', which in JSON can only stand inside a string, is written
 * as its \u escape, so no headline or name can end the element or start
 * markup. The result is still the same JSON.
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

static int
ld_str(json_t *o, const char *key, const char *s)
{
	if (!s || !*s)
		return 0;
	return json_object_set_new(o, key, json_string(s));
}

static int
ld_date(json_t *o, const char *key, int64_t t)
{
	char d[DATE_MAX];

	date_format_iso(t, d);
	return ld_str(o, key, d);
}

/* {"@type": type, "name": name, "url": url} */
static json_t *
ld_thing(const char *type, const char *name, const char *url)
{
	json_t *o = json_object();

	if (!o || ld_str(o, "@type", type) || ld_str(o, "name", name) ||
	    ld_str(o, "url", url)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One ListItem of a BreadcrumbList. */
static int
ld_crumb(json_t *list, int pos, const char *name, const char *url)
{
	json_t *o = json_object();

	if (!o || ld_str(o, "@type", "ListItem") ||
	    json_object_set_new(o, "position", json_integer(pos)) ||
	    ld_str(o, "name", name) || ld_str(o, "item", url)) {
		json_decref(o);
		return -1;
	}
	return json_array_append_new(list, o);
}

/* The names a byline gives (store_byline_names), as Persons; without a
 * byline the publisher is the author. */
static json_t *
ld_authors(struct pool *pool, const char *byline, json_t *publisher)
{
	const char *names[GZ_LIMIT_AUTHORS];
	json_t *list = json_array();
	size_t n = 0, i;

	if (!list || store_byline_names(pool, byline, names, GZ_LIMIT_AUTHORS,
					&n) != GZ_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, ld_thing("Person", names[i],
							  NULL)))
			goto fail;
	if (n == 0 && json_array_append(list, publisher))
		goto fail;
	return list;
fail:
	json_decref(list);
	return NULL;
}

/* The article's authors as Persons with the URL of their page. */
static json_t *
ld_people(struct site *site, struct pool *pool, const struct store_article *a)
{
	json_t *list = json_array();
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < a->nauthors; i++)
		if (json_array_append_new(list, ld_thing("Person",
				a->authors[i].name, pool_printf(pool, "%s%s",
				site->cfg->base_url, site_url_slug(pool,
				"/author/", a->authors[i].slug))))) {
			json_decref(list);
			return NULL;
		}
	return list;
}

/* Appends text, its '<', '>' and '&' as \u escapes. */
static int
ld_put_safe(struct buf *out, const char *text)
{
	const char *run = text, *p;
	int rc;

	for (p = text; *p; p++) {
		const char *rep = *p == '<' ? "\\u003c" : *p == '>' ? "\\u003e"
				: *p == '&' ? "\\u0026" : NULL;

		if (!rep)
			continue;
		if ((rc = buf_append(out, run, (size_t)(p - run))) ||
		    (rc = buf_puts(out, rep)))
			return rc;
		run = p + 1;
	}
	return buf_puts(out, run);
}

int
site_jsonld_article(struct site *site, struct pool *pool,
		    const struct store_article *a, const char *canonical,
		    const char *description, const char **out)
{
	return site_jsonld_article_corrected(site, pool, a, canonical,
					     description, NULL, 0, out);
}

/* schema.org's correction: one CorrectionComment per correction, oldest
 * first, as the page lists them. */
static int
ld_corrections(json_t *art, const struct store_correction *c, size_t n)
{
	json_t *list, *o;
	size_t i;

	if (!n)
		return 0;
	if (!(list = json_array()) || json_object_set_new(art, "correction",
							 list))
		return -1;
	for (i = 0; i < n; i++) {
		if (!(o = json_object()) || json_array_append_new(list, o) ||
		    ld_str(o, "@type", "CorrectionComment") ||
		    ld_str(o, "text", c[i].text) ||
		    ld_date(o, "datePublished", c[i].created_at))
			return -1;
	}
	return 0;
}

int
site_jsonld_article_corrected(struct site *site, struct pool *pool,
			      const struct store_article *a,
			      const char *canonical, const char *description,
			      const struct store_correction *corrections,
			      size_t ncorrections, const char **out)
{
	const struct config *cfg = site->cfg;
	const char *home = pool_printf(pool, "%s/", cfg->base_url);
	const char *logo = render_theme_asset_url(site->theme, "logo.png");
	const char *share;
	json_t *root = json_array(), *art = json_object(), *pub = NULL;
	json_t *crumbs = json_object(), *items = json_array(), *o;
	struct buf b;
	char *text = NULL;
	int rc = GZ_ENOMEM;

	*out = NULL;
	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	if (!home || !root || !art || !crumbs || !items ||
	    !(pub = ld_thing("NewsMediaOrganization", cfg->title, home)))
		goto out;
	if (logo) {
		if (!(o = json_object()) || ld_str(o, "@type", "ImageObject") ||
		    ld_str(o, "url", pool_printf(pool, "%s%s", cfg->base_url,
						 logo)) ||
		    json_object_set_new(pub, "logo", o))
			goto out;
	}
	if (ld_str(art, "@context", "https://schema.org") ||
	    ld_str(art, "@type", "NewsArticle") ||
	    ld_str(art, "headline", a->headline) ||
	    ld_str(art, "description", description) ||
	    ld_date(art, "datePublished", a->published_at) ||
	    ld_date(art, "dateModified", a->updated_at > a->published_at
					 ? a->updated_at : a->published_at) ||
	    json_object_set_new(art, "author", a->nauthors
				? ld_people(site, pool, a)
				: ld_authors(pool, a->byline, pub)) ||
	    json_object_set(art, "publisher", pub) ||
	    ld_str(art, "articleSection", a->section_name) ||
	    ld_str(art, "inLanguage", a->lang) ||
	    !(o = json_object()) || json_object_set_new(art, "mainEntityOfPage", o) ||
	    ld_str(o, "@type", "WebPage") || ld_str(o, "@id", canonical) ||
	    ld_str(art, "url", canonical) ||
	    json_object_set_new(art, "isAccessibleForFree", json_true()) ||
	    ld_corrections(art, corrections, ncorrections))
		goto out;
	/* Google wants an image of a story: its lead photo (the variant the
	 * share preview names), else the theme's share picture. */
	if (a->image) {
		const struct store_media *m = a->image;
		int w = site_image_at_most(m, MEDIA_SHARE_WIDTH);
		const char *path = site_image_path(pool, m, w, site_image_ext(m));

		if (!path || !(o = json_object()) ||
		    json_object_set_new(art, "image", o) ||
		    ld_str(o, "@type", "ImageObject") ||
		    ld_str(o, "url", pool_printf(pool, "%s%s", cfg->base_url,
						 path)) ||
		    json_object_set_new(o, "width", json_integer(w)) ||
		    json_object_set_new(o, "height",
					json_integer(site_image_height(m, w))) ||
		    ld_str(o, "caption", m->caption) ||
		    ld_str(o, "creditText", m->credit) ||
		    (!m->decorative && ld_str(o, "description", m->alt)))
			goto out;
	} else if ((share = render_theme_asset_url(site->theme, "share.png")) &&
	    (!(o = json_object()) || json_object_set_new(art, "image", o) ||
	     ld_str(o, "@type", "ImageObject") ||
	     ld_str(o, "url", pool_printf(pool, "%s%s", cfg->base_url, share)) ||
	     json_object_set_new(o, "width", json_integer(1200)) ||
	     json_object_set_new(o, "height", json_integer(630))))
		goto out;
	if (a->ntags) {
		json_t *kw = json_array();
		size_t i;

		if (!kw || json_object_set_new(art, "keywords", kw))
			goto out;
		for (i = 0; i < a->ntags; i++)
			if (json_array_append_new(kw, json_string(a->tags[i].name)))
				goto out;
	}
	if (ld_str(crumbs, "@context", "https://schema.org") ||
	    ld_str(crumbs, "@type", "BreadcrumbList") ||
	    json_object_set(crumbs, "itemListElement", items) ||
	    ld_crumb(items, 1, cfg->title, home))
		goto out;
	if (*a->section_slug &&
	    ld_crumb(items, 2, a->section_name, pool_printf(pool, "%s%s",
		     cfg->base_url, site_url_slug(pool, "/section/",
						  a->section_slug))))
		goto out;
	if (ld_crumb(items, (int)json_array_size(items) + 1, a->headline,
		     canonical) ||
	    json_array_append(root, art) || json_array_append(root, crumbs))
		goto out;
	if (!(text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
					      JSON_ESCAPE_SLASH)))
		goto out;
	if ((rc = ld_put_safe(&b, text)) == GZ_OK &&
	    !(*out = pool_strndup(pool, b.data, b.len)))
		rc = GZ_ENOMEM;
out:
	free(text);
	buf_fini(&b);
	json_decref(pub);
	json_decref(items);
	json_decref(crumbs);
	json_decref(art);
	json_decref(root);
	return rc;
}

const char *
site_text_excerpt(struct pool *pool, const char *html, size_t max)
{
	struct buf b;
	const char *r = NULL;
	size_t len;

	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	if (render_html_text(&b, html) != GZ_OK)
		goto out;
	len = b.len;
	if (len > max) {
		/* Back to the last whole word that fits... */
		len = max;
		while (len && b.data[len] != ' ')
			len--;
		/* ...or, for one long word, to the last whole character. */
		if (!len) {
			size_t bad = 0;

			len = max;
			if (!utf8_valid(b.data, len, &bad))
				len = bad;
		}
		r = pool_printf(pool, "%.*s…", (int)len, b.data);
		goto out;
	}
	r = pool_strndup(pool, b.data ? b.data : "", b.len);
out:
	buf_fini(&b);
	return r;
}
