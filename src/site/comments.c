/*
 * comments.c - readers' comments on the article page: the thread of
 * approved comments, the "Leave a Comment" form with a fresh CAPTCHA
 * challenge, and POST /news/{id}/comments, which takes a submission.
 *
 * Data flow of a submission: http/ has read the form; comments/ judges it
 * (token, honeypot, rate limit, answer, fields, word lists, policy);
 * store/ spends the token's nonce and stores the comment in one
 * transaction; the reader is sent back to the article with 303. A
 * submission the reader can fix is answered with the article page again
 * (422, or 429 for the rate limit), everything they typed kept, one
 * sentence next to the field to fix, and a new question. A refused
 * submission's nonce is spent on its own first, a rate-limited one's
 * never. Every write goes through the store's writer with the request
 * suspended: no server thread waits for the database's write lock.
 *
 * The first-time rule knows a browser again by its commenter cookie
 * (comments/commenter.c), set under that policy (only) on the 303 of
 * every stored comment (and on a discarded one's, which must look held):
 * the comment row carries the cookie's keyed hash, and the store
 * publishes at once only when a moderator approved a comment with the
 * same key. A page shown again for a mistake sets no cookie: no comment
 * of it is stored yet.
 *
 * Invariants: a comment acknowledged to the reader (303) is committed; a
 * response that sets the cookie is never cached (no-store, and http/
 * keeps no page with a Set-Cookie).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "config/config.h"
#include "metrics/metrics.h"

#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/utf8.h"

#define COMMENTS_NOTICE_HELD "Thank you. Your comment is awaiting moderation."

bool
site_comments_open(const struct site *site, const struct store_article *a,
		   int64_t now)
{
	const struct comments_policy *p = comments_policy(site->comments);
	int64_t close_at = a->comments_close_at;

	if (close_at == 0) {
		if (p->close_after_days == 0)
			return true;
		close_at = a->published_at + (int64_t)p->close_after_days * 86400;
	}
	return now < close_at;
}

/* A comment's id and its position in the list, sorted by id to find a
 * reply's parent in O(log n). */
struct comment_pos {
	int64_t id;
	size_t pos;
};

static int
comment_pos_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct comment_pos *)a)->id;
	int64_t y = ((const struct comment_pos *)b)->id;

	return (x > y) - (x < y);
}

/* Which page of an article's comment threads is shown, and whether
 * another follows. */
struct thread_page {
	size_t page; /* 1-based */
	bool more;
};

/* One page of the approved comments of a, threaded, as a list of comment
 * objects: the threads (a top-level comment and all its replies, never
 * split) of one page, read from the store alone. want_comment, when not
 * 0, picks the page holding that comment; else want_page (1-based) is
 * the page. Output: *tp. Returns NULL with *rc set on failure
 * (GZ_ENOTFOUND for a page past the last). */
static struct render_val *
comments_thread(struct site *site, struct http_req *req,
		const struct store_article *a, const char *article_url,
		bool open, uint64_t want_page, int64_t want_comment,
		struct thread_page *tp, int *rc)
{
	struct pool *pool = req->pool;
	struct store_comment *items = NULL;
	struct render_val *top, **objs, **replies;
	unsigned max_depth = comments_policy(site->comments)->max_depth;
	size_t per = site->cfg->comments_per_page, pos;
	unsigned *depth;
	size_t *attached; /* the position a comment was attached under */
	struct comment_pos *byid;
	size_t n = 0, i, k;
	struct buf b;

	tp->page = want_page ? (size_t)want_page : 1;
	if (want_comment) {
		*rc = store_comment_thread_pos(site->store, a->id, want_comment,
					       &pos);
		if (*rc == GZ_OK)
			tp->page = pos / per + 1;
		else if (*rc != GZ_ENOTFOUND)
			return NULL;
		else
			tp->page = 1;
	}
	if ((*rc = store_comment_page(site->store, pool, a->id,
				      (tp->page - 1) * per, per, &items, &n,
				      &tp->more)))
		return NULL;
	if (n == 0 && tp->page > 1) {
		*rc = GZ_ENOTFOUND;
		return NULL;
	}
	*rc = GZ_ENOMEM;
	if (!(top = render_list_new(pool)))
		return NULL;
	objs = pool_calloc(pool, n ? n : 1, sizeof(*objs));
	replies = pool_calloc(pool, n ? n : 1, sizeof(*replies));
	depth = pool_calloc(pool, n ? n : 1, sizeof(*depth));
	attached = pool_calloc(pool, n ? n : 1, sizeof(*attached));
	byid = pool_calloc(pool, n ? n : 1, sizeof(*byid));
	if (!objs || !replies || !depth || !attached || !byid)
		return NULL;
	for (i = 0; i < n; i++) {
		byid[i].id = items[i].id;
		byid[i].pos = i;
	}
	qsort(byid, n, sizeof(*byid), comment_pos_cmp);

