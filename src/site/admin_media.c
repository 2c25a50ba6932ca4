/*
 * admin_media.c - the newsroom's photo library: GET /admin/media (the
 * grid of thumbnails, searched and paged, with the upload form), POST
 * /admin/media (an upload), GET and POST /admin/media/{id} (an image's
 * alt text, caption, credit and focal point, with where it is used and
 * the Markdown to put it in a body), GET and POST /admin/media/{id}/delete.
 *
 * Data flow of an upload: the gate (session, Origin, csrf, role) and the
 * form's words are checked first, so a refused upload decodes nothing;
 * then the request is suspended and media_ingest runs on the upload
 * worker (admin_upload.c), reading the file from the request's pool and
 * writing the variant files under the site's media directory; the
 * handler, called again, records the image with store_media_add and its
 * audit entry in one transaction, and answers 303 to the image's page.
 * A refused file is the form again, 422, the words as typed and
 * media_ingest's one sentence; nothing is stored (variant files of a
 * good image whose row then failed are harmless: named by content, they
 * are what a retry writes again).
 *
 * Roles (docs/admin.md): media-upload (writers too) sees the library,
 * uploads, and changes the words of its own uploads; media-edit-any
 * (editors, admins) changes any image's and deletes unused ones (used:
 * an article's lead image, or in its body), whose variant files go with
 * the row once its delete has committed.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "media/media.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/utf8.h"

/* The card crop the edit page previews: width and height of the ratio
 * cards on the front and listings show (3:2). */
#define MEDIA_CARD_W 3
#define MEDIA_CARD_H 2
/* How many articles the edit page lists as using an image. */
#define MEDIA_USES_SHOWN 50u

static const char media_accept[] =
	"image/jpeg,image/png,image/webp,image/gif,image/avif";

/* The words of an image as a form sends them: trimmed, each problem one
 * sentence on its field. */
struct media_words {
	const char *alt, *caption, *credit;
	bool decorative;
	int focal_x, focal_y;       /* percent, 0..100 (edit form only) */
	const char *problem;        /* the first problem, one sentence */
	const char *problem_field;  /* "file", "alt", "caption", "credit",
				     * "focal_x", "focal_y" */
};

static void
media_problem(struct media_words *w, const char *field, const char *text)
{
	if (w->problem)
		return; /* one sentence: the first thing to fix */
	w->problem = text;
	w->problem_field = field;
}

/* A text field: "" when absent, trimmed. "" with a problem when too
 * long or not UTF-8; as typed with a problem when it holds a character
 * utf8_find_line_control finds (alt text, captions and credits are one
 * line on a page: a tab or a line break is refused, not folded). In
 * pool; errors only GZ_ENOMEM. */
static int
media_text(struct http_req *req, const char *name, struct media_words *w,
	   const char **out)
{
	const char *v = http_req_form(req, name);
	const char *what = strcmp(name, "alt") == 0 ? "The alt text"
			   : strcmp(name, "caption") == 0 ? "The caption"
			   : "The credit";
	size_t len;
	unsigned cp = 0;

	*out = "";
	if (!v)
		return GZ_OK;
	len = strlen(v);
	if (len > GZ_LIMIT_MEDIA_TEXT_BYTES) {
		media_problem(w, name, "This is longer than 1,024 bytes: "
			      "shorten it.");
		return GZ_OK;
	}
	if (!utf8_valid(v, len, NULL)) {
		media_problem(w, name, "This is not valid UTF-8 text.");
		return GZ_OK;
	}
	while (len && strchr(" \t\r\n", v[0])) {
		v++;
		len--;
	}
	while (len && strchr(" \t\r\n", v[len - 1]))
		len--;
	/* Kept as typed, with the sentence, for the form shown again. */
	if (!(*out = pool_strndup(req->pool, v, len)))
		return GZ_ENOMEM;
	if (utf8_find_line_control(v, len, &cp) < len) {
		const char *p = cp == '\t' || cp == '\n' || cp == '\r'
			? pool_printf(req->pool, "%s has a line break or a tab: "
				      "keep it on one line.", what)
			: pool_printf(req->pool, "%s has an invisible control "
				      "or text-direction character (U+%04X): "
				      "remove it.", what, cp);

		if (!p)
			return GZ_ENOMEM;
		media_problem(w, name, p);
	}
	return GZ_OK;
}

