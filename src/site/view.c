/*
 * view.c - the parts of every view model: the page frame (site title,
 * navigation, stylesheet), article cards, and URLs.
 *
 * site_view_names lists every name templates may use; render/ refuses a
 * theme that uses any other, so a typo fails at start-up, not on a
 * reader's request. Keep it in step with docs/theming.md.
 */
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

const char *const site_view_names[] = {
	/* every page */
	"site_title", "site_lang", "page_title", "description", "canonical",
	"stylesheet", "year", "home_url", "nav", "name", "url", "current",
	"feeds", "type", "og_type", "og_title", "favicon", "touch_icon",
	"article_meta", "published_iso", "modified_iso", "section", "jsonld",
	/* archive */
	"archive_years", "label", "months", "share_image",
	/* masthead and footer */
	"masthead_date", "day_human", "day_iso", "footer_links",
	/* search */
	"search_query", "noindex", "search", "note", "results",
	"headline_html", "snippet_html",
	/* authors */
	"byline_authors", "authors", "sep", "bio",
	/* the newsroom's pages */
	"page",
	/* article cards */
	"headline", "summary", "date_human", "date_iso", "section_name",
	"section_url", "byline", "lang", "dir",
	/* front */
	"lead", "latest", "section_blocks", "articles", "empty",
	/* article */
	"article", "dateline", "updated", "updated_human", "updated_iso",
	"tags", "body_html", "related",
	/* listings */
	"listing", "kind", "pagination", "page", "pages", "prev_url",
	"next_url",
	/* photos (view_image.c) */
	"image", "thumb", "src", "srcset", "srcset_webp", "srcset_avif",
	"sizes", "width", "height", "alt", "decorative", "caption", "credit",
	"img_class", "lazy", "og_image",
	/* errors */
	"status", "title", "message",
	/* comments */
	"comment_count", "comment_label", "comments", "count", "items", "open", "closed",
	"notice", "form", "action", "email", "body", "parent_id",
	"replying_to", "cancel_url", "question", "spoken", "token",
	"require_email", "error", "error_name", "error_email", "error_body",
	"error_answer", "id", "number", "author", "replies", "has_replies",
	"reply_url", "permalink", "pager", "comment_url",
	/* the challenge behind an ESI edge (docs/cache.md) */
	"esi_include",
	/* comment feeds */
	"feed_title", "feed_url", "alternate_url", "entries",

	/* the newsroom: every admin page */
	"admin_css", "admin_nav", "staff_name", "staff_role", "csrf",
	"done_notice",

	/* the newsroom: sign-in, account, staff, the audit log */
	"next", "err_current", "err_new", "err_confirm", "err_password",
	"totp_on", "recovery_left", "enrolled", "recovery_codes", "code",
	"qr_svg", "secret_groups", "pending", "onetime", "onetime_for",
	"users", "display_name", "role", "totp", "last_signin", "roles",
	"selected", "add_name", "add_display", "add_roles", "err_name",
	"filter_actor", "filter_object", "actor", "object", "detail", "ip",
	"older_url", "filtered",

	/* the newsroom: dashboard, articles, revisions, corrections (and
	 * the public side: the article's corrections, /corrections) */
	"actor", "added", "article_notice", "body_same", "changed",
	"comments_pending", "corrections", "corrections_url", "delete_url",
	"editable", "existing", "f_authors", "f_body", "f_byline",
	"f_dateline", "f_day", "f_headline", "f_lang", "f_section", "f_slug",
	"f_summary", "f_tags", "f_time", "field", "fields", "filter_mine",
	"filter_q", "form_action", "has_corrections", "has_problems",
	"in_review", "kept", "lines", "may_correct", "may_filter_mine",
	"may_publish", "may_restore", "may_submit", "may_unpublish",
	"may_write", "mine_list", "new", "old", "op", "owner", "preview",
	"preview_url", "problem", "problems", "public_url", "published",
	"published_list", "read_only", "removed", "restore_url",
	"review_list", "revision_id", "revisions", "revisions_url", "rows",
	"save_label", "scheduled", "scheduled_list", "section_names",
	"section_options", "selected", "show_articles", "show_comments",
	"show_counts", "show_desk", "show_mine", "state", "status_key",
	"status_options", "text", "timezone", "today", "too_long", "total",
	"value", "body_untrusted", "may_trust", "writer_note",
	"loaded_revision", "conflict", "count_text",

	/* the newsroom: moderation and settings */
	"statuses", "value", "selected", "status_filter", "status_filter_label",
	"article_filter", "page_number", "has_comments", "shown_ids",
	"shown_count", "mod_comments", "parent", "top_level", "thread_url",
	"status_label", "ip", "hold_reason", "article_url", "article_headline",
	"article_id", "comment", "ancestors", "has_ancestors", "settings",
	"field_id", "help", "key", "is_text", "is_number", "is_select",
	"is_words", "options", "stored",

	/* the newsroom: photos (the library, an image's page, the editor's
	 * lead image) */
	"media_items", "thumb_url", "thumb_width", "thumb_height", "alt",
	"decorative", "caption", "credit", "size_text", "dims_text", "uses",
	"uses_text", "accept", "max_mb", "max_mpx", "f_alt", "f_caption", "f_credit",
	"f_decorative", "problem_file", "problem_alt", "problem_caption",
	"problem_credit", "problem_focal_x", "problem_focal_y", "media",
	"markdown", "added_human", "added_iso", "format", "width", "height",
	"crop_x", "crop_y", "crop_w", "crop_h", "focal_cx", "focal_cy",
	"focal_r", "widths_text", "uses_list", "may_edit", "may_delete",
	"focal_x", "focal_y", "refused", "f_image", "image_options",
	"lead_image", "has_uses",

	NULL,
};