	/* Where each comment goes: replies nest under their parent up to
	 * max_depth, deeper ones join the deepest level allowed; a reply
	 * whose parent is not shown (rejected or deleted since) stands at
	 * the top. */
	for (i = 0; i < n; i++) {
		const struct store_comment *c = &items[i];
		struct comment_pos key = {c->parent_id, 0}, *hit = NULL;

		depth[i] = 0;
		attached[i] = i;
		if (c->parent_id)
			hit = bsearch(&key, byid, n, sizeof(*byid), comment_pos_cmp);
		if (hit && hit->pos < i && max_depth > 1) {
			k = hit->pos;
			while (depth[k] + 1 >= max_depth)
				k = attached[k]; /* depth > 0: it has one */
			attached[i] = k;
			depth[i] = depth[k] + 1;
		}
	}

	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	for (i = 0; i < n; i++) {
		const struct store_comment *c = &items[i];
		struct render_val *o, *parent_list = top;
		size_t parent_idx = attached[i];
		char human[DATE_MAX], iso[DATE_MAX];
		const char *html;

		if (parent_idx != i)
			parent_list = replies[parent_idx];
		buf_reset(&b);
		if (!(o = render_obj_new(pool)) ||
		    render_text(c->body, strlen(c->body), &b) != GZ_OK ||
		    !(html = pool_strndup(pool, b.data ? b.data : "", b.len)) ||
		    !(replies[i] = render_list_new(pool)))
			goto fail;
		date_format_human(c->created_at, human);
		date_format_iso(c->created_at, iso);
		/* A comment's number is its id: what moderators see in the
		 * command line and the admin. An explicit empty "replies"
		 * stops the template's recursion. */
		if (render_obj_int(pool, o, "id", c->id) ||
		    render_obj_int(pool, o, "number", c->id) ||
		    render_obj_str(pool, o, "author", c->author) ||
		    render_obj_str(pool, o, "date_human", pool_strdup(pool, human)) ||
		    render_obj_str(pool, o, "date_iso", pool_strdup(pool, iso)) ||
		    render_obj_html(pool, o, "body_html", html) ||
		    render_obj_str(pool, o, "permalink", pool_printf(pool,
				   "%s#comment-%lld", site_url_comment(pool,
				   article_url, c->id), (long long)c->id)) ||
		    render_obj_set(pool, o, "replies", replies[i]) ||
		    render_obj_bool(pool, o, "has_replies", false) ||
		    render_list_push(pool, parent_list, o))
			goto fail;
		if (parent_list != top &&
		    render_obj_bool(pool, objs[parent_idx], "has_replies", true))
			goto fail;
		if (open && render_obj_str(pool, o, "reply_url", pool_printf(pool,
				"%s?reply=%lld#leave-a-comment", article_url,
				(long long)c->id)))
			goto fail;
		objs[i] = o;
	}
	buf_fini(&b);
	*rc = GZ_OK;
	return top;
fail:
	buf_fini(&b);
	return NULL;
}

const char *
site_url_comment(struct pool *pool, const char *article_url, int64_t id)
{
	return pool_printf(pool, "%s?comment=%lld", article_url, (long long)id);
}

/* The URL of comment page p ("#comments" opens the thread). */
static const char *
comments_page_url(struct pool *pool, const char *article_url, size_t p)
{
	if (p <= 1)
		return pool_printf(pool, "%s#comments", article_url);
	return pool_printf(pool, "%s?comments=%zu#comments", article_url, p);
}

/* The links between comment pages, when there is more than one. */
static int
comments_pager(struct pool *pool, struct render_val *obj,
	       const char *article_url, const struct thread_page *tp)
{
	struct render_val *pg;

	if (tp->page == 1 && !tp->more)
		return GZ_OK;
	if (!(pg = render_obj_new(pool)) ||
	    render_obj_int(pool, pg, "page", (int64_t)tp->page) ||
	    (tp->page > 1 && render_obj_str(pool, pg, "prev_url",
			comments_page_url(pool, article_url, tp->page - 1))) ||
	    (tp->more && render_obj_str(pool, pg, "next_url",
			comments_page_url(pool, article_url, tp->page + 1))) ||
	    render_obj_set(pool, obj, "pager", pg))
		return GZ_ENOMEM;
	return GZ_OK;
}

