/*
 * admin_settings.c - the newsroom's site settings: GET /admin/settings
 * shows the settings an admin may change over gazette.conf (the site's
 * title and zone, the comment policy and its word lists), each saying
 * whether it is set here (overriding gazette.conf) or gazette.conf's;
 * POST stores the changed ones.
 *
 * Data flow: site_admin_begin lets an admin (ADMIN_SETTINGS_EDIT)
 * through; every value is checked with config_setting_check (as
 * gazette.conf's values are) before anything is written; then the
 * changes (store_setting_put: a value, or NULL for "use gazette.conf's")
 * and one audit entry go in one transaction. The store fires "settings",
 * and the serve loop loads the config again (gazette.conf, then the
 * stored settings: cli/cli.c), so the next request and the next comment
 * follow them; the zone waits for the next start.
 *
 * Invariants: a refused value changes nothing and is answered 422 with
 * one sentence naming the setting; gazette.conf is never written.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/pool.h"

/* How a setting is edited. */
enum set_kind {
	SET_TEXT,
	SET_NUMBER,
	SET_SELECT,
	SET_WORDS, /* a textarea */
};

struct set_option {
	const char *value;
	const char *label;
};

static const struct set_option set_moderation[] = {
	{"pre", "Pre-moderation: every comment waits for a moderator"},
	{"first-time", "First-time: a reader's first comment waits, later "
		       "ones from the same browser are published"},
	{"post", "Post-moderation: published at once unless a rule holds it"},
	{NULL, NULL},
};

static const struct set_option set_yes_no[] = {
	{"yes", "Yes"},
	{"no", "No"},
	{NULL, NULL},
};

/* The page's fields, in config_setting_keys' order of meaning. */
static const struct {
	const char *key;
	const char *label;
	const char *help;
	enum set_kind kind;
	const struct set_option *options;
} set_fields[] = {
	{"site.title", "Site title", NULL, SET_TEXT, NULL},
	{"site.timezone", "Time zone",
	 "An IANA name such as Europe/London or Asia/Tehran. A new zone "
	 "takes effect when gazette next starts.", SET_TEXT, NULL},
	{"comments.moderation", "Moderation policy", NULL, SET_SELECT,
	 set_moderation},
	{"comments.require_email", "Require an email address", NULL,
	 SET_SELECT, set_yes_no},
	{"comments.close_after_days", "Close comments after (days)",
	 "Days after publication; 0 never closes them.", SET_NUMBER, NULL},
	{"comments.hold_words", "Hold words",
	 "Comma-separated. A comment with one of them waits for a moderator.",
	 SET_WORDS, NULL},
	{"comments.block_words", "Block words",
	 "Comma-separated. A comment with one of them is rejected; an "
	 "address may be listed too.", SET_WORDS, NULL},
};

#define SET_NFIELDS (sizeof(set_fields) / sizeof(set_fields[0]))

/* The stored value of key in items[0..n), or NULL. */
static const char *
set_stored(const struct store_setting *items, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].key, key) == 0)
			return items[i].value;
	return NULL;
}

/* "set-comments-moderation": an id for the field of key. In the pool. */
static const char *
set_field_id(struct pool *pool, const char *key)
{
	char *id = pool_printf(pool, "set-%s", key), *p;

	for (p = id; p && *p; p++)
		if (*p == '.' || *p == '_')
			*p = '-';
	return id;
}

/*
 * Renders the page: each field with value (what the form shows: shown[i]
 * when not NULL, else the stored value, else the running one), whether
 * it is stored here, and for a refused POST the field and sentence
 * (error_key, error; NULL otherwise) with status 422.
 */
static int
set_page(struct site *site, struct http_req *req, struct http_resp *resp,
	 const struct site_staff *staff, const struct store_setting *items,
	 size_t n, const char *const *shown, const char *error_key,
	 const char *error)
{
	struct pool *pool = req->pool;
	struct render_val *view, *fields, *f, *opts, *o;
	const char *value, *stored;
	char num[32];
	size_t i, k;

	if (!(view = site_admin_view(site, req, staff, "Settings",
				     "settings")) ||
	    !(fields = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < SET_NFIELDS; i++) {
		stored = set_stored(items, n, set_fields[i].key);
		value = shown && shown[i] ? shown[i]
			: stored ? stored
			: pool_strdup(pool, config_setting_value(site->cfg,
				      set_fields[i].key, num, sizeof(num)));
		if (!value || !(f = render_obj_new(pool)) ||
		    render_obj_str(pool, f, "key", set_fields[i].key) ||
		    render_obj_str(pool, f, "field_id",
				   set_field_id(pool, set_fields[i].key)) ||
		    !render_obj_get(f, "field_id") ||
		    render_obj_str(pool, f, "label", set_fields[i].label) ||
		    render_obj_str(pool, f, "help", set_fields[i].help) ||
		    render_obj_str(pool, f, "value", value) ||
		    render_obj_bool(pool, f, "stored", stored != NULL) ||
		    render_obj_bool(pool, f, "is_text",
				    set_fields[i].kind == SET_TEXT) ||
		    render_obj_bool(pool, f, "is_number",
				    set_fields[i].kind == SET_NUMBER) ||
		    render_obj_bool(pool, f, "is_select",
				    set_fields[i].kind == SET_SELECT) ||
		    render_obj_bool(pool, f, "is_words",
				    set_fields[i].kind == SET_WORDS))
			return GZ_ENOMEM;
		if (error_key && strcmp(error_key, set_fields[i].key) == 0 &&
		    render_obj_str(pool, f, "error", error))
			return GZ_ENOMEM;
		if (set_fields[i].options) {
			if (!(opts = render_list_new(pool)))
				return GZ_ENOMEM;
			for (k = 0; set_fields[i].options[k].value; k++)
				if (!(o = render_obj_new(pool)) ||
				    render_obj_str(pool, o, "value",
					set_fields[i].options[k].value) ||
				    render_obj_str(pool, o, "label",
					set_fields[i].options[k].label) ||
				    render_obj_bool(pool, o, "selected",
					strcmp(value,
					       set_fields[i].options[k].value) == 0) ||
				    render_list_push(pool, opts, o))
					return GZ_ENOMEM;
			if (render_obj_set(pool, f, "options", opts))
				return GZ_ENOMEM;
		}
		if (render_list_push(pool, fields, f))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "settings", fields) ||
	    render_obj_str(pool, view, "error", error))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, error ? 422 : 0, "admin_settings",
				 view);
}

