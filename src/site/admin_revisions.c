/*
 * admin_revisions.c - an article's history in the newsroom: the list of
 * its revisions (/admin/articles/{id}/revisions), one revision compared
 * with the current article (.../revisions/{rev}: field by field, the body
 * line by line with util/diff.c) and restoring it (POST .../restore).
 *
 * A restore is a save: store_article_put with the revision's words
 * (headline, summary, body, byline, dateline, section, language, tags,
 * authors, slug) and its lead image, noted "restore of revision N", so
 * it is itself a revision, and audited in the same transaction. A lead
 * photo deleted from the library since cannot come back: the words are
 * restored, the article keeps its current lead image, and the editor's
 * page says so in one sentence. The article's status and
 * date stay as they are: restoring an old text must not publish or take
 * down a story; the editor's buttons do that.
 *
 * The diff is shown with <del> and <ins>, each line also labelled in
 * words ("Removed", "Added") for screen readers and for anyone who does
 * not see the colours.
 */
#include <string.h>

#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/diff.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static const char *const revision_status_names[] = {
	[STORE_DRAFT] = "draft",
	[STORE_SCHEDULED] = "scheduled",
	[STORE_PUBLISHED] = "published",
	[STORE_UNPUBLISHED] = "unpublished",
};

static const char *
revision_status(enum store_status s)
{
	return (size_t)s < sizeof(revision_status_names) /
				   sizeof(*revision_status_names)
		       ? revision_status_names[s] : "";
}

/* Reads the route's {rev} (params[1]) of article a. GZ_ENOTFOUND when
 * it is not one of a's. */
static int
revision_load(struct site *site, struct http_req *req,
	      const struct store_article *a, struct store_revision *r)
{
	uint64_t id;
	int rc;

	if (req->nparams < 2 ||
	    http_parse_uint(req->params[1], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_revision_get(site->store, req->pool, (int64_t)id, r)))
		return rc;
	return r->article_id == a->id ? GZ_OK : GZ_ENOTFOUND;
}

/* The number people see for revision id of article_id: its place in the
 * article's history, the first save being 1 (the list shows these, a
 * restore's note names them). Output: *number, 0 when not found. */
static int
revision_number(struct site *site, struct pool *pool, int64_t article_id,
		int64_t id, int64_t *number)
{
	struct store_revision *items = NULL;
	size_t n = 0, i;
	int rc;

	*number = 0;
	if ((rc = store_revision_list(site->store, pool, article_id, &items,
				      &n)))
		return rc;
	for (i = 0; i < n; i++)
		if (items[i].id == id)
			*number = (int64_t)(n - i);
	return GZ_OK;
}

/* "name, name" of a's tags or authors, as a revision keeps them. */
static const char *
revision_join(struct pool *pool, const struct store_article *a, bool tags)
{
	struct buf b;
	const char *r;
	size_t i, n = tags ? a->ntags : a->nauthors;

	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	buf_puts(&b, "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "",
			   tags ? a->tags[i].name : a->authors[i].name);
	r = b.err == GZ_OK ? pool_strdup(pool, b.data ? b.data : "") : NULL;
	buf_fini(&b);
	return r;
}

int
site_admin_revisions(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	struct store_revision *items = NULL;
	struct render_val *view, *list, *row;
	char human[DATE_MAX], iso[DATE_MAX];
	bool answered = false;
	size_t n = 0, i;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_READ, &staff,
				   &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)))
		return rc;
	if ((rc = store_revision_list(site->store, pool, a.id, &items, &n)))
		return rc;
	if (!(view = site_admin_view(site, req, &staff, pool_printf(pool,
				     "Revisions of %s", a.headline),
				     "articles")) ||
	    !(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		date_format_human(items[i].created_at, human);
		date_format_iso(items[i].created_at, iso);
		if (!(row = render_obj_new(pool)) ||
		    render_obj_int(pool, row, "id", items[i].id) ||
		    render_obj_int(pool, row, "number", (int64_t)(n - i)) ||
		    render_obj_str(pool, row, "url", pool_printf(pool,
				   "/admin/articles/%lld/revisions/%lld",
				   (long long)a.id, (long long)items[i].id)) ||
		    render_obj_str(pool, row, "date_human",
				   pool_strdup(pool, human)) ||
		    render_obj_str(pool, row, "date_iso",
				   pool_strdup(pool, iso)) ||
		    render_obj_str(pool, row, "actor", items[i].actor) ||
		    render_obj_str(pool, row, "note", *items[i].note
				   ? items[i].note : NULL) ||
		    render_obj_str(pool, row, "status",
				   revision_status(items[i].status)) ||
		    render_obj_str(pool, row, "headline", items[i].headline) ||
		    render_obj_bool(pool, row, "current", i == 0) ||
		    render_list_push(pool, list, row))
			return GZ_ENOMEM;
	}
	if ((n && render_obj_set(pool, view, "revisions", list)) ||
	    render_obj_str(pool, view, "count_text", n == 1 ? "1 revision"
			   : pool_printf(pool, "%zu revisions", n)) ||
	    render_obj_str(pool, view, "headline", a.headline) ||
	    render_obj_str(pool, view, "url", pool_printf(pool,
			   "/admin/articles/%lld", (long long)a.id)))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_revisions", view);
}

