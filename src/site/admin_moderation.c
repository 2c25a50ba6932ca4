/*
 * admin_moderation.c - the newsroom's moderation queue: GET
 * /admin/comments (the queue, pending first), GET /admin/comments/{id}
 * (one comment with its parent chain and replies) and POST
 * /admin/comments (approve, reject, mark as spam or delete one comment
 * or many).
 *
 * Data flow: site_admin_begin lets a member of staff with
 * ADMIN_COMMENT_MODERATE through (a POST only with the session's CSRF
 * token and the site's Origin); the queue is read with
 * store_comment_query, each comment shown in full as plain text
 * (render_text: escaped, line breaks kept), with who sent it, from
 * where, when, why it was held, its article and its parent. A POST acts
 * through store_comment_set_status / store_comment_delete (each logged
 * in the moderation log under staff->actor) and appends one audit entry,
 * all in one transaction, then answers 303 to the queue with its
 * filters and done=CODE. The store's change events empty the pages of
 * the comments' articles from the cache, so an approved comment shows at
 * once.
 *
 * Invariants: nothing changes on a GET; every id and filter from the
 * request is parsed and capped (GZ_LIMIT_FORM_VALUES ids a POST); email
 * addresses appear only here, never on a public page.
 */
#include <stdio.h>
#include <string.h>

#include "site/site_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Comments on a page of the queue. */
#define MOD_PER_PAGE 50
/* The most ancestors the thread page walks up (replies nest a few
 * levels; the cap only bounds a damaged chain). */
#define MOD_CHAIN_MAX 32
/* The most comments of an article the thread page reads for replies. */
#define MOD_REPLIES_MAX 1000

/* A status filter of the queue: its query value, its label, the store's
 * status (-1: all). */
static const struct {
	const char *value;
	const char *label;
	int status;
} mod_statuses[] = {
	{"pending", "Pending", STORE_COMMENT_PENDING},
	{"approved", "Approved", STORE_COMMENT_APPROVED},
	{"rejected", "Rejected", STORE_COMMENT_REJECTED},
	{"spam", "Spam", STORE_COMMENT_SPAM},
	{"all", "All", -1},
};

/* What a POST may do: the form's value, the status it sets (-1:
 * delete), the audit log's action and the done code. */
static const struct {
	const char *value;
	int status;
	const char *done;
} mod_actions[] = {
	{"approve", STORE_COMMENT_APPROVED, "approved"},
	{"reject", STORE_COMMENT_REJECTED, "rejected"},
	{"spam", STORE_COMMENT_SPAM, "spam"},
	{"delete", -1, "deleted"},
};

/* The queue's filters, from the query or from a POST's hidden fields. */
struct mod_filter {
	size_t status;      /* index into mod_statuses */
	int64_t article_id; /* 0: any */
	uint64_t page;      /* from 1 */
};

static const char *
mod_status_label(enum store_comment_status s)
{
	switch (s) {
	case STORE_COMMENT_PENDING: return "Pending";
	case STORE_COMMENT_APPROVED: return "Approved";
	case STORE_COMMENT_REJECTED: return "Rejected";
	case STORE_COMMENT_SPAM: return "Spam";
	}
	return "";
}

/* Reads the filters from get (the query) or the form. A value that is
 * not one of ours is GZ_EINVAL (400): the queue's own links and forms
 * never make one. */