const char *const site_no_query[] = {NULL};

int64_t
site_now(void)
{
	return (int64_t)time(NULL);
}

const char *
site_url_slug(struct pool *pool, const char *prefix, const char *slug)
{
	struct buf b;
	const char *r;

	buf_init(&b, 4096);
	buf_puts(&b, prefix);
	render_escape_url(&b, slug, strlen(slug));
	r = b.err ? NULL : pool_strndup(pool, b.data, b.len);
	buf_fini(&b);
	return r;
}

const char *
site_article_slug(struct pool *pool, const struct store_article *a)
{
	if (a->slug && *a->slug)
		return a->slug;
	return pool_printf(pool, "%lld", (long long)a->id);
}

const char *
site_url_article(struct pool *pool, const struct store_article *a)
{
	const char *prefix = pool_printf(pool, "/news/%lld/", (long long)a->id);
	const char *slug = site_article_slug(pool, a);

	if (!prefix || !slug)
		return NULL;
	return site_url_slug(pool, prefix, slug);
}

/* "rtl" for right-to-left languages, else NULL. */
static const char *
view_dir(const char *lang)
{
	static const char *const rtl[] = {"ar", "fa", "he", "ur", "ps", "sd",
					  "ug", "yi", "dv", "ckb", NULL};
	size_t i, n = strcspn(lang, "-_");

	for (i = 0; rtl[i]; i++)
		if (strlen(rtl[i]) == n && strncmp(lang, rtl[i], n) == 0)
			return "rtl";
	return NULL;
}

/* Sets date_human/date_iso (or the given keys) on obj. */
static int
view_dates(struct pool *pool, struct render_val *obj, const char *human_key,
	   const char *iso_key, int64_t t)
{
	char human[DATE_MAX], iso[DATE_MAX];

	date_format_human(t, human);
	date_format_iso(t, iso);
	if (render_obj_str(pool, obj, human_key, pool_strdup(pool, human)) ||
	    render_obj_str(pool, obj, iso_key, pool_strdup(pool, iso)))
		return GZ_ENOMEM;
	return GZ_OK;
}

struct render_val *
site_view_card(struct site *site, struct pool *pool,
	       const struct store_article *a)
{
	struct render_val *c = render_obj_new(pool);
	const char *url = site_url_article(pool, a);

	if (!c || !url)
		return NULL;
	if (render_obj_str(pool, c, "url", url) ||
	    render_obj_str(pool, c, "headline", a->headline) ||
	    render_obj_str(pool, c, "byline", *a->byline ? a->byline : NULL) ||
	    render_obj_str(pool, c, "summary", *a->summary ? a->summary : NULL) ||
	    render_obj_str(pool, c, "lang", a->lang) ||
	    render_obj_str(pool, c, "dir", view_dir(a->lang)) ||
	    render_obj_int(pool, c, "comment_count", a->comment_count) ||
	    /* Set on every card, "" when none, so that a card never shows
	     * an enclosing article's count through the context stack. */
	    render_obj_str(pool, c, "comment_label", a->comment_count == 0 ? ""
			   : a->comment_count == 1 ? "1 comment"
			   : pool_printf(pool, "%lld comments",
					 (long long)a->comment_count)) ||
	    view_dates(pool, c, "date_human", "date_iso", a->published_at))
		return NULL;
	/* "thumb" is set on every card, false when none, for the same
	 * reason as comment_label. Lazy: a listing's first visible one is
	 * made eager by site_view_cards_eager (below). */
	if (render_obj_set(pool, c, "thumb", a->image
			   ? site_view_image(site, pool, a->image, SITE_IMAGE_CARD)
			   : render_bool(pool, false)))
		return NULL;
	if (*a->section_slug &&
	    (render_obj_str(pool, c, "section_name", a->section_name) ||
	     render_obj_str(pool, c, "section_url",
			    site_url_slug(pool, "/section/", a->section_slug))))
		return NULL;
	return c;
}