/* The challenge's names on obj, as the site's splice markers: what
 * site_challenge_slots turns into slots. */
static int
challenge_markers(const struct site *site, struct pool *pool,
		  struct render_val *obj)
{
	if (render_obj_str(pool, obj, "question", site->splice_question) ||
	    render_obj_str(pool, obj, "spoken", site->splice_spoken) ||
	    render_obj_str(pool, obj, "token", site->splice_token))
		return GZ_ENOMEM;
	return GZ_OK;
}

bool
site_challenge_esi(const struct site *site,
		   const struct site_comment_form *form)
{
	return site->cfg->edge_esi && !form;
}

const char *
site_url_challenge(struct pool *pool, int64_t id)
{
	return pool_printf(pool, "/news/%lld/comments/challenge",
			   (long long)id);
}

int
site_comments_view(struct site *site, struct http_req *req,
		   const struct store_article *a, const char *article_url,
		   struct render_val *view, const struct site_comment_form *in,
		   bool *has_form)
{
	struct pool *pool = req->pool;
	const struct comments_policy *p = comments_policy(site->comments);
	struct render_val *obj, *form, *thread;
	struct thread_page tp;
	int64_t now = site_now();
	bool open = site_comments_open(site, a, now);
	const char *notice = in ? in->notice : NULL;
	int64_t parent = in ? in->parent_id : 0;
	uint64_t reply, want_page = 1, want_comment = 0;
	const char *field = in ? in->field : NULL, *q;
	int rc;

	*has_form = false;
	/* A page number that is not one is the first page; one past the
	 * last is not found. */
	if ((q = http_req_query(req, "comments")) &&
	    (http_parse_uint(q, GZ_LIMIT_PAGE_NUMBER, &want_page) != GZ_OK ||
	     want_page == 0))
		return GZ_ENOTFOUND;
	if (http_parse_uint(http_req_query(req, "comment"), INT64_MAX,
			    &want_comment) != GZ_OK)
		want_comment = 0;
	if (!(obj = render_obj_new(pool)))
		return GZ_ENOMEM;
	if (!(thread = comments_thread(site, req, a, article_url, open,
				       want_page, (int64_t)want_comment, &tp,
				       &rc)))
		return rc;
	if (!notice && http_req_query(req, "held"))
		notice = COMMENTS_NOTICE_HELD;
	if (!in && http_parse_uint(http_req_query(req, "reply"), INT64_MAX,
				   &reply) == GZ_OK)
		parent = (int64_t)reply;
	if (render_obj_int(pool, obj, "count", a->comment_count) ||
	    render_obj_set(pool, obj, "items", thread) ||
	    render_obj_bool(pool, obj, "open", open) ||
	    render_obj_bool(pool, obj, "closed", !open) ||
	    render_obj_str(pool, obj, "notice", notice) ||
	    comments_pager(pool, obj, article_url, &tp) ||
	    render_obj_set(pool, view, "comments", obj))
		return GZ_ENOMEM;
	if (!open)
		return GZ_OK;
	*has_form = true;
	if (!(form = render_obj_new(pool)) ||
	    render_obj_str(pool, form, "action", pool_printf(pool,
			   "/news/%lld/comments", (long long)a->id)) ||
	    render_obj_str(pool, form, "name", in ? in->name : NULL) ||
	    render_obj_str(pool, form, "email", in ? in->email : NULL) ||
	    render_obj_str(pool, form, "body", in ? in->body : NULL) ||
	    render_obj_bool(pool, form, "require_email", p->require_email) ||
	    render_obj_set(pool, obj, "form", form))
		return GZ_ENOMEM;
	/* The challenge goes into slots after rendering
	 * (site_challenge_slots), so that the page can be cached and its
	 * ETag does not depend on it; behind an ESI edge the edge fetches
	 * it, and the page is the same for every reader. */
	if (site_challenge_esi(site, in)) {
		if (render_obj_str(pool, form, "esi_include",
				   site_url_challenge(pool, a->id)))
			return GZ_ENOMEM;
	} else if (challenge_markers(site, pool, form)) {
		return GZ_ENOMEM;
	}
	if (parent > 0) {
		struct store_comment pc;

		if (store_comment_get(site->store, pool, parent, &pc) == GZ_OK &&
		    pc.article_id == a->id &&
		    pc.status == STORE_COMMENT_APPROVED &&
		    (render_obj_int(pool, form, "parent_id", parent) ||
		     render_obj_str(pool, form, "replying_to", pc.author) ||
		     render_obj_str(pool, form, "cancel_url", pool_printf(pool,
				    "%s#leave-a-comment", article_url))))
			return GZ_ENOMEM;
	}
	if (field && in->message) {
		const char *key = strcmp(field, "name") == 0 ? "error_name"
			: strcmp(field, "email") == 0 ? "error_email"
			: strcmp(field, "body") == 0 ? "error_body"
			: strcmp(field, "answer") == 0 ? "error_answer" : "error";
		if (render_obj_str(pool, form, key, in->message))
			return GZ_ENOMEM;
	} else if (in && in->message &&
		   render_obj_str(pool, form, "error", in->message)) {
		return GZ_ENOMEM;
	}
	return GZ_OK;
}