/* How the comparison names a lead image: "Photo 7: its alt text",
 * "Photo 7 (removed from the library)" or "" for none, in pool. Returns
 * GZ_OK, GZ_ENOMEM or the store's error. */
static int
revision_image_text(struct site *site, struct pool *pool, int64_t id,
		    const char **out)
{
	struct store_media m;
	int rc;

	*out = "";
	if (id <= 0)
		return GZ_OK;
	rc = store_media_get_lite(site->store, pool, id, &m);
	if (rc == GZ_ENOTFOUND)
		*out = pool_printf(pool, "Photo %lld (removed from the "
				   "library)", (long long)id);
	else if (rc == GZ_OK)
		*out = pool_printf(pool, "Photo %lld: %s", (long long)id,
				   m.decorative ? "decorative" : m.alt);
	else
		return rc;
	return *out ? GZ_OK : GZ_ENOMEM;
}

/* One row of the field-by-field comparison. */
static int
revision_field(struct pool *pool, struct render_val *list, const char *label,
	       const char *old, const char *cur)
{
	struct render_val *o = render_obj_new(pool);

	old = old ? old : "";
	cur = cur ? cur : "";
	if (!o || render_obj_str(pool, o, "label", label) ||
	    render_obj_str(pool, o, "old", old) ||
	    render_obj_str(pool, o, "new", cur) ||
	    render_obj_bool(pool, o, "changed", strcmp(old, cur) != 0) ||
	    render_list_push(pool, list, o))
		return GZ_ENOMEM;
	return GZ_OK;
}

