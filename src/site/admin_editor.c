/*
 * admin_editor.c - the newsroom's editor: GET /admin/articles/new, POST
 * /admin/articles (create), GET /admin/articles/{id} and POST
 * /admin/articles/{id} (save, preview, submit, publish, schedule,
 * unpublish: the form's action button).
 *
 * Data flow: the form (multipart/form-data, up to GZ_LIMIT_ADMIN_BODY_BYTES
 * for /admin/articles) is read into an editor_form, every field checked and
 * capped, each problem one sentence on its field; a form with problems is
 * shown again whole (422). A good one is rendered here once
 * (render_article_html, as an import does, so the stored HTML is current)
 * and stored with store_article_put, its audit entry in the same
 * transaction; the store records the revision. A preview renders the
 * article page from the form without storing anything.
 *
 * Whose HTML: a body is trusted (raw HTML kept, CMARK_OPT_UNSAFE) when
 * an editor or admin wrote it, and untrusted (rendered as a reader's
 * comment is) when a writer did; a save that leaves the body as stored
 * keeps its trust, unless an editor ticks "trust_html". So a writer's
 * <script> never reaches a page, a feed or a preview because an editor
 * pressed Publish without reading the source (docs/newsroom.md).
 *
 * A lead photo deleted from the library between the form's opening and
 * its save is a problem on the form (422, everything kept, one
 * sentence), found when the form is read or, deleted in between, when
 * the put answers GZ_ENOTFOUND.
 *
 * Two people saving one article: the form carries the newest revision
 * when it was opened (loaded_revision), and the store refuses the save
 * (GZ_ECONFLICT, in the write's own transaction) when another came
 * since; the form comes back, 409, with the text kept and one sentence.
 *
 * Role rules, checked before anything is read: publish, schedule and
 * unpublish need ADMIN_ARTICLE_PUBLISH (a writer's forged POST is 403 and
 * changes nothing); a writer creates articles they own and changes only
 * their own drafts (site_admin_article_editable); a moderator is refused
 * at the gate.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/slug.h"
#include "util/utf8.h"

enum editor_field {
	EF_HEADLINE = 0,
	EF_DATELINE,
	EF_BYLINE,
	EF_AUTHORS,
	EF_SECTION,
	EF_TAGS,
	EF_LANG,
	EF_SUMMARY,
	EF_BODY,
	EF_SLUG,
	EF_DAY,
	EF_TIME,
	EF_IMAGE,
	EF_COUNT
};

/* Each field: its form name, the view's key, its cap in bytes. */
static const struct {
	const char *name, *key;
	size_t max;
} editor_fields[EF_COUNT] = {
	[EF_HEADLINE] = {"headline", "f_headline", GZ_LIMIT_HEADLINE_BYTES},
	[EF_DATELINE] = {"dateline", "f_dateline", GZ_LIMIT_EDITOR_FIELD_BYTES},
	[EF_BYLINE] = {"byline", "f_byline", GZ_LIMIT_EDITOR_FIELD_BYTES},
	[EF_AUTHORS] = {"authors", "f_authors", GZ_LIMIT_EDITOR_FIELD_BYTES},
	[EF_SECTION] = {"section", "f_section", GZ_LIMIT_EDITOR_FIELD_BYTES},
	[EF_TAGS] = {"tags", "f_tags", GZ_LIMIT_EDITOR_FIELD_BYTES},
	[EF_LANG] = {"lang", "f_lang", 35},
	[EF_SUMMARY] = {"summary", "f_summary", GZ_LIMIT_SUMMARY_BYTES},
	[EF_BODY] = {"body", "f_body", GZ_LIMIT_EDITOR_BODY_BYTES},
	[EF_SLUG] = {"slug", "f_slug", SLUG_MAX},
	[EF_DAY] = {"publish_day", "f_day", 10},
	[EF_TIME] = {"publish_time", "f_time", 8},
	/* The lead image: a media id, "none", or absent (kept). */
	[EF_IMAGE] = {"image", "f_image", 20},
};

/* What the buttons ask for. */
enum editor_action {
	EA_SAVE = 0,
	EA_PREVIEW,
	EA_SUBMIT,
	EA_PUBLISH,
	EA_SCHEDULE,
	EA_UNPUBLISH,
};

struct editor_form {
	const char *value[EF_COUNT];   /* as typed ("" when absent) */
	const char *problem[EF_COUNT]; /* one sentence, or NULL */
	size_t nproblems;
	enum editor_action action;
	const char *tags[GZ_LIMIT_TAGS];
	size_t ntags;
	const char *authors[GZ_LIMIT_AUTHORS];
	size_t nauthors;
	int64_t scheduled_at; /* EA_SCHEDULE */
	bool trusted;         /* the body's HTML is trusted (editor_trust) */
	/* The newest revision when the form was opened (0: none sent), and
	 * whether a save since refused this one (409). */
	int64_t loaded_revision;
	bool conflict;
	/* The lead image asked for: a media id, STORE_IMAGE_NONE, or 0
	 * (the field was not sent: an article keeps its own). */
	int64_t image_id;
	const char *body_html, *body_text;
};