/* Copies s into out, padded with spaces to len bytes (cut at len, which
 * the widths in site_int.h make impossible for today's questions). */
static void
challenge_put(char *out, size_t len, const char *s)
{
	size_t n = strlen(s);

	assert(n <= len);
	if (n > len)
		n = len;
	memcpy(out, s, n);
	memset(out + n, ' ', len - n);
}

void
site_challenge_fill(void *ctx, int64_t arg, char *const *out,
		    const size_t *len, size_t n)
{
	struct site *site = ctx;
	struct comments_challenge ch;
	int64_t now = site_now();

	assert(n == 3);
	/* arg: the article id, and in its lowest bit whether the question
	 * is dated back (a form shown again after a reader's mistake). */
	if (arg & 1)
		now -= (int64_t)comments_policy(site->comments)->min_fill_seconds;
	comments_challenge_new(site->comments, arg >> 1, now, &ch);
	challenge_put(out[0], len[0], ch.question);
	challenge_put(out[1], len[1], ch.spoken);
	challenge_put(out[2], len[2], ch.token);
}

int
site_challenge_slots(struct site *site, struct http_resp *resp,
		     int64_t article_id, bool backdate)
{
	int rc;

	/* Fixed widths, so every response of the page has one length
	 * (HEAD's Content-Length holds, and the page cache lays fresh
	 * bytes over the same places in every encoding). */
	if ((rc = http_resp_slot(resp, site->splice_question,
				 SITE_QUESTION_WIDTH)) ||
	    (rc = http_resp_slot(resp, site->splice_spoken,
				 SITE_SPOKEN_WIDTH)) ||
	    (rc = http_resp_slot(resp, site->splice_token, site->token_len)))
		return rc;
	resp->fill = site_challenge_fill;
	resp->fill_ctx = site->root; /* outlives this call's copy */
	resp->fill_arg = article_id * 2 + (backdate ? 1 : 0);
	return GZ_OK;
}

int
site_challenge(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const no_query[] = {NULL};
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article a;
	struct render_val *view;
	int64_t now = site_now();
	uint64_t id;
	int rc;

	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_article_get(site->store, pool, (int64_t)id, now,
				    &a)) != GZ_OK)
		return rc;
	/* An article that takes no comments has no challenge to answer. */
	if (!site_comments_open(site, &a, now))
		return GZ_ENOTFOUND;
	if (!(view = render_obj_new(pool)) ||
	    challenge_markers(site, pool, view))
		return GZ_ENOMEM;
	if ((rc = site_render(site, resp, "challenge", view)) != GZ_OK)
		return rc;
	/* For one reader, once: no shared cache keeps it, nor the
	 * browser. gazette's own cache may, slots and all, until the
	 * article changes (it may close, or go). */
	if ((rc = http_resp_header(resp, "Cache-Control", "private, no-store")))
		return rc;
	/* Kept only under its own URL: a query string it does not take
	 * must not fill the cache with copies. */
	if (http_req_query_only(req, no_query) &&
	    (rc = http_resp_cache_key(resp, pool, pool_printf(pool,
				      "article:%lld", (long long)a.id))))
		return rc;
	return site_challenge_slots(site, resp, a.id, false);
}

/* Answers the article page again with the reader's submission kept:
 * as typed, but for bytes that are not UTF-8 (shown as U+FFFD, never
 * echoed into a UTF-8 page). */