/* Reads alt, decorative, caption and credit (and with focal, the focal
 * point) into w. Errors only GZ_ENOMEM. */
static int
media_words_read(struct http_req *req, bool focal, struct media_words *w)
{
	const char *d = http_req_form(req, "decorative");
	int rc;

	memset(w, 0, sizeof(*w));
	w->decorative = d && strcmp(d, "yes") == 0;
	if ((rc = media_text(req, "alt", w, &w->alt)) ||
	    (rc = media_text(req, "caption", w, &w->caption)) ||
	    (rc = media_text(req, "credit", w, &w->credit)))
		return rc;
	if (!w->problem && !*w->alt && !w->decorative)
		media_problem(w, "alt", "Describe the photo in the alt text "
			      "for readers who cannot see it, or mark it "
			      "decorative.");
	if (focal) {
		static const char *const names[2] = {"focal_x", "focal_y"};
		int *dst[2] = {&w->focal_x, &w->focal_y};
		size_t i;

		for (i = 0; i < 2; i++) {
			const char *v = http_req_form(req, names[i]);
			uint64_t n = 50;

			if (v && *v && http_parse_uint(v, 100, &n) != GZ_OK)
				media_problem(w, names[i], "Give a whole "
					      "number of percent from 0 to "
					      "100.");
			*dst[i] = (int)n;
		}
	}
	return GZ_OK;
}

/* The width site_media_url picks for want: the widest variant not wider,
 * else the narrowest (the original's width when it has none). */
static int
media_width(const struct store_media *m, int want)
{
	int width = media_width_at_most(m->widths, m->nwidths, want);

	return width ? width : m->width;
}

const char *
site_media_url(struct pool *pool, const struct store_media *m, int want,
	       const char *ext)
{
	char name[MEDIA_NAME_MAX];

	if (!m->nwidths)
		return NULL;
	media_variant_name(m->hash, media_width(m, want), ext, name);
	return pool_printf(pool, "/media/%s", name);
}

/* The extension of m's variants in its own format ("jpeg", "png",
 * "webp"): an AVIF original's are served as WebP where AVIF is not
 * asked for, so the Markdown snippet names WebP then. */
static const char *
media_ext(const struct store_media *m)
{
	if (strcmp(m->format, "jpeg") == 0 || strcmp(m->format, "png") == 0)
		return m->format;
	return "webp";
}

/* "48 KB", "1.2 MB": an upload's size for people. In pool. */
static const char *
media_size_text(struct pool *pool, int64_t bytes)
{
	if (bytes < 1000)
		return pool_printf(pool, "%lld bytes", (long long)bytes);
	if (bytes < 1000 * 1000)
		return pool_printf(pool, "%lld KB", (long long)(bytes + 500) / 1000);
	return pool_printf(pool, "%.1f MB", (double)bytes / 1e6);
}

/* What the library's grid and the edit page show of m. NULL when out of
 * memory. */
static struct render_val *
media_item(struct pool *pool, const struct store_media *m)
{
	struct render_val *o = render_obj_new(pool);
	int tw = media_width(m, 320);
	int th = m->width ? (int)(((int64_t)m->height * tw + m->width / 2) /
				  m->width) : 0;

	if (!o ||
	    render_obj_int(pool, o, "id", m->id) ||
	    render_obj_str(pool, o, "url", pool_printf(pool, "/admin/media/%lld",
			   (long long)m->id)) ||
	    render_obj_str(pool, o, "thumb_url", site_media_url(pool, m, 320,
			   "webp")) ||
	    render_obj_int(pool, o, "thumb_width", tw) ||
	    render_obj_int(pool, o, "thumb_height", th ? th : 1) ||
	    render_obj_str(pool, o, "alt", m->alt) ||
	    render_obj_bool(pool, o, "decorative", m->decorative) ||
	    render_obj_str(pool, o, "caption", *m->caption ? m->caption : NULL) ||
	    render_obj_str(pool, o, "credit", *m->credit ? m->credit : NULL) ||
	    render_obj_str(pool, o, "size_text", media_size_text(pool,
			   m->bytes)) ||
	    render_obj_str(pool, o, "dims_text", pool_printf(pool, "%d × %d",
			   m->width, m->height)) ||
	    render_obj_int(pool, o, "uses", m->uses) ||
	    render_obj_str(pool, o, "uses_text", m->uses == 0 ? "not used"
			   : m->uses == 1 ? "used by 1 article"
			   : pool_printf(pool, "used by %lld articles",
					 (long long)m->uses)))
		return NULL;
	return o;
}