/* A lead photo chosen when the form was opened and deleted from the
 * library before its save (or preview): the form comes back, 422. */
static const char editor_photo_gone[] =
	"The lead photo was removed from the library; choose another.";

static void
editor_problem(struct editor_form *f, enum editor_field field,
	       const char *text)
{
	if (f->problem[field])
		return; /* the first problem of a field is the one to fix */
	f->problem[field] = text;
	f->nproblems++;
}

static int
editor_action_parse(const char *s, enum editor_action *out)
{
	static const char *const names[] = {
		[EA_SAVE] = "save",       [EA_PREVIEW] = "preview",
		[EA_SUBMIT] = "submit",   [EA_PUBLISH] = "publish",
		[EA_SCHEDULE] = "schedule", [EA_UNPUBLISH] = "unpublish",
	};
	size_t i;

	*out = EA_SAVE;
	if (!s)
		return GZ_OK;
	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum editor_action)i;
			return GZ_OK;
		}
	return GZ_EINVAL;
}

/* s without white space at either end, in pool. */
static const char *
editor_trim(struct pool *pool, const char *s, size_t len)
{
	while (len && strchr(" \t\r\n", s[0])) {
		s++;
		len--;
	}
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return pool_strndup(pool, s, len);
}

/* Splits a comma-separated list into trimmed, non-empty items. Returns
 * false past max items. */
static bool
editor_split(struct pool *pool, const char *s, const char **out, size_t max,
	     size_t *n)
{
	const char *p = s, *e;

	*n = 0;
	while (*p) {
		const char *item;

		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if (!(item = editor_trim(pool, p, (size_t)(e - p))))
			return false;
		if (*item) {
			if (*n == max)
				return false;
			out[(*n)++] = item;
		}
		p = *e ? e + 1 : e;
	}
	return true;
}

/* A BCP 47 tag's shape: a 2-8 letter language, then subtags of 1-8
 * letters or digits after '-'. */