static int
comments_again(struct site *site, struct http_req *req, struct http_resp *resp,
	       const struct store_article *a, int status,
	       const struct site_comment_form *in)
{
	struct site_comment_form form = *in;
	int rc;

	if (!(form.name = utf8_scrub(req->pool, in->name)) ||
	    !(form.email = utf8_scrub(req->pool, in->email)) ||
	    !(form.body = utf8_scrub(req->pool, in->body)))
		return GZ_ENOMEM;
	rc = site_article_page(site, req, resp, a, &form);

	resp->status = status;
	http_resp_header(resp, "Cache-Control", "no-store");
	return rc;
}

/* The reader's address: the peer's, or behind a trusted proxy the last
 * address in X-Forwarded-For (the one the proxy itself added). */
static const char *
comments_ip(const struct site *site, struct http_req *req)
{
	const char *xff, *last;
	size_t len;

	if (site->cfg->trust_proxy &&
	    (xff = http_req_header(req, "X-Forwarded-For")) != NULL) {
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " \t");
		len = strcspn(last, " \t");
		if (len > 0 && len < 64)
			return pool_strndup(req->pool, last, len);
	}
	return req->ip ? req->ip : "";
}

/* A form field with surrounding ASCII whitespace trimmed ("" when
 * absent), in the pool: intake checks the trimmed text, so that is what
 * is stored. */
static char *
comments_field(struct http_req *req, const char *name)
{
	const char *v = http_req_form(req, name);
	size_t len;

	if (!v)
		v = "";
	v += strspn(v, " \t\r\n");
	len = strlen(v);
	while (len && strchr(" \t\r\n", v[len - 1]))
		len--;
	return pool_strndup(req->pool, v, len);
}

/* A comment waiting for its write, or a refused submission waiting for
 * its nonce's, kept in the request's pool while the request is
 * suspended. */
struct comment_wait {
	/* Refused (INVALID or DISCARD, in verdict): only the nonce is
	 * written, then comments_refused answers with form, a and url, and
	 * outcome is what the metrics count. */
	bool refused;
	enum comments_verdict verdict;
	int outcome;
	struct store_comment_input in;
	unsigned char nonce[COMMENTS_NONCE_BYTES];
	unsigned char commenter_key[COMMENTS_COMMENTER_KEY_BYTES];
	const char *set_cookie; /* the answer's Set-Cookie value, or NULL */
	struct site_comment_form form;
	struct store_article a;
	const char *url;
	struct store_job *job;
};

/* True when the site is served over https (its base_url says so). */
static bool
comments_site_https(const struct site *site)
{
	return strncasecmp(site->cfg->base_url, "https://", 8) == 0;
}

/* The Set-Cookie value that gives (or gives again) the reader's browser
 * its commenter cookie, for a year from this comment: sent back only to
 * this site, never to a script (HttpOnly), not on another site's POST
 * (SameSite=Lax), and over HTTPS only when the site is served so, then
 * under the __Host- name that no subdomain or plain-http answer can
 * plant (no Domain, Path=/, Secure). In the pool; NULL when out of
 * memory. */
static const char *
comments_cookie_header(const struct site *site, struct pool *pool,
		       const struct comments_commenter *who)
{
	bool secure = comments_site_https(site);

	return pool_printf(pool, "%s=%s; Path=/; Max-Age=%d; HttpOnly;"
			   " SameSite=Lax%s", comments_cookie_name(secure),
			   who->cookie, COMMENTS_COOKIE_MAX_AGE,
			   secure ? "; Secure" : "");
}

/* The store's group commit is done with a comment or a nonce: its
 * request goes on. */
static void
comments_resume(void *ctx)
{
	http_resume(ctx);
}

/* The answer to a refused submission: the form again with its one
 * sentence, or for a bot trap the same 303 (and cookie) as a held
 * comment's, so that a bot learns nothing. */
static int
comments_refused(struct site *site, struct http_req *req,
		 struct http_resp *resp, struct comment_wait *w)
{
	if (w->verdict != COMMENTS_DISCARD)
		return comments_again(site, req, resp, &w->a, 422, &w->form);
	http_resp_header(resp, "Cache-Control", "no-store");
	if (w->set_cookie)
		http_resp_header(resp, "Set-Cookie", w->set_cookie);
	return http_resp_redirect(resp, 303, pool_printf(req->pool,
				  "%s?held=1#comments", w->url));
}