static int
mod_filter_read(struct http_req *req, bool form, struct mod_filter *f)
{
	const char *status, *article, *page;
	uint64_t v;
	size_t i;

	status = form ? http_req_form(req, "status")
		      : http_req_query(req, "status");
	article = form ? http_req_form(req, "article")
		       : http_req_query(req, "article");
	page = form ? http_req_form(req, "page") : http_req_query(req, "page");
	f->status = 0;
	f->article_id = 0;
	f->page = 1;
	if (status && *status) {
		for (i = 0; i < sizeof(mod_statuses) / sizeof(mod_statuses[0]);
		     i++)
			if (strcmp(status, mod_statuses[i].value) == 0)
				break;
		if (i == sizeof(mod_statuses) / sizeof(mod_statuses[0]))
			return GZ_EINVAL;
		f->status = i;
	}
	if (article && *article) {
		if (http_parse_uint(article, INT64_MAX, &v) != GZ_OK)
			return GZ_EINVAL;
		f->article_id = (int64_t)v;
	}
	if (page && *page) {
		if (http_parse_uint(page, GZ_LIMIT_PAGE_NUMBER, &v) != GZ_OK ||
		    v == 0)
			return GZ_EINVAL;
		f->page = v;
	}
	return GZ_OK;
}

/* "/admin/comments?status=S[&article=N][&page=P]": the queue with f's
 * filters. In the pool; NULL when out of memory. */
static const char *
mod_queue_url(struct pool *pool, const struct mod_filter *f, uint64_t page)
{
	char article[32] = "", pg[32] = "";
	int w;

	if (f->article_id) {
		w = snprintf(article, sizeof(article), "&article=%lld",
			     (long long)f->article_id);
		if (w < 0 || (size_t)w >= sizeof(article))
			return NULL;
	}
	if (page > 1) {
		w = snprintf(pg, sizeof(pg), "&page=%llu",
			     (unsigned long long)page);
		if (w < 0 || (size_t)w >= sizeof(pg))
			return NULL;
	}
	return pool_printf(pool, "/admin/comments?status=%s%s%s",
			   mod_statuses[f->status].value, article, pg);
}

/* A comment's text as HTML (render_text: escaped, paragraphs and line
 * breaks kept, links inert but for rel). In the pool; NULL when out of
 * memory or too long for a page. */
static const char *
mod_body_html(struct pool *pool, const char *body)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	if (render_text(body, strlen(body), &b) == GZ_OK)
		out = pool_strndup(pool, b.data ? b.data : "", b.len);
	buf_fini(&b);
	return out;
}

/* The articles the comments of one page are on, looked up once each. */
struct mod_article {
	int64_t id;
	bool found;
	struct store_article a;
	const char *url; /* its public page; NULL when not visible */
};

struct mod_articles {
	struct mod_article v[MOD_PER_PAGE + 1];
	size_t n;
};

/* Finds article id in as (reading it on first use). Returns NULL when
 * out of memory or on a store error (*rc set). */
static const struct mod_article *
mod_article(struct site *site, struct pool *pool, struct mod_articles *as,
	    int64_t id, int *rc)
{
	struct mod_article *m;
	int64_t now = site_now();
	size_t i;

	for (i = 0; i < as->n; i++)
		if (as->v[i].id == id)
			return &as->v[i];
	if (as->n == sizeof(as->v) / sizeof(as->v[0])) {
		*rc = GZ_ENOMEM;
		return NULL;
	}
	m = &as->v[as->n];
	memset(m, 0, sizeof(*m));
	m->id = id;
	*rc = store_article_get(site->store, pool, id, 0, &m->a);
	if (*rc == GZ_ENOTFOUND) {
		*rc = GZ_OK;
	} else if (*rc != GZ_OK) {
		return NULL;
	} else {
		m->found = true;
		/* Only a story readers can see has a page to link to. */
		if ((m->a.status == STORE_PUBLISHED ||
		     m->a.status == STORE_SCHEDULED) &&
		    m->a.published_at <= now &&
		    !(m->url = site_url_article(pool, &m->a))) {
			*rc = GZ_ENOMEM;
			return NULL;
		}
	}
	as->n++;
	return m;
}

/* The view of one comment c for the queue or the thread page: its text
 * in full, who, where from, when, why held, its article (linked when
 * readers can see it: to the comment itself when approved) and its
 * parent's text (with_parent). Returns NULL when out of memory or on a
 * store error (*rc). */