/* Reads the route's {id} (params[0]). Returns GZ_OK or GZ_ENOTFOUND. */
static int
media_id(const struct http_req *req, int64_t *id)
{
	uint64_t v;

	if (req->nparams < 1 ||
	    http_parse_uint(req->params[0], INT64_MAX, &v) != GZ_OK || v == 0)
		return GZ_ENOTFOUND;
	*id = (int64_t)v;
	return GZ_OK;
}

/* True when staff may change m's words: any image's with
 * media-edit-any, else only their own uploads'. */
static bool
media_may_edit(const struct site_staff *staff, const struct store_media *m)
{
	return admin_role_can(staff->user.role, ADMIN_MEDIA_EDIT_ANY) ||
	       strcmp(m->actor, staff->actor) == 0;
}

/* ---- the library --------------------------------------------------------- */

/* The library page: the upload form (w: what was typed and its problem,
 * or NULL), the search q (NULL: none) and page of the grid. */
static int
media_library(struct site *site, struct http_req *req, struct http_resp *resp,
	      const struct site_staff *staff, const struct media_words *w,
	      const char *q, uint64_t page, int status)
{
	struct pool *pool = req->pool;
	struct store_media *items = NULL;
	struct render_val *view, *list, *item, *pager;
	size_t n = 0, total = 0, i;
	uint64_t pages;
	struct buf b;
	const char *base;
	int rc;

	if ((rc = store_media_list(site->store, pool, q, GZ_LIMIT_MEDIA_PAGE,
				   (size_t)(page - 1) * GZ_LIMIT_MEDIA_PAGE,
				   &items, &n, &total)))
		return rc;
	if (!(view = site_admin_view(site, req, staff, "Photos", "media")) ||
	    !(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++)
		if (!(item = media_item(pool, &items[i])) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	if ((n && render_obj_set(pool, view, "media_items", list)) ||
	    render_obj_bool(pool, view, "empty", n == 0) ||
	    render_obj_int(pool, view, "total", (int64_t)total) ||
	    render_obj_str(pool, view, "count_text", total == 1 ? "1 photo"
			   : pool_printf(pool, "%zu photos", total)) ||
	    render_obj_str(pool, view, "filter_q", q ? q : "") ||
	    render_obj_bool(pool, view, "filtered", q && *q) ||
	    render_obj_str(pool, view, "accept", media_accept) ||
	    render_obj_int(pool, view, "max_mb",
			   GZ_LIMIT_MEDIA_BYTES / (1024u * 1024u)) ||
	    render_obj_int(pool, view, "max_mpx",
			   GZ_LIMIT_MEDIA_PIXELS / (1000u * 1000u)) ||
	    render_obj_str(pool, view, "f_alt", w ? w->alt : "") ||
	    render_obj_str(pool, view, "f_caption", w ? w->caption : "") ||
	    render_obj_str(pool, view, "f_credit", w ? w->credit : "") ||
	    render_obj_bool(pool, view, "f_decorative", w && w->decorative) ||
	    render_obj_str(pool, view, "problem", w ? w->problem : NULL) ||
	    render_obj_bool(pool, view, "problem_file", w && w->problem &&
			    strcmp(w->problem_field, "file") == 0) ||
	    render_obj_bool(pool, view, "problem_alt", w && w->problem &&
			    strcmp(w->problem_field, "alt") == 0) ||
	    render_obj_bool(pool, view, "problem_caption", w && w->problem &&
			    strcmp(w->problem_field, "caption") == 0) ||
	    render_obj_bool(pool, view, "problem_credit", w && w->problem &&
			    strcmp(w->problem_field, "credit") == 0))
		return GZ_ENOMEM;
	pages = total ? (total + GZ_LIMIT_MEDIA_PAGE - 1) / GZ_LIMIT_MEDIA_PAGE
		      : 1;
	if (pages > 1) {
		buf_init(&b, 4096);
		buf_puts(&b, "/admin/media?q=");
		if (q)
			render_escape_url(&b, q, strlen(q));
		base = b.err == GZ_OK ? pool_strdup(pool, b.data) : NULL;
		buf_fini(&b);
		if (!base || !(pager = render_obj_new(pool)) ||
		    render_obj_int(pool, pager, "page", (int64_t)page) ||
		    render_obj_int(pool, pager, "pages", (int64_t)pages) ||
		    (page > 1 && render_obj_str(pool, pager, "prev_url",
				pool_printf(pool, "%s&page=%llu", base,
					    (unsigned long long)(page - 1)))) ||
		    (page < pages && render_obj_str(pool, pager, "next_url",
				pool_printf(pool, "%s&page=%llu", base,
					    (unsigned long long)(page + 1)))) ||
		    render_obj_set(pool, view, "pagination", pager))
			return GZ_ENOMEM;
	}
	return site_admin_render(site, resp, status, "admin_media", view);
}

/* ---- the upload ---------------------------------------------------------- */

/* An upload waiting for, or back from, the worker, in the request's
 * pool: what the gate let through, the words typed, the file (the
 * request's own bytes) and what media_ingest made of it. */
struct upload_wait {
	struct site_job job;
	struct site_staff staff;
	struct media_words words;
	const char *dir;        /* the media directory, the pool's copy */
	unsigned flags;
	const void *data;
	size_t len;
	int rc;                 /* media_ingest's */
	struct media_info info;
	char why[MEDIA_WHY_MAX];
};

/* On the worker thread. */
static void
upload_run(struct site_job *job)
{
	struct upload_wait *w = (struct upload_wait *)(void *)
		((char *)job - offsetof(struct upload_wait, job));

	w->why[0] = '\0';
	w->rc = media_ingest(w->dir, w->data, w->len, w->flags, &w->info,
			     w->why, sizeof(w->why));
}

static void
upload_resume(void *ctx)
{
	http_resume(ctx);
}

static const char upload_busy[] =
	"Too many photos are being processed at once. Try again in a moment.";
static const char upload_stopping[] =
	"The server is stopping: upload the photo again once it is back.";

/* The upload's answer, once the worker is done with the file. */
static int
upload_finish(struct site *site, struct http_req *req, struct http_resp *resp,
	      struct upload_wait *w)
{
	struct pool *pool = req->pool;
	struct store_media_input in = {0};
	const char *object;
	int64_t id = 0;
	bool created = false;
	int rc;

	site_admin_headers(resp);
	if (!w->job.ran) {
		media_problem(&w->words, "file", w->job.stopped
			      ? upload_stopping : upload_busy);
		return media_library(site, req, resp, &w->staff, &w->words,
				     NULL, 1, 503);
	}
	if (w->rc != GZ_OK) {
		if (w->rc == GZ_ENOMEM && !w->why[0])
			return GZ_ENOMEM;
		media_problem(&w->words, "file", w->why[0]
			      ? pool_strdup(pool, w->why)
			      : "The photo could not be read: try another "
				"file.");
		return media_library(site, req, resp, &w->staff, &w->words,
				     NULL, 1, w->rc == GZ_EINVAL ||
				     w->rc == GZ_ETOOBIG ? 422 : 500);
	}
	in.hash = w->info.hash;
	in.format = w->info.format;
	in.width = w->info.width;
	in.height = w->info.height;
	in.bytes = w->info.bytes;
	in.widths = w->info.widths;
	in.nwidths = w->info.nwidths;
	in.avif = w->info.avif;
	in.alt = w->words.decorative ? "" : w->words.alt;
	in.decorative = w->words.decorative;
	in.caption = w->words.caption;
	in.credit = w->words.credit;
	in.actor = w->staff.actor;
	if ((rc = store_tx_begin(site->store)))
		return rc;
	rc = store_media_add(site->store, &in, &id, &created);
	if (rc == GZ_OK && !created) {
		/* The same bytes again: nothing new to log. */
		if ((rc = store_tx_commit(site->store)))
			return rc;
		return site_admin_done(req, resp, pool_printf(pool,
				       "/admin/media/%lld", (long long)id),
				       "uploaded-again");
	}
	object = pool_printf(pool, "media:%lld", (long long)id);
	if (rc == GZ_OK && !object)
		rc = GZ_ENOMEM;
	rc = site_admin_commit(site, &w->staff, rc, "media-upload", object,
			       *in.alt ? in.alt : "(decorative)");
	if (rc == GZ_EINVAL) {
		media_problem(&w->words, "alt", "The alt text, caption or "
			      "credit was refused: keep each under 1,024 "
			      "bytes.");
		return media_library(site, req, resp, &w->staff, &w->words,
				     NULL, 1, 422);
	}
	if (rc)
		return rc;
	return site_admin_done(req, resp, pool_printf(pool, "/admin/media/%lld",
			       (long long)id), "uploaded");
}

/* POST /admin/media: checks the form, then hands the file to the
 * worker and suspends the request. */
static int
upload_start(struct site *site, struct http_req *req, struct http_resp *resp,
	     struct upload_wait *w)
{
	struct http_file file;
	struct http_resume *resume;
	int rc;

	if ((rc = media_words_read(req, false, &w->words)))
		return rc;
	/* The file's problem first: without a photo the rest is moot. */
	if (!http_req_form_file(req, "file", &file) || file.len == 0) {
		w->words.problem = NULL;
		media_problem(&w->words, "file", "Choose a photo to upload.");
	} else if (file.len > GZ_LIMIT_MEDIA_BYTES) {
		w->words.problem = NULL;
		media_problem(&w->words, "file", pool_printf(req->pool,
			      "The file is larger than %u MB: upload a "
			      "smaller one.", GZ_LIMIT_MEDIA_BYTES /
			      (1024u * 1024u)));
	}
	if (w->words.problem)
		return media_library(site, req, resp, &w->staff, &w->words,
				     NULL, 1, 422);
	/* The config may be reloaded while the worker runs: a copy. */
	if (!(w->dir = pool_strdup(req->pool, site->cfg->media_dir)))
		return GZ_ENOMEM;
	w->flags = site->cfg->media_avif ? MEDIA_AVIF : 0;
	w->data = file.data;
	w->len = file.len;
	w->job.run = upload_run;
	w->job.done = upload_resume;
	req->state = w;
	if (!(resume = http_req_suspend(req))) {
		/* NULL only when the server is stopping. */
		media_problem(&w->words, "file", upload_stopping);
		return media_library(site, req, resp, &w->staff, &w->words,
				     NULL, 1, 503);
	}
	w->job.ctx = resume;
	/* Refused (the queue is full), done resumes at once, unrun. */
	site_worker_submit(site->root->media_worker, &w->job);
	return GZ_EPENDING;
}

int
site_admin_media(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct upload_wait *w;
	const char *q = http_req_query(req, "q");
	const char *page_arg = http_req_query(req, "page");
	uint64_t page = 1;
	bool answered = false;
	int rc;

	if (req->resumed)
		return upload_finish(site, req, resp, req->state);
	if (!(w = pool_calloc(req->pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	if ((rc = site_admin_begin(site, req, resp, ADMIN_MEDIA_UPLOAD,
				   &w->staff, &answered)) || answered)
		return rc;
	if (req->method == HTTP_POST)
		return upload_start(site, req, resp, w);
	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		page = 1;
	/* What a person typed is capped before the store sees it. */
	if (q && (strlen(q) > GZ_LIMIT_SEARCH_BYTES ||
		  !utf8_valid(q, strlen(q), NULL)))
		q = NULL;
	return media_library(site, req, resp, &w->staff, NULL, q && *q ? q
			     : NULL, page, 0);
}

/* ---- one image ----------------------------------------------------------- */

/* The Markdown that puts m in an article's body, at the 960 variant in
 * its own format: ![alt](/media/ab/...-960.jpeg). Brackets and
 * backslashes in the alt text are escaped. In pool. */
static const char *
media_markdown(struct pool *pool, const struct store_media *m)
{
	const char *url = site_media_url(pool, m, 960, media_ext(m));
	struct buf b;
	const char *r, *p;

	if (!url)
		return NULL;
	buf_init(&b, GZ_LIMIT_MEDIA_TEXT_BYTES * 2 + 256);
	buf_puts(&b, "![");
	for (p = m->alt; *p; p++) {
		if (*p == '[' || *p == ']' || *p == '\\')
			buf_puts(&b, "\\");
		buf_printf(&b, "%c", *p);
	}
	buf_printf(&b, "](%s)", url);
	r = b.err == GZ_OK ? pool_strdup(pool, b.data) : NULL;
	buf_fini(&b);
	return r;
}

/* The card crop of a width x height image at its focal point (focal_x,
 * focal_y in thousandths): the largest MEDIA_CARD_W:MEDIA_CARD_H
 * rectangle of the image, centred on the point as far as the edges let
 * it, in the original's pixels. Output: r[0..4) = x, y, width, height. */
static void
media_crop_rect(int width, int height, int focal_x, int focal_y,
		int64_t r[4])
{
	int64_t w = width, h = height, cw, ch, x, y;

	if (w * MEDIA_CARD_H > h * MEDIA_CARD_W) {
		ch = h;
		cw = h * MEDIA_CARD_W / MEDIA_CARD_H;
	} else {
		cw = w;
		ch = w * MEDIA_CARD_H / MEDIA_CARD_W;
	}
	x = w * focal_x / 1000 - cw / 2;
	y = h * focal_y / 1000 - ch / 2;
	r[0] = x < 0 ? 0 : x > w - cw ? w - cw : x;
	r[1] = y < 0 ? 0 : y > h - ch ? h - ch : y;
	r[2] = cw > 0 ? cw : 1;
	r[3] = ch > 0 ? ch : 1;
}

/* Sets the crop (crop_x, crop_y, crop_w, crop_h) and the focal point's
 * mark (focal_cx, focal_cy, focal_r) on o. */
static int
media_crop(struct pool *pool, struct render_val *o, int width, int height,
	   int focal_x, int focal_y)
{
	int64_t r[4];

	media_crop_rect(width, height, focal_x, focal_y, r);
	if (render_obj_int(pool, o, "crop_x", r[0]) ||
	    render_obj_int(pool, o, "crop_y", r[1]) ||
	    render_obj_int(pool, o, "crop_w", r[2]) ||
	    render_obj_int(pool, o, "crop_h", r[3]) ||
	    render_obj_int(pool, o, "focal_cx", (int64_t)width * focal_x / 1000) ||
	    render_obj_int(pool, o, "focal_cy", (int64_t)height * focal_y / 1000) ||
	    render_obj_int(pool, o, "focal_r", (width > height ? width : height) /
			   60 + 2))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* The edit page of m; w is the form as sent (its problem shown) or NULL
 * for m's stored words. */
static int
media_page(struct site *site, struct http_req *req, struct http_resp *resp,
	   const struct site_staff *staff, const struct store_media *m,
	   const struct media_words *w, int status)
{
	struct pool *pool = req->pool;
	struct store_article *uses = NULL;
	struct render_val *view, *item, *list, *row;
	size_t nuses = 0, i;
	char human[DATE_MAX], iso[DATE_MAX];
	int fx = w ? w->focal_x * 10 : m->focal_x;
	int fy = w ? w->focal_y * 10 : m->focal_y;
	int rc;

	if ((rc = store_media_uses(site->store, pool, m->id, MEDIA_USES_SHOWN,
				   &uses, &nuses)))
		return rc;
	if (!(view = site_admin_view(site, req, staff, *m->alt ? m->alt
				     : "Decorative photo", "media")) ||
	    !(item = media_item(pool, m)) || !(list = render_list_new(pool)))
		return GZ_ENOMEM;
	date_format_human(m->created_at, human);
	date_format_iso(m->created_at, iso);
	if (render_obj_str(pool, item, "preview_url", site_media_url(pool, m,
			   960, "webp")) ||
	    render_obj_str(pool, item, "markdown", media_markdown(pool, m)) ||
	    render_obj_str(pool, item, "added_human", pool_strdup(pool, human)) ||
	    render_obj_str(pool, item, "added_iso", pool_strdup(pool, iso)) ||
	    render_obj_str(pool, item, "actor", m->actor) ||
	    render_obj_str(pool, item, "format", m->format) ||
	    render_obj_int(pool, item, "width", m->width) ||
	    render_obj_int(pool, item, "height", m->height) ||
	    media_crop(pool, item, m->width, m->height, fx, fy))
		return GZ_ENOMEM;
	{
		struct buf b;
		size_t j;

		buf_init(&b, 256);
		for (j = 0; j < m->nwidths; j++)
			buf_printf(&b, "%s%d", j ? ", " : "", m->widths[j]);
		if (render_obj_str(pool, item, "widths_text",
				   pool_strdup(pool, b.data ? b.data : ""))) {
			buf_fini(&b);
			return GZ_ENOMEM;
		}
		buf_fini(&b);
	}
	for (i = 0; i < nuses; i++) {
		const char *key = NULL, *st = site_admin_status_text(pool,
						&uses[i], site_now(), &key);

		if (!st || !(row = render_obj_new(pool)) ||
		    render_obj_str(pool, row, "headline", uses[i].headline) ||
		    render_obj_str(pool, row, "url", pool_printf(pool,
				   "/admin/articles/%lld",
				   (long long)uses[i].id)) ||
		    render_obj_str(pool, row, "status", st) ||
		    render_obj_str(pool, row, "status_key", key) ||
		    render_list_push(pool, list, row))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "media", item) ||
	    (nuses && render_obj_set(pool, view, "uses_list", list)) ||
	    render_obj_bool(pool, view, "has_uses", nuses > 0) ||
	    render_obj_bool(pool, view, "may_edit", media_may_edit(staff, m)) ||
	    render_obj_bool(pool, view, "may_delete", admin_role_can(
			    staff->user.role, ADMIN_MEDIA_EDIT_ANY)) ||
	    render_obj_str(pool, view, "form_action", pool_printf(pool,
			   "/admin/media/%lld", (long long)m->id)) ||
	    render_obj_str(pool, view, "delete_url", pool_printf(pool,
			   "/admin/media/%lld/delete", (long long)m->id)) ||
	    render_obj_str(pool, view, "f_alt", w ? w->alt : m->alt) ||
	    render_obj_str(pool, view, "f_caption", w ? w->caption
			   : m->caption) ||
	    render_obj_str(pool, view, "f_credit", w ? w->credit : m->credit) ||
	    render_obj_bool(pool, view, "f_decorative", w ? w->decorative
			    : m->decorative) ||
	    render_obj_int(pool, view, "focal_x", (fx + 5) / 10) ||
	    render_obj_int(pool, view, "focal_y", (fy + 5) / 10) ||
	    render_obj_str(pool, view, "problem", w ? w->problem : NULL) ||
	    render_obj_str(pool, view, "field", w && w->problem
			   ? w->problem_field : NULL))
		return GZ_ENOMEM;
	if (w && w->problem) {
		static const char *const fields[] = {
			"alt", "caption", "credit", "focal_x", "focal_y",
		};

		for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
			if (strcmp(w->problem_field, fields[i]) == 0 &&
			    render_obj_bool(pool, view, pool_printf(pool,
					    "problem_%s", fields[i]), true))
				return GZ_ENOMEM;
	}
	return site_admin_render(site, resp, status, "admin_media_edit", view);
}

int
site_admin_media_edit(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_media m;
	struct media_words w;
	const char *object;
	bool answered = false;
	int64_t id;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_MEDIA_UPLOAD, &staff,
				   &answered)) || answered)
		return rc;
	if ((rc = media_id(req, &id)) ||
	    (rc = store_media_get(site->store, pool, id, &m)))
		return rc;
	if (req->method != HTTP_POST)
		return media_page(site, req, resp, &staff, &m, NULL, 0);
	if (!media_may_edit(&staff, &m))
		return GZ_EFORBIDDEN;
	if ((rc = media_words_read(req, true, &w)))
		return rc;
	if (w.problem)
		return media_page(site, req, resp, &staff, &m, &w, 422);
	if (!(object = pool_printf(pool, "media:%lld", (long long)id)))
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)))
		return rc;
	rc = store_media_update(site->store, id, w.decorative ? "" : w.alt,
				w.decorative, w.caption, w.credit,
				w.focal_x * 10, w.focal_y * 10);
	rc = site_admin_commit(site, &staff, rc, "media-edit", object,
			       *w.alt && !w.decorative ? w.alt
						       : "(decorative)");
	if (rc == GZ_EINVAL) {
		media_problem(&w, "alt", "The alt text, caption or credit was "
			      "refused: keep each under 1,024 bytes.");
		return media_page(site, req, resp, &staff, &m, &w, 422);
	}
	if (rc)
		return rc;
	return site_admin_done(req, resp, pool_printf(pool, "/admin/media/%lld",
			       (long long)id), "media-saved");
}