/*
 * Spends the nonce of a refused submission whose token checked out, so
 * that a token used for a wrong answer cannot be tried again with
 * another, then answers it (comments_refused). The write goes to the
 * store's writer like a comment's, and the request is suspended until it
 * is done: another process may hold the database's write lock for
 * seconds (an import, a moderator's command), and a refused post that
 * waited for it on a server thread would take that thread from every
 * reader. Takes w (in the pool) as the request's state. Returns
 * GZ_EPENDING (comments_finish answers), comments_refused's result when
 * there is no nonce to spend, GZ_ENOMEM, or GZ_EBUSY when the server is
 * stopping.
 */
static int
comments_spend(struct site *site, struct http_req *req, struct http_resp *resp,
	       struct comment_wait *w, const struct comments_decision *d)
{
	struct http_resume *resume;

	if (!d->token_ok)
		return comments_refused(site, req, resp, w);
	if (!(w->job = pool_alloc(req->pool, store_job_size())))
		return GZ_ENOMEM;
	memcpy(w->nonce, d->token.nonce, sizeof(w->nonce));
	w->refused = true;
	req->state = w;
	if (!(resume = http_req_suspend(req)))
		return GZ_EBUSY;
	store_nonce_use_async(site->store, w->nonce, sizeof(w->nonce),
			      d->token.expires_at, w->job, comments_resume,
			      resume);
	return GZ_EPENDING;
}

/* The metrics outcome of a submission intake sent back to the reader:
 * a bad token is the only INVALID without token_ok, "too fast" the only
 * one without a field (comments_intake's order, comments.h). */
static enum metrics_comment_outcome
comments_invalid_outcome(const struct comments_decision *d)
{
	if (!d->token_ok)
		return METRICS_COMMENT_EXPIRED;
	if (!d->field)
		return METRICS_COMMENT_TOO_FAST;
	if (strcmp(d->field, "answer") == 0)
		return METRICS_COMMENT_WRONG_ANSWER;
	return METRICS_COMMENT_INVALID;
}

/* Judges a submission and, when it is to be stored, queues it; a
 * refused one with a good token queues its nonce (comments_spend).
 * Output: *outcome, when the answer decides it (a stored comment's is
 * decided by comments_finish). */