static struct render_val *
mod_comment_view(struct site *site, struct pool *pool,
		 struct mod_articles *as, const struct store_comment *c,
		 bool with_parent, int *rc)
{
	struct render_val *o, *p;
	const struct mod_article *m;
	struct store_comment parent;
	char human[DATE_MAX], iso[DATE_MAX];
	const char *headline, *url = NULL;
	int found;

	*rc = GZ_ENOMEM;
	if (!(m = mod_article(site, pool, as, c->article_id, rc)))
		return NULL;
	headline = c->article_headline && *c->article_headline
		   ? c->article_headline
		   : m->found ? m->a.headline : "(a deleted article)";
	/* The story; an approved comment where it stands in it. */
	url = m->url;
	if (url && c->status == STORE_COMMENT_APPROVED &&
	    !(url = pool_printf(pool, "%s#comment-%lld",
				site_url_comment(pool, m->url, c->id),
				(long long)c->id)))
		return NULL;
	date_format_human(c->created_at, human);
	date_format_iso(c->created_at, iso);
	*rc = GZ_ENOMEM;
	if (!(o = render_obj_new(pool)) ||
	    render_obj_int(pool, o, "id", c->id) ||
	    render_obj_str(pool, o, "author", c->author) ||
	    /* Every key set, "" when empty: a missing one would be read
	     * from the context around it (the page, or the comment a
	     * parent is shown in). */
	    render_obj_str(pool, o, "email", c->email ? c->email : "") ||
	    render_obj_str(pool, o, "ip", c->ip && *c->ip ? c->ip : "unknown") ||
	    render_obj_str(pool, o, "date_human", pool_strdup(pool, human)) ||
	    render_obj_str(pool, o, "date_iso", pool_strdup(pool, iso)) ||
	    render_obj_str(pool, o, "status_label",
			   mod_status_label(c->status)) ||
	    render_obj_str(pool, o, "hold_reason",
			   c->hold_reason ? c->hold_reason : "") ||
	    render_obj_str(pool, o, "article_headline", headline) ||
	    render_obj_int(pool, o, "article_id", c->article_id) ||
	    render_obj_str(pool, o, "article_url", url ? url : "") ||
	    render_obj_html(pool, o, "body_html", mod_body_html(pool, c->body)) ||
	    !render_obj_get(o, "body_html") ||
	    render_obj_str(pool, o, "thread_url", pool_printf(pool,
			   "/admin/comments/%lld", (long long)c->id)))
		return NULL;
	if (!with_parent) {
		*rc = GZ_OK;
		return o;
	}
	if (c->parent_id) {
		found = store_comment_get(site->store, pool, c->parent_id,
					  &parent);
		if (found != GZ_OK && found != GZ_ENOTFOUND) {
			*rc = found;
			return NULL;
		}
		/* A parent deleted since: its replies moved up, so this is
		 * rare; say so rather than show nothing. */
		if (!(p = render_obj_new(pool)))
			return NULL;
		if (found == GZ_OK) {
			if (render_obj_str(pool, p, "author", parent.author) ||
			    render_obj_html(pool, p, "body_html",
					    mod_body_html(pool, parent.body)) ||
			    !render_obj_get(p, "body_html"))
				return NULL;
		} else if (render_obj_str(pool, p, "author", "") ||
			   render_obj_html(pool, p, "body_html",
					   "<p>(deleted)</p>")) {
			return NULL;
		}
		if (render_obj_set(pool, o, "parent", p) ||
		    render_obj_bool(pool, o, "top_level", false))
			return NULL;
	} else if (render_obj_bool(pool, o, "top_level", true) ||
		   render_obj_bool(pool, o, "parent", false)) {
		return NULL;
	}
	*rc = GZ_OK;
	return o;
}

/* The status filter's options for the template's select. */
static struct render_val *
mod_status_options(struct pool *pool, size_t current)
{
	struct render_val *list = render_list_new(pool), *o;
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < sizeof(mod_statuses) / sizeof(mod_statuses[0]); i++)
		if (!(o = render_obj_new(pool)) ||
		    render_obj_str(pool, o, "value", mod_statuses[i].value) ||
		    render_obj_str(pool, o, "label", mod_statuses[i].label) ||
		    render_obj_bool(pool, o, "selected", i == current) ||
		    render_list_push(pool, list, o))
			return NULL;
	return list;
}