static bool
editor_lang_ok(const char *s)
{
	size_t i = 0, run = 0;

	while (s[i] && ((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	if (i < 2 || i > 8)
		return false;
	for (; s[i]; i++) {
		char c = s[i];

		if (c == '-') {
			if (run == 0 && i > 0 && s[i - 1] == '-')
				return false;
			run = 0;
			if (!s[i + 1])
				return false;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')) || ++run > 8)
			return false;
	}
	return true;
}

/* The body with every "\r\n" (and lone "\r") as "\n": browsers send a
 * textarea with CRLF. In pool. */
static const char *
editor_newlines(struct pool *pool, const char *s)
{
	size_t n = strlen(s), i, j = 0;
	char *out = pool_alloc(pool, n + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			out[j++] = '\n';
			if (s[i + 1] == '\n')
				i++;
			continue;
		}
		out[j++] = s[i];
	}
	out[j] = '\0';
	return out;
}

/* Reads and checks the form. Problems go on f; errors are GZ_ENOMEM
 * or the store's (looking the lead image up). */
static int
editor_read(struct site *site, struct http_req *req, struct editor_form *f)
{
	struct pool *pool = req->pool;
	const char *v;
	size_t i, len;

	memset(f, 0, sizeof(*f));
	if (editor_action_parse(http_req_form(req, "action"), &f->action))
		f->action = EA_SAVE;
	/* Not a number: as if not sent (no check), never an error. */
	if ((v = http_req_form(req, "loaded_revision")) != NULL) {
		uint64_t r;

		if (http_parse_uint(v, INT64_MAX, &r) == GZ_OK)
			f->loaded_revision = (int64_t)r;
	}
	for (i = 0; i < EF_COUNT; i++) {
		v = http_req_form(req, editor_fields[i].name);
		v = v ? v : "";
		len = strlen(v);
		if (len > editor_fields[i].max) {
			f->value[i] = "";
			editor_problem(f, (enum editor_field)i, i == EF_BODY
				? "The body is longer than 1 MiB: split the "
				  "article."
				: "This is too long: shorten it.");
			continue;
		}
		if (!utf8_valid(v, len, NULL)) {
			f->value[i] = "";
			editor_problem(f, (enum editor_field)i,
				       "This is not valid UTF-8 text.");
			continue;
		}
		if (i == EF_BODY || i == EF_SUMMARY)
			v = editor_newlines(pool, v);
		else
			v = editor_trim(pool, v, len);
		if (!v)
			return GZ_ENOMEM;
		f->value[i] = v;
	}
	if (!*f->value[EF_HEADLINE])
		editor_problem(f, EF_HEADLINE, "Give the article a headline.");
	if (strchr(f->value[EF_HEADLINE], '\n'))
		editor_problem(f, EF_HEADLINE, "Keep the headline on one line.");
	if (!*f->value[EF_LANG])
		f->value[EF_LANG] = site->cfg->language;
	else if (!editor_lang_ok(f->value[EF_LANG]))
		editor_problem(f, EF_LANG, "Give the language as a BCP 47 "
			       "tag, such as en, en-GB or fa.");
	if (*f->value[EF_SLUG]) {
		const char *s = slug_make(pool, f->value[EF_SLUG],
					  strlen(f->value[EF_SLUG]));

		if (!s)
			return GZ_ENOMEM;
		if (strcmp(s, f->value[EF_SLUG]) != 0)
			editor_problem(f, EF_SLUG, "Use lower-case letters, "
				       "digits and hyphens only, or leave it "
				       "empty to make it from the headline.");
	}
	if (!editor_split(pool, f->value[EF_TAGS], f->tags, GZ_LIMIT_TAGS,
			  &f->ntags))
		editor_problem(f, EF_TAGS, "Use at most 32 tags.");
	if (!editor_split(pool, f->value[EF_AUTHORS], f->authors,
			  GZ_LIMIT_AUTHORS, &f->nauthors))
		editor_problem(f, EF_AUTHORS, "Name at most 16 authors.");
	if (!f->problem[EF_BODY]) {
		char msg[256];
		unsigned line = 0;

		if (render_markdown_check(f->value[EF_BODY],
					  strlen(f->value[EF_BODY]), &line, msg,
					  sizeof(msg)) != GZ_OK) {
			const char *p = pool_printf(pool, "Line %u: %s.", line,
						    msg);

			if (!p)
				return GZ_ENOMEM;
			editor_problem(f, EF_BODY, p);
		}
	}
	if (*f->value[EF_IMAGE]) {
		uint64_t id;

		if (strcmp(f->value[EF_IMAGE], "none") == 0)
			f->image_id = STORE_IMAGE_NONE;
		else if (http_parse_uint(f->value[EF_IMAGE], INT64_MAX, &id) ==
			 GZ_OK && id > 0)
			f->image_id = (int64_t)id;
		else
			editor_problem(f, EF_IMAGE, "Choose a photo from the "
				       "list, or No lead image.");
	}
	if (f->image_id > 0) {
		int rc = store_media_exists(site->store, f->image_id);

		if (rc == GZ_ENOTFOUND)
			editor_problem(f, EF_IMAGE, editor_photo_gone);
		else if (rc != GZ_OK)
			return rc;
	}
	if (f->action == EA_SCHEDULE) {
		int rc = date_parse_form(f->value[EF_DAY], f->value[EF_TIME],
					 &f->scheduled_at);
		const char *zone = site->cfg->timezone;

		if (rc == GZ_EINVAL)
			editor_problem(f, EF_DAY, "Give the date and the time "
				       "to publish at, such as 2021-05-18 and "
				       "18:30.");
		else if (rc == GZ_ENOTFOUND)
			editor_problem(f, EF_TIME, pool_printf(pool, "There "
				       "is no such time in %s that day: the "
				       "clocks jump over it. Pick another.",
				       zone));
		else if (rc == GZ_EEXIST)
			editor_problem(f, EF_TIME, pool_printf(pool, "That "
				       "time happens twice in %s that day, as "
				       "the clocks go back. Pick a time "
				       "outside the change.", zone));
		else if (f->scheduled_at <= site_now())
			editor_problem(f, EF_TIME, "That time has passed: pick "
				       "a later one, or Publish now.");
	}
	return GZ_OK;
}

/* Whether the body f saves over e (NULL: a new article) is trusted: a
 * body left as stored keeps its trust, unless one who may edit anyone's
 * article asked to trust it (trust_html); a new body is trusted when
 * such a person wrote it, and never when a writer did; a changed body
 * is trusted when such a person changed one that was trusted, or asked.
 * An editor who fixes a comma in a writer's untrusted body has not read
 * its HTML, so the fix does not trust the rest. */
static bool
editor_trust(const struct site_staff *staff, const struct store_article *e,
	     const struct editor_form *f, bool asked)
{
	bool may = admin_role_can(staff->user.role, ADMIN_ARTICLE_EDIT_ANY);

	if (e && strcmp(e->body, f->value[EF_BODY]) == 0)
		return e->body_trusted || (may && asked);
	return may && (!e || e->body_trusted || asked);
}

/* Renders the form's body (with its dateline) and its text for search
 * into f, trusted as f->trusted says. Returns GZ_OK, GZ_ENOMEM, or
 * GZ_ETOOBIG (a problem on the body is then set and GZ_OK returned). */
static int
editor_render(struct pool *pool, struct editor_form *f)
{
	struct buf html, text;
	int rc;

	buf_init(&html, GZ_LIMIT_MARKDOWN_BYTES);
	buf_init(&text, GZ_LIMIT_MARKDOWN_BYTES);
	rc = render_article_html(f->value[EF_BODY], strlen(f->value[EF_BODY]),
				 *f->value[EF_DATELINE] ? f->value[EF_DATELINE]
							: NULL, f->trusted, &html);
	if (rc == GZ_ETOOBIG) {
		editor_problem(f, EF_BODY, "The body makes more than 4 MiB of "
			       "HTML: split the article.");
		rc = GZ_OK;
		goto out;
	}
	if (rc == GZ_OK)
		rc = render_html_text(&text, html.data ? html.data : "");
	if (rc == GZ_OK &&
	    (!(f->body_html = pool_strndup(pool, html.data ? html.data : "",
					   html.len)) ||
	     !(f->body_text = pool_strndup(pool, text.data ? text.data : "",
					   text.len))))
		rc = GZ_ENOMEM;
out:
	buf_fini(&html);
	buf_fini(&text);
	return rc;
}

/* The article the form describes, as the page would show it (preview).
 * e is the stored one, or NULL. */
static int
editor_article(struct site *site, struct pool *pool,
	       const struct editor_form *f, const struct store_article *e,
	       struct store_article *a)
{
	struct store_tag *tags = NULL;
	struct store_author *authors = NULL;
	int64_t now = site_now();
	size_t i;

	memset(a, 0, sizeof(*a));
	if (e)
		*a = *e;
	a->headline = f->value[EF_HEADLINE];
	a->dateline = f->value[EF_DATELINE];
	a->byline = f->value[EF_BYLINE];
	a->summary = f->value[EF_SUMMARY];
	a->body = f->value[EF_BODY];
	a->lang = f->value[EF_LANG];
	a->body_html = f->body_html;
	a->html_version = RENDER_MD_VERSION;
	a->body_trusted = f->trusted;
	a->slug = *f->value[EF_SLUG] ? f->value[EF_SLUG]
		  : slug_make(pool, a->headline, strlen(a->headline));
	a->section_name = f->value[EF_SECTION];
	a->section_slug = slug_make(pool, a->section_name,
				    strlen(a->section_name));
	if (!a->slug || !a->section_slug)
		return GZ_ENOMEM;
	if (!a->published_at)
		a->published_at = f->action == EA_SCHEDULE ? f->scheduled_at
							   : now;
	if (!e)
		a->created_at = a->updated_at = now;
	if (f->ntags && !(tags = pool_calloc(pool, f->ntags, sizeof(*tags))))
		return GZ_ENOMEM;
	for (i = 0; i < f->ntags; i++) {
		tags[i].name = f->tags[i];
		if (!(tags[i].slug = slug_make(pool, f->tags[i],
					       strlen(f->tags[i]))))
			return GZ_ENOMEM;
	}
	a->tags = tags;
	a->ntags = f->ntags;
	if (f->nauthors &&
	    !(authors = pool_calloc(pool, f->nauthors, sizeof(*authors))))
		return GZ_ENOMEM;
	for (i = 0; i < f->nauthors; i++) {
		authors[i].name = f->authors[i];
		authors[i].bio = "";
		if (!(authors[i].slug = slug_make(pool, f->authors[i],
						  strlen(f->authors[i]))))
			return GZ_ENOMEM;
	}
	a->authors = authors;
	a->nauthors = f->nauthors;
	if (f->image_id == STORE_IMAGE_NONE) {
		a->image = NULL;
	} else if (f->image_id > 0) {
		struct store_media *m = pool_calloc(pool, 1, sizeof(*m));
		int rc;

		if (!m)
			return GZ_ENOMEM;
		if ((rc = store_media_get_lite(site->store, pool, f->image_id,
					       m)))
			return rc; /* GZ_ENOTFOUND: editor_post shows the form */
		a->image = m;
	}
	return GZ_OK;
}

/* The lead image's choices on view: "No lead image", then the library's
 * newest GZ_LIMIT_MEDIA_PICK photos, with chosen (a media id, or
 * STORE_IMAGE_NONE) selected and shown as a thumbnail ("lead_image"),
 * listed first when it is older than those. Returns GZ_OK, GZ_ENOMEM or
 * the store's error. */
static int
editor_images(struct site *site, struct pool *pool, struct render_val *view,
	      int64_t chosen)
{
	struct store_media *items = NULL, *all, picked;
	struct render_val *list = render_list_new(pool), *item, *lead;
	size_t n = 0, total = 0, i;
	bool have = false;
	int rc;

	if (!list)
		return GZ_ENOMEM;
	if ((rc = store_media_list(site->store, pool, NULL, GZ_LIMIT_MEDIA_PICK,
				   0, &items, &n, &total)))
		return rc;
	for (i = 0; i < n; i++)
		if (items[i].id == chosen)
			have = true;
	if (chosen > 0 && !have) {
		rc = store_media_get_lite(site->store, pool, chosen, &picked);
		if (rc != GZ_OK && rc != GZ_ENOTFOUND)
			return rc;
		if (rc == GZ_OK) {
			if (!(all = pool_calloc(pool, n + 1, sizeof(*all))))
				return GZ_ENOMEM;
			all[0] = picked;
			if (n)
				memcpy(all + 1, items, n * sizeof(*items));
			items = all;
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		const struct store_media *m = &items[i];
		bool sel = m->id == chosen;

		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "value", pool_printf(pool,
				   "%lld", (long long)m->id)) ||
		    render_obj_str(pool, item, "label", pool_printf(pool,
				   "%s (photo %lld%s%s)", m->decorative
				   ? "Decorative photo" : m->alt,
				   (long long)m->id, *m->credit ? ", " : "",
				   m->credit)) ||
		    render_obj_bool(pool, item, "selected", sel) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
		if (!sel)
			continue;
		if (!(lead = render_obj_new(pool)) ||
		    render_obj_str(pool, lead, "thumb_url", site_media_url(pool,
				   m, 320, "webp")) ||
		    render_obj_int(pool, lead, "thumb_width", m->nwidths
				   ? m->widths[0] : m->width) ||
		    render_obj_int(pool, lead, "thumb_height", m->width
				   ? (int64_t)m->height * (m->nwidths
				   ? m->widths[0] : m->width) / m->width : 1) ||
		    render_obj_str(pool, lead, "url", pool_printf(pool,
				   "/admin/media/%lld", (long long)m->id)) ||
		    render_obj_str(pool, lead, "alt", m->alt) ||
		    render_obj_set(pool, view, "lead_image", lead))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "image_options", list))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* After a restore whose revision's lead photo was deleted since
 * (admin_revisions.c): the one sentence saying so, a fixed one. */
static int
editor_restore_notice(struct pool *pool, struct http_req *req,
		      struct render_val *view)
{
	const char *code = http_req_query(req, "done");

	if (!code || strcmp(code, "restored-without-photo") != 0)
		return GZ_OK;
	return render_obj_str(pool, view, "article_notice", "The revision was "
			      "restored without its lead photo, which was "
			      "removed from the library since: the article "
			      "keeps its current one.") ? GZ_ENOMEM : GZ_OK;
}

/* The editor's view: the form (f, or e's fields when f is NULL) with
 * its problems, and what staff may do with it. e is NULL for a new
 * article. */
static int
editor_page(struct site *site, struct http_req *req, struct http_resp *resp,
	    const struct site_staff *staff, const struct store_article *e,
	    const struct editor_form *f, int status)
{
	struct pool *pool = req->pool;
	struct render_val *view, *obj, *list, *item;
	struct store_section *sections = NULL;
	struct store_correction *corr = NULL;
	const char *values[EF_COUNT] = {0}, *key = "draft", *state = "new";
	size_t nsections = 0, ncorr = 0, i;
	int64_t now = site_now(), loaded = f ? f->loaded_revision : 0;
	bool editable, publish, visible = false;
	char day[DATE_MAX], when[DATE_MAX];
	int rc;

	publish = admin_role_can(staff->user.role, ADMIN_ARTICLE_PUBLISH);
	editable = e ? site_admin_article_editable(staff, e)
		     : admin_role_can(staff->user.role, ADMIN_ARTICLE_WRITE_OWN);
	if (f) {
		memcpy(values, f->value, sizeof(values));
	} else if (e) {
		struct buf b;
		size_t j;

		values[EF_HEADLINE] = e->headline;
		values[EF_DATELINE] = e->dateline;
		values[EF_BYLINE] = e->byline;
		values[EF_SECTION] = e->section_name;
		values[EF_LANG] = e->lang;
		values[EF_SUMMARY] = e->summary;
		values[EF_BODY] = e->body;
		values[EF_SLUG] = e->slug;
		values[EF_IMAGE] = e->image ? pool_printf(pool, "%lld",
				   (long long)e->image->id) : "none";
		buf_init(&b, GZ_LIMIT_PAGE_BYTES);
		for (j = 0; j < e->ntags; j++)
			buf_printf(&b, "%s%s", j ? ", " : "", e->tags[j].name);
		values[EF_TAGS] = pool_strdup(pool, b.data ? b.data : "");
		buf_reset(&b);
		for (j = 0; j < e->nauthors; j++)
			buf_printf(&b, "%s%s", j ? ", " : "",
				   e->authors[j].name);
		values[EF_AUTHORS] = pool_strdup(pool, b.data ? b.data : "");
		buf_fini(&b);
		if (e->status == STORE_SCHEDULED && e->published_at > now) {
			/* "2021-05-18T18:31:00+04:30": the inputs' values. */
			date_format_iso(e->published_at, when);
			values[EF_DAY] = pool_strndup(pool, when, 10);
			values[EF_TIME] = pool_strndup(pool, when + 11, 5);
		}
	} else {
		values[EF_LANG] = site->cfg->language;
	}
	if (e) {
		if (!(state = site_admin_status_text(pool, e, now, &key)))
			return GZ_ENOMEM;
		visible = !site_admin_article_unpublished(e) &&
			  e->status != STORE_DRAFT;
		if ((rc = store_correction_list(site->store, pool, e->id, &corr,
						&ncorr)))
			return rc;
		/* What a save of this form will expect to be the newest. */
		if (!f && (rc = store_revision_newest(site->store, e->id,
						      &loaded)))
			return rc;
	}
	if ((rc = store_section_list(site->store, pool, 0, &sections,
				     &nsections)))
		return rc;
	view = site_admin_view(site, req, staff, e ? pool_printf(pool,
			       "Edit %s", e->headline) : "New article",
			       "articles");
	if (!view)
		return GZ_ENOMEM;
	for (i = 0; i < EF_COUNT; i++) {
		const char *p = f ? f->problem[i] : NULL;

		if (!(obj = render_obj_new(pool)) ||
		    render_obj_str(pool, obj, "value", values[i] ? values[i]
								 : "") ||
		    render_obj_str(pool, obj, "problem", p) ||
		    render_obj_set(pool, view, editor_fields[i].key, obj))
			return GZ_ENOMEM;
	}
	if (f && f->nproblems) {
		static const char *const labels[EF_COUNT] = {
			"Headline", "Dateline", "Byline", "Authors", "Section",
			"Tags", "Language", "Summary", "Body", "Slug",
			"Publish on", "At", "Lead image",
		};

		if (!(list = render_list_new(pool)))
			return GZ_ENOMEM;
		for (i = 0; i < EF_COUNT; i++) {
			if (!f->problem[i])
				continue;
			if (!(item = render_obj_new(pool)) ||
			    render_obj_str(pool, item, "field",
					   editor_fields[i].name) ||
			    render_obj_str(pool, item, "label", labels[i]) ||
			    render_obj_str(pool, item, "problem",
					   f->problem[i]) ||
			    render_list_push(pool, list, item))
				return GZ_ENOMEM;
		}
		if (render_obj_set(pool, view, "problems", list) ||
		    render_obj_bool(pool, view, "has_problems", true))
			return GZ_ENOMEM;
	}
	if (!(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < nsections; i++) {
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", sections[i].name) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	}
	{
		/* The photo the form shows chosen: the one typed, else the
		 * stored one. */
		int64_t chosen = STORE_IMAGE_NONE;

		if (f && f->image_id)
			chosen = f->image_id;
		else if (e && e->image)
			chosen = e->image->id;
		if ((rc = editor_images(site, pool, view, chosen)))
			return rc;
	}
	date_format_iso(now, day);
	if (render_obj_set(pool, view, "section_names", list) ||
	    render_obj_str(pool, view, "form_action", e ? pool_printf(pool,
			   "/admin/articles/%lld", (long long)e->id)
			   : "/admin/articles") ||
	    render_obj_str(pool, view, "timezone", site->cfg->timezone) ||
	    render_obj_str(pool, view, "today", pool_strndup(pool, day, 10)) ||
	    render_obj_str(pool, view, "state", state) ||
	    render_obj_str(pool, view, "status_key", key) ||
	    render_obj_bool(pool, view, "editable", editable) ||
	    render_obj_bool(pool, view, "read_only", !editable) ||
	    render_obj_bool(pool, view, "may_publish", editable && publish) ||
	    render_obj_bool(pool, view, "may_submit", editable && !publish &&
			    (!e || !e->review_at)) ||
	    render_obj_bool(pool, view, "may_unpublish", e && publish &&
			    visible) ||
	    render_obj_str(pool, view, "save_label", e && visible ? "Save"
			   : "Save draft") ||
	    render_obj_int(pool, view, "loaded_revision", loaded) ||
	    render_obj_bool(pool, view, "conflict", f && f->conflict) ||
	    render_obj_bool(pool, view, "body_untrusted", e &&
			    !e->body_trusted) ||
	    render_obj_bool(pool, view, "may_trust", e && !e->body_trusted &&
			    editable && admin_role_can(staff->user.role,
						       ADMIN_ARTICLE_EDIT_ANY)) ||
	    render_obj_bool(pool, view, "writer_note", editable &&
			    !admin_role_can(staff->user.role,
					    ADMIN_ARTICLE_EDIT_ANY)) ||
	    site_admin_article_notice(pool, req, view) ||
	    editor_restore_notice(pool, req, view))
		return GZ_ENOMEM;
	if (e) {
		if (!(obj = render_obj_new(pool)) ||
		    render_obj_int(pool, obj, "id", e->id) ||
		    render_obj_str(pool, obj, "preview_url", pool_printf(pool,
				   "/admin/articles/%lld/preview",
				   (long long)e->id)) ||
		    render_obj_str(pool, obj, "revisions_url", pool_printf(pool,
				   "/admin/articles/%lld/revisions",
				   (long long)e->id)) ||
		    render_obj_str(pool, obj, "public_url", visible &&
				   e->published_at <= now
				   ? site_url_article(pool, e) : NULL) ||
		    render_obj_str(pool, obj, "delete_url", admin_role_can(
				   staff->user.role, ADMIN_ARTICLE_DELETE)
				   ? pool_printf(pool, "/admin/articles/%lld/"
						 "delete", (long long)e->id)
				   : NULL) ||
		    render_obj_set(pool, view, "existing", obj))
			return GZ_ENOMEM;
		if (!(list = render_list_new(pool)))
			return GZ_ENOMEM;
		for (i = 0; i < ncorr; i++) {
			date_format_human(corr[i].created_at, when);
			date_format_iso(corr[i].created_at, day);
			if (!(item = render_obj_new(pool)) ||
			    render_obj_str(pool, item, "date_human",
					   pool_strdup(pool, when)) ||
			    render_obj_str(pool, item, "date_iso",
					   pool_strdup(pool, day)) ||
			    render_obj_str(pool, item, "text", corr[i].text) ||
			    render_list_push(pool, list, item))
				return GZ_ENOMEM;
		}
		if ((ncorr && render_obj_set(pool, view, "corrections", list)) ||
		    render_obj_bool(pool, view, "may_correct", visible &&
				    e->published_at <= now && admin_role_can(
				    staff->user.role, ADMIN_CORRECTION_ADD)) ||
		    render_obj_str(pool, view, "corrections_url",
				   pool_printf(pool, "/admin/articles/%lld/"
					       "corrections", (long long)e->id)))
			return GZ_ENOMEM;
	}
	return site_admin_render(site, resp, status, "admin_editor", view);
}

int
site_admin_article_new(void *ctx, struct http_req *req,
		       struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_WRITE_OWN,
				   &staff, &answered)) || answered)
		return rc;
	return editor_page(site, req, resp, &staff, NULL, NULL, 0);
}

int
site_admin_article_edit(void *ctx, struct http_req *req,
			struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	struct store_article e;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_READ, &staff,
				   &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &e)))
		return rc;
	return editor_page(site, req, resp, &staff, &e, NULL, 0);
}