static int
comments_begin(struct site *site, struct http_req *req, struct http_resp *resp,
	       int *outcome)
{
	struct pool *pool = req->pool;
	struct comment_wait *w;
	struct http_resume *resume;
	struct store_article a;
	struct comments_submission sub = {0};
	struct comments_decision d;
	struct store_comment_input in = {0};
	struct site_comment_form form = {0};
	struct comments_commenter who = {0};
	const char *url, *set_cookie;
	uint64_t id, parent = 0;
	const struct comments_policy *p = comments_policy(site->comments);
	const char *fetch_site;
	char *name;
	int rc;

	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	sub.now = site_now();
	if ((rc = store_article_get(site->store, pool, (int64_t)id, sub.now, &a)))
		return rc;
	if (!(url = site_url_article(pool, &a)))
		return GZ_ENOMEM;

	/* A name is one line of visible text: controls that could break a
	 * feed or reorder the page around it are dropped. */
	if (!(name = comments_field(req, "name")) ||
	    !(form.name = utf8_clean_line(name)) ||
	    !(form.email = comments_field(req, "email")) ||
	    !(form.body = comments_field(req, "comment")) ||
	    !(sub.honeypot = comments_field(req, "website")) ||
	    !(sub.token = comments_field(req, "token")) ||
	    !(sub.answer = comments_field(req, "answer")))
		return GZ_ENOMEM;
	if (http_req_form(req, "parent") && *http_req_form(req, "parent") &&
	    http_parse_uint(http_req_form(req, "parent"), INT64_MAX, &parent))
		return GZ_EINVAL;
	form.parent_id = (int64_t)parent;
	/* The comment form has no file input: a form with a file is not
	 * one a reader's browser sent from our page. */
	if (http_req_form_has_files(req))
		return GZ_EINVAL;
	/* A form sent from another site is refused: tokens are not tied to
	 * a reader, so a hostile page could post through its visitors. */
	if ((fetch_site = http_req_header(req, "Sec-Fetch-Site")) != NULL &&
	    strcmp(fetch_site, "cross-site") == 0)
		return GZ_EFORBIDDEN;
	/* Browsers without Sec-Fetch-Site still send Origin on a POST. */
	if (!site_origin_ok(site, req))
		return GZ_EFORBIDDEN;
	if (!site_comments_open(site, &a, sub.now)) {
		*outcome = METRICS_COMMENT_CLOSED;
		form.message = "Comments on this article are closed.";
		return comments_again(site, req, resp, &a, 403, &form);
	}

	sub.article_id = a.id;
	sub.parent_id = form.parent_id;
	sub.name = form.name;
	sub.email = form.email;
	sub.body = form.body;
	if (!(sub.ip = comments_ip(site, req)))
		return GZ_ENOMEM;
	/* The browser, not what the reader typed, is what the first-time
	 * rule knows again: a cookie that is not one of ours is replaced.
	 * Under another policy the cookie would serve nothing: none. On
	 * an https site only the __Host- name is read: a plain gz_commenter
	 * there may have been planted by a subdomain or over http. */
	set_cookie = NULL;
	if (p->moderation == COMMENTS_FIRST_TIME) {
		comments_commenter(site->comments,
				   http_req_cookie(req, comments_cookie_name(
						   comments_site_https(site))),
				   &who);
		if (!(set_cookie = comments_cookie_header(site, pool, &who)))
			return GZ_ENOMEM;
	}
	if ((rc = comments_intake(site->comments, &sub, &d)) != GZ_OK)
		return rc;

	switch (d.verdict) {
	case COMMENTS_INVALID:
	case COMMENTS_DISCARD:
		/* Refused: the form again, or a bot answered as if held; its
		 * token is spent first. */
		*outcome = d.verdict == COMMENTS_DISCARD
			? (int)METRICS_COMMENT_SPAM
			: (int)comments_invalid_outcome(&d);
		form.field = d.field;
		form.message = d.message;
		/* Only a reader whose own form was valid and slow enough may
		 * answer the next question at once; anyone else waits the
		 * minimum fill time again. */
		form.backdate = d.token_ok &&
			sub.now - d.token.issued_at >= (int64_t)p->min_fill_seconds;
		if (!(w = pool_calloc(pool, 1, sizeof(*w))))
			return GZ_ENOMEM;
		w->verdict = d.verdict;
		w->outcome = *outcome;
		w->set_cookie = set_cookie;
		w->form = form;
		w->a = a;
		w->url = url;
		return comments_spend(site, req, resp, w, &d);
	case COMMENTS_RATE_LIMITED:
		/* Nothing is written: the limit is what bounds the writes an
		 * address can cause, and its token stays unused (the answer
		 * was not looked at). */
		*outcome = METRICS_COMMENT_RATE_LIMITED;
		form.message = d.message;
		if ((rc = comments_again(site, req, resp, &a, 429, &form)))
			return rc;
		return http_resp_header(resp, "Retry-After", pool_printf(pool,
					"%u", p->rate_seconds));
	case COMMENTS_PUBLISH:
		in.status = STORE_COMMENT_APPROVED;
		break;
	case COMMENTS_PUBLISH_IF_KNOWN:
		/* The store holds it unless this browser is known, in the
		 * transaction that stores it. */
		in.status = STORE_COMMENT_APPROVED;
		in.approve_if_known = true;
		break;
	case COMMENTS_HOLD:
		in.status = STORE_COMMENT_PENDING;
		break;
	case COMMENTS_REJECT:
		in.status = STORE_COMMENT_REJECTED;
		break;
	}

	in.article_id = a.id;
	in.parent_id = form.parent_id;
	in.author = form.name;
	in.email = form.email;
	in.body = form.body;
	in.ip = sub.ip;
	in.created_at = sub.now;
	in.nonce = d.token.nonce;
	in.nonce_len = sizeof(d.token.nonce);
	in.nonce_expires_at = d.token.expires_at;
	/* Why it waits, for the moderation queue (the store says
	 * "first-time" itself). */
	if (!(in.hold_reason = pool_strdup(pool, d.hold_reason)))
		return GZ_ENOMEM;
	/* Committed with the comments of the same moment (group commit),
	 * without holding this server thread while the batch syncs: the
	 * request is suspended and answered by comments_finish once the
	 * comment is on disk. */
	if (!(w = pool_calloc(pool, 1, sizeof(*w))) ||
	    !(w->job = pool_alloc(pool, store_job_size())))
		return GZ_ENOMEM;
	w->in = in;
	memcpy(w->nonce, d.token.nonce, sizeof(w->nonce));
	w->in.nonce = w->nonce;
	if (set_cookie) {
		memcpy(w->commenter_key, who.key, sizeof(w->commenter_key));
		w->in.commenter_key = w->commenter_key;
		w->in.commenter_key_len = sizeof(w->commenter_key);
	}
	w->set_cookie = set_cookie;
	w->form = form;
	w->a = a;
	w->url = url;
	req->state = w;
	/* A server that is stopping takes no more waits: 503, try again. */
	if (!(resume = http_req_suspend(req)))
		return GZ_EBUSY;
	store_comment_add_async(site->store, &w->in, w->job, comments_resume,
				resume);
	return GZ_EPENDING;
}