static int mod_post(struct site *site, struct http_req *req,
		    struct http_resp *resp, const struct site_staff *staff);

int
site_admin_comments(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_comment_filter q = {0};
	struct store_comment *items = NULL;
	struct mod_articles *as;
	struct mod_filter f;
	struct render_val *view, *list, *ids, *o, *idv;
	size_t n = 0, i, shown;
	bool answered, more;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_COMMENT_MODERATE,
				   &staff, &answered)) != GZ_OK || answered)
		return rc;
	if (req->method == HTTP_POST)
		return mod_post(site, req, resp, &staff);
	if ((rc = mod_filter_read(req, false, &f)) != GZ_OK)
		return rc;
	q.status = mod_statuses[f.status].status;
	q.article_id = f.article_id;
	/* One more than a page: is there a next one? */
	q.limit = MOD_PER_PAGE + 1;
	q.offset = (size_t)(f.page - 1) * MOD_PER_PAGE;
	if ((rc = store_comment_query(site->store, pool, &q, &items, &n)))
		return rc;
	more = n > MOD_PER_PAGE;
	shown = more ? MOD_PER_PAGE : n;
	if (!(as = pool_calloc(pool, 1, sizeof(*as))) ||
	    !(view = site_admin_view(site, req, &staff, "Comments",
				     "comments")) ||
	    !(list = render_list_new(pool)) || !(ids = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < shown; i++) {
		if (!(o = mod_comment_view(site, pool, as, &items[i], true, &rc)))
			return rc;
		if (render_list_push(pool, list, o) ||
		    !(idv = render_obj_new(pool)) ||
		    render_obj_int(pool, idv, "id", items[i].id) ||
		    render_list_push(pool, ids, idv))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "statuses",
			   mod_status_options(pool, f.status)) ||
	    !render_obj_get(view, "statuses") ||
	    render_obj_str(pool, view, "status_filter",
			   mod_statuses[f.status].value) ||
	    render_obj_str(pool, view, "status_filter_label",
			   mod_statuses[f.status].label) ||
	    (f.article_id &&
	     render_obj_int(pool, view, "article_filter", f.article_id)) ||
	    render_obj_int(pool, view, "page_number", (int64_t)f.page) ||
	    render_obj_set(pool, view, "mod_comments", list) ||
	    render_obj_set(pool, view, "shown_ids", ids) ||
	    render_obj_bool(pool, view, "has_comments", shown > 0) ||
	    render_obj_int(pool, view, "shown_count", (int64_t)shown) ||
	    (f.page > 1 &&
	     render_obj_str(pool, view, "prev_url",
			    mod_queue_url(pool, &f, f.page - 1))) ||
	    (more && render_obj_str(pool, view, "next_url",
				    mod_queue_url(pool, &f, f.page + 1))))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_comments", view);
}