/* After a delete's commit: removes the variant files of hash, so that
 * /media/ stops serving them, unless a row names them again (the same
 * bytes uploaded meanwhile). A failure is logged: the row is gone. */
static void
media_files_remove(struct site *site, const char *hash)
{
	bool used = true;
	int rc;

	if ((rc = store_media_hash_used(site->store, hash, &used)) == GZ_OK &&
	    !used)
		rc = media_variants_remove(site->cfg->media_dir, hash);
	if (rc != GZ_OK)
		log_error("admin: media %s: files not removed from %s (%s)",
			  hash, site->cfg->media_dir, gz_strerror(rc));
}

int
site_admin_media_delete(void *ctx, struct http_req *req,
			struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_media m;
	struct render_val *view, *item;
	const char *object;
	bool answered = false, refused = false;
	int64_t id;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_MEDIA_EDIT_ANY,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = media_id(req, &id)) ||
	    (rc = store_media_get(site->store, pool, id, &m)))
		return rc;
	if (req->method == HTTP_POST) {
		if (!(object = pool_printf(pool, "media:%lld", (long long)id)))
			return GZ_ENOMEM;
		if ((rc = store_tx_begin(site->store)))
			return rc;
		rc = store_media_delete(site->store, id);
		rc = site_admin_commit(site, &staff, rc, "media-delete", object,
				       *m.alt ? m.alt : "(decorative)");
		if (rc == GZ_OK) {
			media_files_remove(site, m.hash);
			return site_admin_done(req, resp, "/admin/media",
					       "media-deleted");
		}
		if (rc != GZ_EBUSY)
			return rc;
		/* An article took it as its lead image since the page was
		 * read: the count below is the store's now. */
		refused = true;
		if ((rc = store_media_get(site->store, pool, id, &m)))
			return rc;
	}
	if (!(view = site_admin_view(site, req, &staff, "Remove this photo?",
				     "media")) ||
	    !(item = media_item(pool, &m)) ||
	    render_obj_set(pool, view, "media", item) ||
	    render_obj_bool(pool, view, "refused", refused || m.uses > 0) ||
	    render_obj_str(pool, view, "url", pool_printf(pool,
			   "/admin/media/%lld", (long long)id)))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, refused ? 409 : 0,
				 "admin_media_delete", view);
}
