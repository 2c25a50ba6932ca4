/*
 * site.c - the site's context and its routes.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "site/site.h"
#include "site/site_int.h"
#include "util/err.h"

/* A random marker for out[SITE_SPLICE_MAX]. */
static void
site_splice_marker(char *out)
{
	unsigned char r[16];

	randombytes_buf(r, sizeof(r));
	out[0] = 'g';
	out[1] = 'z';
	sodium_bin2hex(out + 2, SITE_SPLICE_MAX - 2, r, sizeof(r));
}

int
site_new(const struct config *cfg, struct store *st, const char *theme_dir,
	 struct site **out, char *err, size_t errlen)
{
	struct site *site;
	int rc;

	if (!(site = calloc(1, sizeof(*site))))
		return GZ_ENOMEM;
	site->cfg = cfg;
	site->store = st;
	site_splice_marker(site->splice_question);
	site_splice_marker(site->splice_spoken);
	site_splice_marker(site->splice_token);
	if ((rc = comments_new(&cfg->comments, cfg->secret,
			       &site->comments)) != GZ_OK) {
		snprintf(err, errlen, "comments: %s", gz_strerror(rc));
		free(site);
		return rc;
	}
	if ((rc = render_theme_load(theme_dir, site_view_names, &site->theme,
				    err, errlen)) != GZ_OK) {
		comments_free(site->comments);
		free(site);
		return rc;
	}
	site->stylesheet = render_theme_asset_url(site->theme, "style.css");
	{
		/* Tokens are base64 of a fixed-size payload: one length. */
		struct comments_challenge ch;

		comments_challenge_new(site->comments, 1, site_now(), &ch);
		site->token_len = strlen(ch.token);
	}
	*out = site;
	return GZ_OK;
}

void
site_free(struct site *site)
{
	if (!site)
		return;
	render_theme_free(site->theme);
	comments_free(site->comments);
	free(site);
}

int
site_routes_add(struct site *site, struct http_router *r)
{
	static const struct {
		const char *pattern;
		http_handler_fn fn;
	} routes[] = {
		{"/", site_front},
		{"/news/{id}/comments.atom", site_comments_feed},
		{"/comments.atom", site_comments_feed_all},
		{"/news/{id}", site_article},
		{"/news/{id}/{slug}", site_article},
		{"/section/{slug}", site_section},
		{"/tag/{slug}", site_tag},
		{"/static/{*}", site_static},
		{"/feed.atom", site_feed},
		{"/feed.rss", site_feed},
		{"/feed.json", site_feed},
		{"/section/{slug}/feed.atom", site_feed},
		{"/section/{slug}/feed.rss", site_feed},
		{"/section/{slug}/feed.json", site_feed},
		{"/tag/{slug}/feed.atom", site_feed},
		{"/tag/{slug}/feed.rss", site_feed},
		{"/tag/{slug}/feed.json", site_feed},
		{"/author/{slug}", site_author},
		{"/author/{slug}/feed.atom", site_feed},
		{"/author/{slug}/feed.rss", site_feed},
		{"/author/{slug}/feed.json", site_feed},
		{"/healthz", site_health},
		{"/search", site_search},
		{"/archive", site_archive_index},
		{"/archive/{year}/{month}", site_archive_month},
		{"/robots.txt", site_robots},
		{"/favicon.ico", site_favicon},
		{"/sitemap.xml", site_sitemap_index},
		{"/sitemap-pages.xml", site_sitemap_pages},
		{"/sitemap-articles.xml", site_sitemap_articles},
		{"/sitemap-news.xml", site_sitemap_news},
		{"/metrics", site_metrics},
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((rc = http_router_add(r, HTTP_GET, routes[i].pattern,
					  routes[i].fn, site)) != GZ_OK)
			return rc;
	return http_router_add(r, HTTP_POST, "/news/{id}/comments",
			       site_comment_post, site);
}