/* The answer to a comment whose write is done: the article page again
 * when its token was spent meanwhile or its parent went away, else 303
 * to the comment (published) or to the thread with a notice (held). A
 * refused submission whose nonce's write is done gets its refusal. */
static int
comments_finish(struct site *site, struct http_req *req,
		struct http_resp *resp, struct comment_wait *w, int *outcome)
{
	struct pool *pool = req->pool;
	enum store_comment_status status = STORE_COMMENT_PENDING;
	int64_t cid = 0;
	int rc;

	if (w->refused) {
		/* The refusal stands whatever became of the write: the
		 * reader's mistake is theirs to fix, and a token left
		 * unspent (the database locked past the busy timeout) is
		 * still held to the failure limit. */
		if ((rc = store_job_result(w->job, NULL, NULL)) != GZ_OK &&
		    rc != GZ_EEXIST)
			log_error("POST %s: a refused comment's nonce was not"
				  " spent: %s", req->path, gz_strerror(rc));
		*outcome = w->outcome;
		return comments_refused(site, req, resp, w);
	}
	rc = store_job_result(w->job, &cid, &status);
	if (rc != GZ_OK && rc != GZ_EEXIST && rc != GZ_ENOTFOUND)
		log_error("POST %s: comment on article %lld not stored: %s",
			  req->path, (long long)w->in.article_id,
			  gz_strerror(rc));
	if (rc == GZ_EEXIST) {
		*outcome = METRICS_COMMENT_DUPLICATE;
		w->form.field = "answer";
		w->form.message = "This question was already answered; please answer the new one.";
		return comments_again(site, req, resp, &w->a, 422, &w->form);
	}
	if (rc == GZ_ENOTFOUND) {
		*outcome = METRICS_COMMENT_INVALID;
		w->form.parent_id = 0;
		w->form.field = "body";
		w->form.message = "The comment you replied to is no longer there; your comment will be posted on its own.";
		return comments_again(site, req, resp, &w->a, 422, &w->form);
	}
	if (rc != GZ_OK)
		return rc;
	/* What was stored: first-time may have held what it offered to
	 * publish. */
	*outcome = status == STORE_COMMENT_APPROVED ? METRICS_COMMENT_PUBLISHED
		: status == STORE_COMMENT_PENDING ? METRICS_COMMENT_HELD
		: METRICS_COMMENT_REJECTED;
	http_resp_header(resp, "Cache-Control", "no-store");
	/* The cookie goes with a stored comment, whose row carries its key:
	 * a fresh one, or the reader's for another year. */
	if (w->set_cookie)
		http_resp_header(resp, "Set-Cookie", w->set_cookie);
	if (status == STORE_COMMENT_APPROVED)
		return http_resp_redirect(resp, 303, pool_printf(pool,
					  "%s#comment-%lld", site_url_comment(pool,
					  w->url, cid), (long long)cid));
	return http_resp_redirect(resp, 303, pool_printf(pool,
				  "%s?held=1#comments", w->url));
}

int
site_comment_post(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	int outcome = -1, rc;

	if (req->resumed)
		rc = comments_finish(site, req, resp, req->state, &outcome);
	else
		rc = comments_begin(site, req, resp, &outcome);
	if (rc == GZ_EPENDING)
		return rc; /* counted when it is finished */
	/* What the steps did not name: a POST to no article is no
	 * submission; the other errors are the server's or a forged form's. */
	if (outcome < 0 && rc != GZ_OK && rc != GZ_ENOTFOUND)
		outcome = rc == GZ_EFORBIDDEN ? METRICS_COMMENT_FORBIDDEN
			: rc == GZ_EINVAL ? METRICS_COMMENT_INVALID
			: METRICS_COMMENT_ERROR;
	if (outcome >= 0)
		metrics_comment((enum metrics_comment_outcome)outcome);
	return rc;
}