/* True when the form's "reset" checkboxes name key. */
static bool
set_reset(const char **resets, size_t nresets, const char *key)
{
	size_t i;

	for (i = 0; i < nresets; i++)
		if (strcmp(resets[i], key) == 0)
			return true;
	return false;
}

/* POST: checks every changed value, then stores the changes with one
 * audit entry in one transaction, and answers 303 with done=settings;
 * a refused value is the form again (422), nothing stored. */
static int
set_post(struct site *site, struct http_req *req, struct http_resp *resp,
	 const struct site_staff *staff, const struct store_setting *items,
	 size_t n)
{
	struct pool *pool = req->pool;
	const char *shown[SET_NFIELDS], *put[SET_NFIELDS];
	const char *resets[SET_NFIELDS];
	bool change[SET_NFIELDS];
	const char *v, *stored, *current, *label;
	char err[512], num[32], changed[512];
	size_t nresets = 0, i, len = 0, nchanged = 0;
	int rc, w;

	/* One per setting at most; more is not our form. */
	if ((nresets = http_req_form_all(req, "reset", resets, SET_NFIELDS)) >
	    SET_NFIELDS)
		return GZ_EINVAL;
	/* What was typed, all of it first: a refusal below shows the form
	 * again with every field as sent. */
	for (i = 0; i < SET_NFIELDS; i++) {
		shown[i] = http_req_form(req, set_fields[i].key);
		put[i] = NULL;
		change[i] = false;
	}
	for (i = 0; i < SET_NFIELDS; i++) {
		stored = set_stored(items, n, set_fields[i].key);
		if (set_reset(resets, nresets, set_fields[i].key)) {
			/* Back to gazette.conf's value. */
			change[i] = stored != NULL;
			continue;
		}
		if (!(v = shown[i]))
			continue;
		current = stored ? stored
			: config_setting_value(site->cfg, set_fields[i].key, num,
					       sizeof(num));
		if (strcmp(v, current) == 0)
			continue;
		if ((rc = config_setting_check(set_fields[i].key, v, err,
					       sizeof(err))) == GZ_ENOMEM)
			return rc;
		if (rc != GZ_OK) {
			label = set_fields[i].label;
			return set_page(site, req, resp, staff, items, n, shown,
					set_fields[i].key, pool_printf(pool,
					"%s was not saved: %s. Nothing was "
					"changed.", label, err));
		}
		put[i] = v;
		change[i] = true;
	}
	changed[0] = '\0';
	for (i = 0; i < SET_NFIELDS; i++) {
		if (!change[i])
			continue;
		w = snprintf(changed + len, sizeof(changed) - len, "%s%s",
			     nchanged ? ", " : "", set_fields[i].key);
		/* Seven short keys always fit. */
		if (w < 0 || (size_t)w >= sizeof(changed) - len)
			return GZ_ENOMEM;
		len += (size_t)w;
		nchanged++;
	}
	if (nchanged == 0)
		return site_admin_done(req, resp, "/admin/settings", "none");
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	for (i = 0; i < SET_NFIELDS; i++)
		if (change[i] &&
		    (rc = store_setting_put(site->store, set_fields[i].key,
					    put[i])) != GZ_OK)
			goto fail;
	if ((rc = store_audit_add(site->store, staff->actor, "settings",
				  "settings", changed, req->ip ? req->ip : "",
				  site_now())) != GZ_OK)
		goto fail;
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	return site_admin_done(req, resp, "/admin/settings", "settings-saved");
fail:
	store_tx_rollback(site->store);
	return rc;
}

int
site_admin_settings(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	struct store_setting *items = NULL;
	size_t n = 0;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_SETTINGS_EDIT,
				   &staff, &answered)) != GZ_OK || answered)
		return rc;
	if ((rc = store_setting_list(site->store, req->pool, &items, &n)))
		return rc;
	if (req->method == HTTP_POST)
		return set_post(site, req, resp, &staff, items, n);
	return set_page(site, req, resp, &staff, items, n, NULL, NULL, NULL);
}