int
site_admin_revision(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	struct store_revision r;
	struct diff_line *lines = NULL;
	struct render_val *view, *fields, *body, *o;
	char when[DATE_MAX], rwhen[DATE_MAX], awhen[DATE_MAX];
	const char *astatus, *key, *rimage, *aimage;
	bool answered = false;
	size_t n = 0, i, changed = 0;
	int64_t number = 0;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_READ, &staff,
				   &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)) ||
	    (rc = revision_load(site, req, &a, &r)) ||
	    (rc = revision_number(site, pool, a.id, r.id, &number)))
		return rc;
	if (!(astatus = site_admin_status_text(pool, &a, site_now(), &key)) ||
	    !(fields = render_list_new(pool)) || !(body = render_list_new(pool)))
		return GZ_ENOMEM;
	rwhen[0] = awhen[0] = '\0';
	if (r.published_at)
		date_format_human(r.published_at, rwhen);
	if (a.published_at)
		date_format_human(a.published_at, awhen);
	if ((rc = revision_field(pool, fields, "Headline", r.headline,
				 a.headline)) ||
	    (rc = revision_field(pool, fields, "Dateline", r.dateline,
				 a.dateline)) ||
	    (rc = revision_field(pool, fields, "Byline", r.byline, a.byline)) ||
	    (rc = revision_field(pool, fields, "Authors", r.authors,
				 revision_join(pool, &a, false))) ||
	    (rc = revision_field(pool, fields, "Section", r.section,
				 a.section_name)) ||
	    (rc = revision_field(pool, fields, "Tags", r.tags,
				 revision_join(pool, &a, true))) ||
	    (rc = revision_field(pool, fields, "Language", r.lang, a.lang)) ||
	    (rc = revision_field(pool, fields, "Summary", r.summary,
				 a.summary)) ||
	    (rc = revision_field(pool, fields, "Slug", r.slug, a.slug)) ||
	    (rc = revision_field(pool, fields, "Status",
				 revision_status(r.status), astatus)) ||
	    (rc = revision_field(pool, fields, "Date", rwhen, awhen)) ||
	    (rc = revision_image_text(site, pool, r.image_id, &rimage)) ||
	    (rc = revision_image_text(site, pool, a.image ? a.image->id : 0,
				      &aimage)) ||
	    (rc = revision_field(pool, fields, "Lead image", rimage, aimage)))
		return rc;
	rc = diff_lines(pool, r.body, a.body, &lines, &n);
	if (rc != GZ_OK && rc != GZ_ETOOBIG)
		return rc;
	if (!(view = site_admin_view(site, req, &staff, pool_printf(pool,
				     "Revision %lld of %s", (long long)number,
				     a.headline), "articles")))
		return GZ_ENOMEM;
	if (rc == GZ_ETOOBIG) {
		if (render_obj_bool(pool, view, "too_long", true))
			return GZ_ENOMEM;
	} else {
		for (i = 0; i < n; i++) {
			static const char *const keys[] = {"keep", "add", "del"};
			static const char *const labels[] = {"", "Added",
							     "Removed"};

			if (lines[i].op != DIFF_KEEP)
				changed++;
			if (!(o = render_obj_new(pool)) ||
			    render_obj_str(pool, o, "op", keys[lines[i].op]) ||
			    render_obj_bool(pool, o, "added",
					    lines[i].op == DIFF_ADD) ||
			    render_obj_bool(pool, o, "removed",
					    lines[i].op == DIFF_DEL) ||
			    render_obj_bool(pool, o, "kept",
					    lines[i].op == DIFF_KEEP) ||
			    render_obj_str(pool, o, "label",
					   labels[lines[i].op]) ||
			    render_obj_str(pool, o, "text", pool_strndup(pool,
					   lines[i].text, lines[i].len)) ||
			    render_list_push(pool, body, o))
				return GZ_ENOMEM;
		}
		if ((n && render_obj_set(pool, view, "lines", body)) ||
		    render_obj_bool(pool, view, "body_same", changed == 0))
			return GZ_ENOMEM;
	}
	date_format_human(r.created_at, when);
	if (render_obj_set(pool, view, "fields", fields) ||
	    render_obj_int(pool, view, "revision_id", number) ||
	    render_obj_str(pool, view, "actor", r.actor) ||
	    render_obj_str(pool, view, "note", *r.note ? r.note : NULL) ||
	    render_obj_str(pool, view, "date_human", pool_strdup(pool, when)) ||
	    render_obj_str(pool, view, "headline", a.headline) ||
	    render_obj_str(pool, view, "url", pool_printf(pool,
			   "/admin/articles/%lld", (long long)a.id)) ||
	    render_obj_str(pool, view, "revisions_url", pool_printf(pool,
			   "/admin/articles/%lld/revisions", (long long)a.id)) ||
	    render_obj_str(pool, view, "restore_url", pool_printf(pool,
			   "/admin/articles/%lld/revisions/%lld/restore",
			   (long long)a.id, (long long)r.id)) ||
	    render_obj_bool(pool, view, "may_restore",
			    site_admin_article_editable(&staff, &a)))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_revision", view);
}

/* Splits a revision's "a, b" list into names (in pool). */
static int
revision_split(struct pool *pool, const char *s, const char **out, size_t max,
	       size_t *n)
{
	const char *p = s;

	*n = 0;
	while (p && *p) {
		const char *e = strchr(p, ','), *item;
		size_t len = e ? (size_t)(e - p) : strlen(p);

		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			if (*n == max)
				break; /* kept by a past limit: keep the first */
			if (!(item = pool_strndup(pool, p, len)))
				return GZ_ENOMEM;
			out[(*n)++] = item;
		}
		p = e ? e + 1 : NULL;
	}
	return GZ_OK;
}

/* The lead image a restore of r puts: r's (STORE_IMAGE_NONE when it had
 * none), or 0 (the article keeps its own) with *gone set when r's photo
 * is no longer in the library. Output: *image_id, *gone. */