/* The cards of items[0..n); eager: the first card with a photo gets
 * its thumbnail as SITE_IMAGE_CARD_EAGER (site_view_cards_eager). */
static struct render_val *
view_cards(struct site *site, struct pool *pool,
	   const struct store_article *items, size_t n, bool eager)
{
	struct render_val *list = render_list_new(pool), *c;
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!(c = site_view_card(site, pool, &items[i])) ||
		    render_list_push(pool, list, c))
			return NULL;
		if (!eager || !items[i].image)
			continue;
		eager = false;
		if (render_obj_set(pool, c, "thumb", site_view_image(site, pool,
				   items[i].image, SITE_IMAGE_CARD_EAGER)))
			return NULL;
	}
	return list;
}

struct render_val *
site_view_cards(struct site *site, struct pool *pool,
		const struct store_article *items, size_t n)
{
	return view_cards(site, pool, items, n, false);
}

struct render_val *
site_view_cards_eager(struct site *site, struct pool *pool,
		      const struct store_article *items, size_t n)
{
	return view_cards(site, pool, items, n, true);
}

int
site_view_feeds(struct pool *pool, struct render_val *view,
		const char *prefix, const char *name)
{
	static const struct {
		const char *file, *type, *what;
	} kinds[] = {
		{"feed.atom", "application/atom+xml", "Atom"},
		{"feed.rss", "application/rss+xml", "RSS"},
		{"feed.json", "application/feed+json", "JSON Feed"},
	};
	struct render_val *list = render_list_new(pool), *item;
	size_t pass, i;

	if (!list)
		return GZ_ENOMEM;
	/* The scope's own feeds first: a feed reader offered a page takes
	 * the first alternate it finds. */
	for (pass = prefix ? 0 : 1; pass < 2; pass++) {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			const char *url = pass == 0
				? pool_printf(pool, "%s/%s", prefix, kinds[i].file)
				: pool_printf(pool, "/%s", kinds[i].file);
			const char *title = pass == 0
				? pool_printf(pool, "%s (%s)", name, kinds[i].what)
				: pool_printf(pool, "Latest news (%s)", kinds[i].what);

			if (!(item = render_obj_new(pool)) ||
			    render_obj_str(pool, item, "url", url) ||
			    render_obj_str(pool, item, "type", kinds[i].type) ||
			    render_obj_str(pool, item, "title", title) ||
			    render_list_push(pool, list, item))
				return GZ_ENOMEM;
		}
	}
	return render_obj_set(pool, view, "feeds", list);
}

/* The footer's links: search, the archive, the feeds, then the
 * newsroom's pages in their order, into *out. Returns GZ_OK, GZ_ENOMEM
 * or the store's error. */