/* Unpublishes e: the store records the revision, the audit entry goes
 * in the same transaction. */
static int
editor_unpublish(struct site *site, struct http_req *req,
		 struct http_resp *resp, const struct site_staff *staff,
		 const struct store_article *e)
{
	struct pool *pool = req->pool;
	const char *object = pool_printf(pool, "article:%lld",
					 (long long)e->id);
	int64_t now = site_now();
	int rc;

	if (!object)
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)))
		return rc;
	rc = store_article_status_set(site->store, e->id, STORE_UNPUBLISHED, 0,
				      staff->actor, now);
	if ((rc = site_admin_commit(site, staff, rc, "unpublish", object,
				    e->headline)))
		return rc;
	return site_admin_done(req, resp, pool_printf(pool,
			       "/admin/articles/%lld", (long long)e->id),
			       "unpublished");
}

/* After a GZ_ENOTFOUND: true, with the problem on the lead image, when
 * the form's photo is what is missing (not the article). */
static bool
editor_photo_check(struct site *site, struct editor_form *f)
{
	if (store_media_exists(site->store, f->image_id) != GZ_ENOTFOUND)
		return false;
	editor_problem(f, EF_IMAGE, editor_photo_gone);
	return true;
}

/* create and save: e is the stored article, or NULL to create one. */
static int
editor_post(struct site *site, struct http_req *req, struct http_resp *resp,
	    const struct site_staff *staff, const struct store_article *e)
{
	static const char *const audit_names[] = {
		[EA_SAVE] = "edit",       [EA_PREVIEW] = "preview",
		[EA_SUBMIT] = "submit",   [EA_PUBLISH] = "publish",
		[EA_SCHEDULE] = "schedule", [EA_UNPUBLISH] = "unpublish",
	};
	static const char *const done_codes[] = {
		[EA_SAVE] = "saved",       [EA_PREVIEW] = "saved",
		[EA_SUBMIT] = "submitted", [EA_PUBLISH] = "published",
		[EA_SCHEDULE] = "scheduled", [EA_UNPUBLISH] = "unpublished",
	};
	struct pool *pool = req->pool;
	struct store_article_input in = {0};
	struct store_article preview;
	struct editor_form f;
	const char *action, *object = NULL, *done, *trust;
	int64_t id = 0, now = site_now();
	bool created = false, publish;
	int rc;

	publish = admin_role_can(staff->user.role, ADMIN_ARTICLE_PUBLISH);
	if (editor_action_parse(http_req_form(req, "action"), &f.action))
		return GZ_EINVAL;
	/* Refused before the form is read: nothing changes. */
	if ((f.action == EA_PUBLISH || f.action == EA_SCHEDULE ||
	     f.action == EA_UNPUBLISH) && !publish)
		return GZ_EFORBIDDEN;
	if (e && !site_admin_article_editable(staff, e))
		return GZ_EFORBIDDEN;
	if (f.action == EA_UNPUBLISH) {
		if (!e || site_admin_article_unpublished(e) ||
		    e->status == STORE_DRAFT)
			return GZ_EINVAL;
		return editor_unpublish(site, req, resp, staff, e);
	}
	/* Submitting is for who cannot publish; a published article is not
	 * sent back for review. */
	if (f.action == EA_SUBMIT && e && e->status != STORE_DRAFT)
		return GZ_EINVAL;
	if ((rc = editor_read(site, req, &f)))
		return rc;
	trust = http_req_form(req, "trust_html");
	f.trusted = editor_trust(staff, e, &f,
				 trust && strcmp(trust, "yes") == 0);
	if (!f.nproblems && (rc = editor_render(pool, &f)))
		return rc;
	if (f.nproblems)
		return editor_page(site, req, resp, staff, e, &f, 422);
	if (f.action == EA_PREVIEW) {
		rc = editor_article(site, pool, &f, e, &preview);
		if (rc == GZ_ENOTFOUND && f.image_id > 0 &&
		    editor_photo_check(site, &f))
			return editor_page(site, req, resp, staff, e, &f, 422);
		if (rc)
			return rc;
		return site_article_preview(site, req, resp, &preview);
	}

	in.id = e ? e->id : 0;
	in.owner_id = e ? e->owner_id : staff->user.id;
	in.slug = *f.value[EF_SLUG] ? f.value[EF_SLUG] : NULL;
	in.headline = f.value[EF_HEADLINE];
	in.summary = f.value[EF_SUMMARY];
	in.body = f.value[EF_BODY];
	in.byline = f.value[EF_BYLINE];
	in.dateline = f.value[EF_DATELINE];
	in.section = f.value[EF_SECTION];
	in.lang = f.value[EF_LANG];
	in.tags = f.tags;
	in.ntags = f.ntags;
	in.authors = f.nauthors ? f.authors : NULL;
	in.nauthors = f.nauthors;
	in.comments_close_at = e ? e->comments_close_at : 0;
	in.body_html = f.body_html;
	in.html_version = RENDER_MD_VERSION;
	in.body_text = f.body_text;
	in.body_untrusted = !f.trusted;
	in.expect_revision = e ? f.loaded_revision : 0;
	in.image_id = f.image_id;
	in.actor = staff->actor;
	switch (f.action) {
	case EA_PUBLISH:
		in.status = STORE_PUBLISHED;
		/* A story out before keeps its date; any other goes out now. */
		in.published_at = e && e->published_at && e->published_at <= now
				  && (e->status == STORE_PUBLISHED ||
				      e->status == STORE_SCHEDULED ||
				      site_admin_article_unpublished(e))
				  ? e->published_at : now;
		break;
	case EA_SCHEDULE:
		in.status = STORE_SCHEDULED;
		in.published_at = f.scheduled_at;
		break;
	case EA_SUBMIT:
		in.status = STORE_DRAFT;
		in.review_at = now;
		break;
	default:
		in.status = e ? (site_admin_article_unpublished(e)
				 ? STORE_UNPUBLISHED : e->status)
			      : STORE_DRAFT;
		in.published_at = e ? e->published_at : 0;
		in.review_at = e ? e->review_at : 0;
		break;
	}
	action = !e && f.action == EA_SAVE ? "create" : audit_names[f.action];
	done = !e && f.action == EA_SAVE ? "created" : done_codes[f.action];
	in.revision_note = action;
	if ((rc = store_tx_begin(site->store)))
		return rc;
	/* The id, and so the audit entry's object, is known after the put. */
	if ((rc = store_article_put(site->store, &in, &id, &created)) == GZ_OK &&
	    !(object = pool_printf(pool, "article:%lld", (long long)id)))
		rc = GZ_ENOMEM;
	rc = site_admin_commit(site, staff, rc, action, object, in.headline);
	/* The photo went between editor_read's look and the put (the put
	 * answers GZ_ENOTFOUND, as for a deleted article): nothing was
	 * written, and the form comes back with what was typed. */
	if (rc == GZ_ENOTFOUND && f.image_id > 0 &&
	    editor_photo_check(site, &f))
		return editor_page(site, req, resp, staff, e, &f, 422);
	/* Someone saved since this form was opened: nothing was written,
	 * and the form comes back with what was typed. */
	if (rc == GZ_ECONFLICT) {
		f.conflict = true;
		return editor_page(site, req, resp, staff, e, &f, 409);
	}
	if (rc)
		return rc;
	return site_admin_done(req, resp, pool_printf(pool,
			       "/admin/articles/%lld", (long long)id), done);
}

int
site_admin_article_create(void *ctx, struct http_req *req,
			  struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_WRITE_OWN,
				   &staff, &answered)) || answered)
		return rc;
	return editor_post(site, req, resp, &staff, NULL);
}

int
site_admin_article_save(void *ctx, struct http_req *req,
			struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	struct store_article e;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_WRITE_OWN,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &e)))
		return rc;
	return editor_post(site, req, resp, &staff, &e);
}
