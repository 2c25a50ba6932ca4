/*
 * site.c - the site's context and its routes.
 */
#include <stdlib.h>

#include "config/config.h"
#include "site/site.h"
#include "site/site_int.h"
#include "util/err.h"

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
	if ((rc = render_theme_load(theme_dir, site_view_names, &site->theme,
				    err, errlen)) != GZ_OK) {
		free(site);
		return rc;
	}
	site->stylesheet = render_theme_asset_url(site->theme, "style.css");
	*out = site;
	return GZ_OK;
}

void
site_free(struct site *site)
{
	if (!site)
		return;
	render_theme_free(site->theme);
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
		{"/news/{id}", site_article},
		{"/news/{id}/{slug}", site_article},
		{"/section/{slug}", site_section},
		{"/tag/{slug}", site_tag},
		{"/static/{*}", site_static},
		{"/healthz", site_health},
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((rc = http_router_add(r, HTTP_GET, routes[i].pattern,
					  routes[i].fn, site)) != GZ_OK)
			return rc;
	return GZ_OK;
}