int
site_admin_comment(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_comment c, up, *chain, *all = NULL;
	struct store_comment_filter q = {0};
	struct mod_articles *as;
	struct render_val *view, *ancestors, *replies, *o;
	size_t nchain = 0, nall = 0, nreplies = 0, i;
	int64_t next;
	uint64_t id;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_COMMENT_MODERATE,
				   &staff, &answered)) != GZ_OK || answered)
		return rc;
	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_comment_get(site->store, pool, (int64_t)id, &c)))
		return rc;
	if (!(as = pool_calloc(pool, 1, sizeof(*as))) ||
	    !(chain = pool_calloc(pool, MOD_CHAIN_MAX, sizeof(*chain))))
		return GZ_ENOMEM;
	/* Up the thread: the parent, its parent, ... to the top. */
	for (next = c.parent_id; next && nchain < MOD_CHAIN_MAX;
	     next = up.parent_id) {
		if ((rc = store_comment_get(site->store, pool, next, &up)) ==
		    GZ_ENOTFOUND)
			break;
		if (rc != GZ_OK)
			return rc;
		chain[nchain++] = up;
	}
	/* Down: the replies to it, of any status. */
	q.status = -1;
	q.article_id = c.article_id;
	q.limit = MOD_REPLIES_MAX;
	if ((rc = store_comment_query(site->store, pool, &q, &all, &nall)))
		return rc;
	if (!(view = site_admin_view(site, req, &staff, pool_printf(pool,
				     "Comment %lld and its thread", (long long)c.id),
				     "comments")) ||
	    !(ancestors = render_list_new(pool)) ||
	    !(replies = render_list_new(pool)))
		return GZ_ENOMEM;
	/* Oldest first: the top of the thread, down to the parent. */
	for (i = nchain; i-- > 0;) {
		if (!(o = mod_comment_view(site, pool, as, &chain[i], false, &rc)))
			return rc;
		if (render_list_push(pool, ancestors, o))
			return GZ_ENOMEM;
	}
	/* The query is newest first: replies oldest first. */
	for (i = nall; i-- > 0;) {
		if (all[i].parent_id != c.id)
			continue;
		if (!(o = mod_comment_view(site, pool, as, &all[i], false, &rc)))
			return rc;
		if (render_list_push(pool, replies, o))
			return GZ_ENOMEM;
		nreplies++;
	}
	if (!(o = mod_comment_view(site, pool, as, &c, false, &rc)))
		return rc;
	if (render_obj_set(pool, view, "comment", o) ||
	    render_obj_set(pool, view, "ancestors", ancestors) ||
	    render_obj_bool(pool, view, "has_ancestors", nchain > 0) ||
	    render_obj_set(pool, view, "replies", replies) ||
	    render_obj_bool(pool, view, "has_replies", nreplies > 0) ||
	    render_obj_int(pool, view, "article_filter", c.article_id) ||
	    render_obj_str(pool, view, "status_filter", "all"))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_comment", view);
}

/* The ids a POST names, parsed: one button's ("one" = ACTION:ID), the
 * shown ones ("all" = ACTION, with "shown" = ID...) or the checked ones
 * ("action" = ACTION, with "id" = ID...). Output: *action (an index
 * into mod_actions), ids[] (in the pool), *n. Returns GZ_OK,
 * GZ_EINVAL (a field that none of our forms sends), GZ_ETOOBIG (more
 * than GZ_LIMIT_FORM_VALUES ids) or GZ_ENOMEM. */
static int
mod_post_read(struct http_req *req, size_t *action, int64_t **ids, size_t *n)
{
	const char *one = http_req_form(req, "one");
	const char *all = http_req_form(req, "all");
	const char *act, *colon, **values = NULL;
	char name[16];
	size_t nvalues = 0, i, len;
	uint64_t v;

	*n = 0;
	if (one && *one) {
		if (!(colon = strchr(one, ':')) ||
		    (len = (size_t)(colon - one)) >= sizeof(name))
			return GZ_EINVAL;
		memcpy(name, one, len);
		name[len] = '\0';
		act = name;
	} else {
		act = all && *all ? all : http_req_form(req, "action");
	}
	if (!act)
		return GZ_EINVAL;
	for (i = 0; i < sizeof(mod_actions) / sizeof(mod_actions[0]); i++)
		if (strcmp(act, mod_actions[i].value) == 0)
			break;
	if (i == sizeof(mod_actions) / sizeof(mod_actions[0]))
		return GZ_EINVAL;
	*action = i;
	if (one && *one) {
		if (!(*ids = pool_alloc(req->pool, sizeof(**ids))) ||
		    http_parse_uint(strchr(one, ':') + 1, INT64_MAX, &v) != GZ_OK)
			return *ids ? GZ_EINVAL : GZ_ENOMEM;
		(*ids)[0] = (int64_t)v;
		*n = 1;
		return GZ_OK;
	}
	/* At most GZ_LIMIT_FORM_VALUES: a longer list is refused, never
	 * cut (acting on part of what was ticked would surprise). */
	if (!(values = pool_calloc(req->pool, GZ_LIMIT_FORM_VALUES,
				   sizeof(*values))))
		return GZ_ENOMEM;
	nvalues = http_req_form_all(req, all && *all ? "shown" : "id", values,
				    GZ_LIMIT_FORM_VALUES);
	if (nvalues > GZ_LIMIT_FORM_VALUES)
		return GZ_ETOOBIG;
	if (!(*ids = pool_calloc(req->pool, nvalues ? nvalues : 1,
				 sizeof(**ids))))
		return GZ_ENOMEM;
	for (i = 0; i < nvalues; i++) {
		if (http_parse_uint(values[i], INT64_MAX, &v) != GZ_OK)
			return GZ_EINVAL;
		(*ids)[i] = (int64_t)v;
	}
	*n = nvalues;
	return GZ_OK;
}

