/*
 * view_image.c - a photo (struct store_media) as pages, feeds and the API
 * show it: the URLs of its variants under /media/, srcset lists, the
 * variant a share preview or a feed enclosure names, the focal-point
 * classes of a card's crop, the view object the "picture" partial
 * renders, and which pictures are fetched at once (the ones above the
 * fold: an article's lead, the front page's lead, a listing's first
 * thumbnail) and which wait until the reader scrolls near (loading=lazy).
 *
 * Every URL comes from media_variant_name, so pages name exactly the
 * files media/ wrote and media_files.c serves. Variants exist at the
 * widths m->widths lists, in WebP and in the "fallback" format: the
 * original's when it is a JPEG or PNG, else WebP (media.h: a WebP or AVIF
 * original is served as WebP, and AVIF when the site asks).
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "media/media.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pool.h"

/* The width an article page's <img src> aims at: sharp in a 40rem column
 * on a 1.5x screen, for the browsers that read no srcset. */
#define IMAGE_SRC_WIDTH 960

const char *
site_image_ext(const struct store_media *m)
{
	if (strcmp(m->format, "jpeg") == 0 || strcmp(m->format, "png") == 0)
		return m->format;
	return "webp";
}

int
site_image_nearest(const struct store_media *m, int want)
{
	int best = media_width_nearest(m->widths, m->nwidths, want);

	return best ? best : m->width;
}

int
site_image_at_most(const struct store_media *m, int max)
{
	int best = media_width_at_most(m->widths, m->nwidths, max);

	return best ? best : m->width;
}

int
site_image_height(const struct store_media *m, int width)
{
	int64_t h;

	if (m->width <= 0 || width == m->width)
		return m->height;
	/* Rounded to the nearest pixel, as the resize does. */
	h = ((int64_t)m->height * width + m->width / 2) / m->width;
	return h < 1 ? 1 : (int)h;
}

const char *
site_image_path(struct pool *pool, const struct store_media *m, int width,
		const char *ext)
{
	char name[MEDIA_NAME_MAX];

	media_variant_name(m->hash, width, ext, name);
	if (!*name)
		return NULL;
	return pool_printf(pool, "/media/%s", name);
}

const char *
site_image_srcset(struct pool *pool, const struct store_media *m,
		  const char *ext)
{
	char name[MEDIA_NAME_MAX];
	struct buf b;
	const char *r;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < m->nwidths; i++) {
		media_variant_name(m->hash, m->widths[i], ext, name);
		buf_printf(&b, "%s/media/%s %dw", i ? ", " : "", name,
			   m->widths[i]);
	}
	r = b.err || !b.len ? NULL : pool_strndup(pool, b.data, b.len);
	buf_fini(&b);
	return r;
}

void
site_image_focal(const struct store_media *m, char *out, size_t size)
{
	int fx = m->focal_x, fy = m->focal_y;

	/* The store clamps to 0..1000; a row from elsewhere is clamped
	 * here too, so the class always exists in the stylesheet. */
	fx = fx < 0 ? 0 : fx > 1000 ? 1000 : fx;
	fy = fy < 0 ? 0 : fy > 1000 ? 1000 : fy;
	snprintf(out, size, "fx%d fy%d", (fx + 50) / 100, (fy + 50) / 100);
}

/* What each use of a picture asks of it: the sizes attribute, matching
 * the column style.css gives it; whether the browser may wait to fetch
 * it; whether its alt is the image's own or "" (it stands beside a link
 * that names the story, so alt text would say it twice: WCAG H2, "an
 * image... redundant with the adjacent link text"); and the img's class. */