static int
view_footer_links(struct site *site, struct pool *pool,
		  struct render_val **out)
{
	static const struct {
		const char *name, *url;
	} links[] = {
		{"Search", "/search"},
		{"Archive", "/archive"},
		{"Feeds", "/feed.atom"},
	};
	struct render_val *list = render_list_new(pool), *item;
	struct store_page *pages = NULL;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	if (!list)
		return GZ_ENOMEM;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", links[i].name) ||
		    render_obj_str(pool, item, "url", links[i].url) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	if ((rc = store_page_list(site->store, pool, &pages, &n)) != GZ_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", pages[i].title) ||
		    render_obj_str(pool, item, "url", site_url_slug(pool, "/",
				   pages[i].slug)) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	*out = list;
	return GZ_OK;
}

int
site_view_masthead_date(struct pool *pool, struct render_val *view,
			int64_t now)
{
	char human[DATE_MAX], iso[DATE_MAX];
	struct render_val *d = render_obj_new(pool);

	date_format_day(now, human, iso);
	if (!d || render_obj_str(pool, d, "day_human", pool_strdup(pool, human)) ||
	    render_obj_str(pool, d, "day_iso", pool_strdup(pool, iso)) ||
	    render_obj_set(pool, view, "masthead_date", d))
		return GZ_ENOMEM;
	return GZ_OK;
}

int
site_view_pagination(struct pool *pool, struct render_val *view,
		     const char *base, uint64_t page, uint64_t pages)
{
	struct render_val *pg;
	const char *sep = strchr(base, '?') ? "&" : "?";

	if (pages < 2)
		return GZ_OK;
	if (!(pg = render_obj_new(pool)) ||
	    render_obj_int(pool, pg, "page", (int64_t)page) ||
	    render_obj_int(pool, pg, "pages", (int64_t)pages) ||
	    render_obj_set(pool, view, "pagination", pg))
		return GZ_ENOMEM;
	if (page > 1 && render_obj_str(pool, pg, "prev_url", page == 2 ? base
			: pool_printf(pool, "%s%spage=%llu", base, sep,
				      (unsigned long long)page - 1)))
		return GZ_ENOMEM;
	if (page < pages && render_obj_str(pool, pg, "next_url",
			pool_printf(pool, "%s%spage=%llu", base, sep,
				    (unsigned long long)page + 1)))
		return GZ_ENOMEM;
	return GZ_OK;
}

struct render_val *
site_view_page(struct site *site, struct http_req *req,
	       const char *page_title, const char *description,
	       const char *canonical_path, const char *current_section,
	       int *rc)
{
	struct pool *pool = req->pool;
	struct render_val *v = render_obj_new(pool), *nav, *item, *footer;
	struct store_section *sections = NULL;
	size_t n = 0, i;
	struct tm tm;
	time_t now = (time_t)site_now();
	const char *title;

	*rc = GZ_ENOMEM;
	if (!v || !(nav = render_list_new(pool)))
		return NULL;
	if ((*rc = store_section_list(site->store, pool, site_now(), &sections,
				      &n)) != GZ_OK ||
	    (*rc = view_footer_links(site, pool, &footer)) != GZ_OK)
		return NULL;
	*rc = GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		if (sections[i].article_count == 0)
			continue;
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", sections[i].name) ||
		    render_obj_str(pool, item, "url", site_url_slug(pool,
				   "/section/", sections[i].slug)) ||
		    render_obj_bool(pool, item, "current", current_section &&
				    strcmp(current_section, sections[i].slug) == 0) ||
		    render_list_push(pool, nav, item))
			return NULL;
	}
	title = page_title ? pool_printf(pool, "%s – %s", page_title,
					 site->cfg->title)
			   : site->cfg->title;
	localtime_r(&now, &tm); /* the year in the site's zone */
	if (render_obj_str(pool, v, "site_title", site->cfg->title) ||
	    render_obj_str(pool, v, "site_lang", site->cfg->language) ||
	    render_obj_str(pool, v, "page_title", title) ||
	    /* Every page has a description: search results show it. */
	    render_obj_str(pool, v, "description",
			   description && *description ? description
			   : pool_printf(pool, "The latest news from %s.",
					 site->cfg->title)) ||
	    render_obj_str(pool, v, "og_type", "website") ||
	    render_obj_str(pool, v, "og_title", page_title ? page_title
			   : site->cfg->title) ||
	    render_obj_str(pool, v, "favicon",
			   render_theme_asset_url(site->theme, "favicon.svg")) ||
	    render_obj_str(pool, v, "touch_icon",
			   render_theme_asset_url(site->theme, "logo.png")) ||
	    /* A share preview's picture until stories have their own
	     * (photos): the theme's share.png, 1200 x 630, absolute. */
	    render_obj_str(pool, v, "share_image",
			   render_theme_asset_url(site->theme, "share.png")
			   ? pool_printf(pool, "%s%s", site->cfg->base_url,
					 render_theme_asset_url(site->theme,
								"share.png"))
			   : NULL) ||
	    render_obj_str(pool, v, "stylesheet", site->stylesheet) ||
	    render_obj_str(pool, v, "home_url", "/") ||
	    render_obj_int(pool, v, "year", tm.tm_year + 1900) ||
	    render_obj_set(pool, v, "footer_links", footer) ||
	    render_obj_set(pool, v, "nav", nav) ||
	    site_view_feeds(pool, v, NULL, NULL))
		return NULL;
	if (canonical_path &&
	    render_obj_str(pool, v, "canonical", pool_printf(pool, "%s%s",
			   site->cfg->base_url, canonical_path)))
		return NULL;
	*rc = GZ_OK;
	return v;
}

int
site_render(struct site *site, struct http_resp *resp, const char *tpl,
	    const struct render_val *view)
{
	if (!view)
		return GZ_ENOMEM;
	resp->content_type = "text/html; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-cache");
	return render_theme_render(site->theme, tpl, view, &resp->body);
}

int
site_cache_keys(struct http_resp *resp, struct pool *pool, const char *key,
		const struct store_article *cards, size_t n)
{
	size_t i;
	int rc = GZ_OK;

	if ((rc = http_resp_cache_key(resp, pool, "nav")))
		goto out;
	if (key && (rc = http_resp_cache_key(resp, pool, key)))
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = http_resp_cache_key(resp, pool, pool_printf(pool,
				"article:%lld", (long long)cards[i].id))))
			goto out;
out:
	if (rc == GZ_ETOOBIG)
		return GZ_OK; /* more keys than a page may carry: made anew for
			       * every request instead, which is always right */
	return rc;
}