/* "12, 13, 14", cut with "..." past a few hundred bytes (the audit log
 * keeps 512). In the pool; NULL when out of memory. */
static const char *
mod_id_list(struct pool *pool, const int64_t *ids, size_t n)
{
	char out[400];
	size_t len = 0, i;
	int w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		/* An id is at most 19 digits: ", " and one, or ", ...",
		 * always fit while len is under sizeof(out) - 32. */
		if (len >= sizeof(out) - 32) {
			memcpy(out + len, ", ...", 6);
			break;
		}
		w = snprintf(out + len, sizeof(out) - len, "%s%lld",
			     i ? ", " : "", (long long)ids[i]);
		if (w < 0 || (size_t)w >= sizeof(out) - len)
			return NULL;
		len += (size_t)w;
	}
	return pool_strdup(pool, out);
}

/* POST /admin/comments, once the gate let staff through: the action on
 * the ids, in one transaction with its audit entry, then a 303 to the
 * queue with its filters and done=CODE ("none" when nothing was
 * ticked). */
static int
mod_post(struct site *site, struct http_req *req, struct http_resp *resp,
	 const struct site_staff *staff)
{
	struct pool *pool = req->pool;
	struct mod_filter f;
	int64_t *ids = NULL, now = site_now();
	size_t action = 0, n = 0, i, done = 0;
	const char *object, *detail;
	int rc;

	if ((rc = mod_filter_read(req, true, &f)) != GZ_OK ||
	    (rc = mod_post_read(req, &action, &ids, &n)) != GZ_OK)
		return rc;
	/* Nothing ticked: nothing to do, say so. */
	if (n == 0)
		return site_admin_done(req, resp, mod_queue_url(pool, &f, f.page),
				       "none");
	object = n == 1 ? pool_printf(pool, "comment:%lld", (long long)ids[0])
			: "comments";
	if (!object || !(detail = mod_id_list(pool, ids, n)))
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (mod_actions[action].status < 0)
			rc = store_comment_delete(site->store, ids[i],
						  staff->actor, now);
		else
			rc = store_comment_set_status(site->store, ids[i],
				(enum store_comment_status)mod_actions[action].status,
				staff->actor, now);
		/* Deleted by someone else a moment ago: nothing to do. */
		if (rc == GZ_ENOTFOUND)
			continue;
		if (rc != GZ_OK)
			goto fail;
		done++;
	}
	if (done == 0) {
		store_tx_rollback(site->store);
		return GZ_ENOTFOUND;
	}
	if ((rc = store_audit_add(site->store, staff->actor,
				  mod_actions[action].value, object, detail,
				  req->ip ? req->ip : "", now)) != GZ_OK)
		goto fail;
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	return site_admin_done(req, resp, mod_queue_url(pool, &f, f.page),
			       mod_actions[action].done);
fail:
	store_tx_rollback(site->store);
	return rc;
}