static const struct {
	const char *sizes;
	bool lazy, decorative, focal;
	const char *cls;
} image_uses[] = {
	[SITE_IMAGE_ARTICLE] = {"(min-width: 42rem) 40rem, calc(100vw - 2rem)",
				false, false, false, "lead-image"},
	[SITE_IMAGE_FRONT_LEAD] = {"(min-width: 48rem) 46rem, calc(100vw - 2rem)",
				   false, true, true, "front-image"},
	[SITE_IMAGE_CARD] = {"(min-width: 72rem) 22rem, (min-width: 40rem) "
			     "calc(50vw - 2rem), calc(100vw - 2rem)",
			     true, true, true, "card-thumb"},
	[SITE_IMAGE_CARD_EAGER] = {"(min-width: 72rem) 22rem, (min-width: 40rem) "
				   "calc(50vw - 2rem), calc(100vw - 2rem)",
				   false, true, true, "card-thumb"},
};

struct render_val *
site_view_image(struct site *site, struct pool *pool,
		const struct store_media *m, enum site_image_use use)
{
	struct render_val *v = render_obj_new(pool);
	const char *ext = site_image_ext(m), *cls;
	int src_w = site_image_nearest(m, IMAGE_SRC_WIDTH);
	char focal[16];
	bool avif = m->avif && site->cfg->media_avif;
	bool decorative = image_uses[use].decorative || m->decorative;

	if (!v)
		return NULL;
	site_image_focal(m, focal, sizeof(focal));
	cls = image_uses[use].focal
		? pool_printf(pool, "%s %s", image_uses[use].cls, focal)
		: image_uses[use].cls;
	if (render_obj_str(pool, v, "src", site_image_path(pool, m, src_w, ext)) ||
	    render_obj_str(pool, v, "srcset", site_image_srcset(pool, m, ext)) ||
	    /* WebP as its own <source> only when the fallback is another
	     * format (a WebP fallback already is it); "" when none, so
	     * that no enclosing context's shows through. */
	    render_obj_str(pool, v, "srcset_webp", strcmp(ext, "webp") != 0
			   ? site_image_srcset(pool, m, "webp") : "") ||
	    render_obj_str(pool, v, "srcset_avif", avif
			   ? site_image_srcset(pool, m, "avif") : "") ||
	    render_obj_str(pool, v, "sizes", image_uses[use].sizes) ||
	    render_obj_int(pool, v, "width", m->width) ||
	    render_obj_int(pool, v, "height", m->height) ||
	    /* "" is the alt of a decorative image: set, so that no
	     * enclosing context's alt shows through. */
	    render_obj_str(pool, v, "alt", decorative ? "" : m->alt) ||
	    render_obj_bool(pool, v, "decorative", decorative) ||
	    render_obj_str(pool, v, "caption", m->caption ? m->caption : "") ||
	    render_obj_str(pool, v, "credit", m->credit ? m->credit : "") ||
	    render_obj_str(pool, v, "img_class", cls) ||
	    render_obj_bool(pool, v, "lazy", image_uses[use].lazy))
		return NULL;
	if (!render_obj_get(v, "src") || !render_obj_get(v, "srcset") ||
	    !render_obj_get(v, "img_class"))
		return NULL; /* a name that did not fit: out of memory */
	return v;
}

/* A share preview wants a JPEG or PNG (not every reader of og:image takes
 * WebP) about 1200 wide: MEDIA_SHARE_WIDTH. */
struct render_val *
site_view_og_image(struct site *site, struct pool *pool,
		   const struct store_media *m)
{
	struct render_val *v = render_obj_new(pool);
	int w = site_image_at_most(m, MEDIA_SHARE_WIDTH);
	const char *path = site_image_path(pool, m, w, site_image_ext(m));

	if (!v || !path ||
	    render_obj_str(pool, v, "url", pool_printf(pool, "%s%s",
			   site->cfg->base_url, path)) ||
	    render_obj_int(pool, v, "width", w) ||
	    render_obj_int(pool, v, "height", site_image_height(m, w)) ||
	    render_obj_str(pool, v, "alt", m->decorative ? "" : m->alt))
		return NULL;
	return v;
}