static int
revision_image_pick(struct site *site, const struct store_revision *r,
		    int64_t *image_id, bool *gone)
{
	int rc;

	*gone = false;
	*image_id = STORE_IMAGE_NONE;
	if (r->image_id <= 0)
		return GZ_OK;
	rc = store_media_exists(site->store, r->image_id);
	if (rc == GZ_ENOTFOUND) {
		*gone = true;
		*image_id = 0;
		return GZ_OK;
	}
	if (rc == GZ_OK)
		*image_id = r->image_id;
	return rc;
}

int
site_admin_revision_restore(void *ctx, struct http_req *req,
			    struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	struct store_revision r;
	struct store_article_input in = {0};
	const char *tags[GZ_LIMIT_TAGS], *authors[GZ_LIMIT_AUTHORS];
	const char *object, *note;
	struct buf html, text;
	bool answered = false, created = false, photo_gone = false;
	int64_t id = 0, number = 0;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_WRITE_OWN,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)) ||
	    (rc = revision_load(site, req, &a, &r)) ||
	    (rc = revision_number(site, pool, a.id, r.id, &number)))
		return rc;
	if (!site_admin_article_editable(&staff, &a))
		return GZ_EFORBIDDEN;
	in.id = a.id;
	in.owner_id = a.owner_id;
	in.headline = r.headline;
	in.summary = r.summary;
	in.body = r.body;
	in.byline = r.byline;
	in.dateline = r.dateline;
	in.section = r.section;
	in.lang = r.lang;
	in.slug = *r.slug ? r.slug : NULL;
	in.status = site_admin_article_unpublished(&a) ? STORE_UNPUBLISHED
						       : a.status;
	in.published_at = a.published_at;
	in.review_at = a.review_at;
	in.comments_close_at = a.comments_close_at;
	in.actor = staff.actor;
	if ((rc = revision_split(pool, r.tags, tags, GZ_LIMIT_TAGS,
				 &in.ntags)) ||
	    (rc = revision_split(pool, r.authors, authors, GZ_LIMIT_AUTHORS,
				 &in.nauthors)))
		return rc;
	in.tags = tags;
	in.authors = in.nauthors ? authors : NULL;
	if (!(note = pool_printf(pool, "restore of revision %lld",
				 (long long)number)) ||
	    !(object = pool_printf(pool, "article:%lld", (long long)a.id)))
		return GZ_ENOMEM;
	in.revision_note = note;
	/* The stored HTML is made from the restored words, as a save's is,
	 * and trusted as they were when saved: restoring a writer's text
	 * never trusts its HTML. */
	in.body_untrusted = !r.body_trusted;
	buf_init(&html, GZ_LIMIT_MARKDOWN_BYTES);
	buf_init(&text, GZ_LIMIT_MARKDOWN_BYTES);
	rc = render_article_html(r.body, strlen(r.body),
				 *r.dateline ? r.dateline : NULL,
				 r.body_trusted, &html);
	if (rc == GZ_OK)
		rc = render_html_text(&text, html.data ? html.data : "");
	in.body_html = html.data ? html.data : "";
	in.html_version = RENDER_MD_VERSION;
	in.body_text = text.data ? text.data : "";
	/* The revision's lead image, or none when it had none; one deleted
	 * since (ids are never reused) leaves the article's as it is. */
	if (rc == GZ_OK)
		rc = revision_image_pick(site, &r, &in.image_id,
					 &photo_gone);
	if (rc == GZ_OK && (rc = store_tx_begin(site->store)) == GZ_OK) {
		rc = store_article_put(site->store, &in, &id, &created);
		/* Deleted between the look and the put: the words still. */
		if (rc == GZ_ENOTFOUND && in.image_id > 0 &&
		    revision_image_pick(site, &r, &in.image_id,
					&photo_gone) == GZ_OK && photo_gone)
			rc = store_article_put(site->store, &in, &id,
					       &created);
		rc = site_admin_commit(site, &staff, rc, "restore", object,
				       note);
	}
	buf_fini(&html);
	buf_fini(&text);
	if (rc)
		return rc;
	return site_admin_done(req, resp, pool_printf(pool,
			       "/admin/articles/%lld", (long long)a.id),
			       photo_gone ? "restored-without-photo"
					  : "restored");
}
