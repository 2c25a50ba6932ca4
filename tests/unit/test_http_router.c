/* test_http_router.c - routes, captures, methods, gates (src/http/router.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdio.h>

#include "http/http.h"
#include "util/err.h"
#include "util/pool.h"

static int h_front(void *ctx, struct http_req *req, struct http_resp *resp) { return 1; }
static int h_article(void *ctx, struct http_req *req, struct http_resp *resp) { return 2; }
static int h_static(void *ctx, struct http_req *req, struct http_resp *resp) { return 3; }
static int h_post(void *ctx, struct http_req *req, struct http_resp *resp) { return 4; }

struct fixture {
	struct http_router *r;
	struct pool *pool;
};

static int
setup(void **state)
{
	static struct fixture f;

	f.r = http_router_new();
	f.pool = pool_new(1 << 20);
	assert_non_null(f.r);
	assert_int_equal(http_router_add(f.r, HTTP_GET, "/", h_front, NULL, NULL), GZ_OK);
	assert_int_equal(http_router_add(f.r, HTTP_GET, "/news/{id}/{slug}", h_article, NULL, NULL), GZ_OK);
	assert_int_equal(http_router_add(f.r, HTTP_GET, "/static/{*}", h_static, NULL, NULL), GZ_OK);
	assert_int_equal(http_router_add(f.r, HTTP_POST, "/news/{id}/comments", h_post, NULL, NULL), GZ_OK);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	http_router_free(f->r);
	pool_free(f->pool);
	return 0;
}

/* Matches path with method; returns the handler's tag or -status. */
static int
match(struct fixture *f, enum http_method m, const char *path,
      struct http_req *req, unsigned *allowed)
{
	http_handler_fn fn;
	http_gate_fn gate;
	void *ctx;
	int rc;

	memset(req, 0, sizeof(*req));
	req->pool = f->pool;
	req->method = m;
	req->path = path;
	rc = http_router_match(f->r, req, &fn, &gate, &ctx, allowed);
	if (rc == GZ_ENOTFOUND)
		return -404;
	if (rc == GZ_EINVAL)
		return -405;
	assert_int_equal(rc, GZ_OK);
	return fn(ctx, req, NULL);
}

static void
test_literal_root(void **state)
{
	struct http_req req;
	unsigned allowed;

	assert_int_equal(match(*state, HTTP_GET, "/", &req, &allowed), 1);
	assert_int_equal(match(*state, HTTP_HEAD, "/", &req, &allowed), 1);
	assert_int_equal(match(*state, HTTP_GET, "/nothing", &req, &allowed), -404);
	assert_int_equal(match(*state, HTTP_GET, "", &req, &allowed), -404);
}

static void
test_captures(void **state)
{
	struct http_req req;
	unsigned allowed;

	assert_int_equal(match(*state, HTTP_GET, "/news/12/council-votes", &req, &allowed), 2);
	assert_int_equal(req.nparams, 2);
	assert_string_equal(req.params[0], "12");
	assert_string_equal(req.params[1], "council-votes");
	/* An empty segment is not a capture, and extra segments do not match. */
	assert_int_equal(match(*state, HTTP_GET, "/news//x", &req, &allowed), -404);
	assert_int_equal(match(*state, HTTP_GET, "/news/12/x/y", &req, &allowed), -404);
	assert_int_equal(match(*state, HTTP_GET, "/news/12", &req, &allowed), -404);
}

static void
test_rest(void **state)
{
	struct http_req req;
	unsigned allowed;

	assert_int_equal(match(*state, HTTP_GET, "/static/css/style.1234.css", &req, &allowed), 3);
	assert_int_equal(req.nparams, 1);
	assert_string_equal(req.params[0], "css/style.1234.css");
	assert_int_equal(match(*state, HTTP_GET, "/static", &req, &allowed), 3);
	assert_string_equal(req.params[0], "");
}

static void
test_methods(void **state)
{
	struct http_req req;
	unsigned allowed = 0;

	assert_int_equal(match(*state, HTTP_POST, "/", &req, &allowed), -405);
	assert_true(allowed & HTTP_GET);
	assert_true(allowed & HTTP_HEAD);
	assert_false(allowed & HTTP_POST);
	assert_int_equal(match(*state, HTTP_POST, "/news/3/comments", &req, &allowed), 4);
	/* GET of the POST-only path falls to the article route's pattern. */
	assert_int_equal(match(*state, HTTP_GET, "/news/3/comments", &req, &allowed), 2);
	assert_int_equal(match(*state, HTTP_OTHER, "/news/3/x", &req, &allowed), -405);
}

static void
test_bad_patterns(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(http_router_add(f->r, HTTP_GET, "relative", h_front, NULL, NULL), GZ_EINVAL);
	assert_int_equal(http_router_add(f->r, HTTP_GET, "/a/{*}/b", h_front, NULL, NULL), GZ_EINVAL);
}

static void
test_deep_path(void **state)
{
	struct http_req req;
	unsigned allowed;
	char path[4096];
	size_t i;

	for (i = 0; i + 2 < sizeof(path); i += 2) {
		path[i] = '/';
		path[i + 1] = 'a';
	}
	path[i] = '\0';
	assert_int_equal(match(*state, HTTP_GET, path, &req, &allowed), -404);
}

/* A gate that lets in a request whose capture is "ok" and answers any
 * other with a 303 it builds itself; ctx counts its calls. */
static int
g_upload(void *ctx, struct http_req *req, struct http_resp *resp)
{
	int *calls = ctx;

	(*calls)++;
	if (req->nparams == 1 && strcmp(req->params[0], "ok") == 0)
		return GZ_OK;
	resp->status = 303;
	return GZ_OK;
}

static int
h_upload(void *ctx, struct http_req *req, struct http_resp *resp)
{
	return 5;
}

/* A route's gate comes back from the match with the route's handler
 * and ctx, for the methods the route has; a route without one gives
 * NULL, and a miss or a 405 gives NULL too. The gate sees the route's
 * captures. */
static void
test_gate(void **state)
{
	struct http_router *r = http_router_new();
	struct pool *pool = pool_new(1 << 16);
	struct http_req req;
	struct http_resp resp;
	http_handler_fn fn;
	http_gate_fn gate;
	void *ctx;
	unsigned allowed;
	int calls = 0, other = 0;

	(void)state;
	assert_non_null(r);
	assert_non_null(pool);
	assert_int_equal(http_router_add(r, HTTP_GET | HTTP_POST, "/up/{x}",
					 h_upload, g_upload, &calls), GZ_OK);
	assert_int_equal(http_router_add(r, HTTP_POST, "/plain", h_post, NULL,
					 &other), GZ_OK);

	memset(&req, 0, sizeof(req));
	req.pool = pool;
	req.method = HTTP_POST;
	req.path = "/up/ok";
	gate = NULL;
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_OK);
	assert_ptr_equal(gate, g_upload);
	assert_ptr_equal(ctx, &calls);
	assert_int_equal(fn(ctx, &req, NULL), 5);
	/* What server.c does with it: passed (status left 0), refused. */
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(gate(ctx, &req, &resp), GZ_OK);
	assert_int_equal(resp.status, 0);
	req.path = "/up/stranger";
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_OK);
	assert_int_equal(gate(ctx, &req, &resp), GZ_OK);
	assert_int_equal(resp.status, 303);
	assert_int_equal(calls, 2);

	/* The same route's GET has the gate too: server.c runs it only
	 * for a POST, the one request with a body to guard. */
	req.method = HTTP_GET;
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_OK);
	assert_ptr_equal(gate, g_upload);

	/* No gate: NULL, whatever was in it. */
	req.method = HTTP_POST;
	req.path = "/plain";
	gate = g_upload;
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_OK);
	assert_null(gate);
	assert_ptr_equal(ctx, &other);

	/* Not found, and a method the path does not take: no gate. */
	req.path = "/nowhere";
	gate = g_upload;
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_ENOTFOUND);
	assert_null(gate);
	req.method = HTTP_OTHER;
	req.path = "/up/ok";
	gate = g_upload;
	assert_int_equal(http_router_match(r, &req, &fn, &gate, &ctx, &allowed),
			 GZ_EINVAL);
	assert_null(gate);
	assert_true(allowed & HTTP_POST);
	assert_int_equal(calls, 2); /* matching never calls it */

	http_router_free(r);
	pool_free(pool);
}

struct seen {
	char text[512];
	size_t n;
};

static void
each_route(void *ctx, unsigned methods, const char *pattern)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s%s%s%s;",
		 methods & HTTP_GET ? "G" : "", methods & HTTP_HEAD ? "H" : "",
		 methods & HTTP_POST ? "P" : "", pattern);
	s->n++;
}

/* Every route, in the order added, with its methods (HEAD with GET). */
static void
test_each(void **state)
{
	struct fixture *f = *state;
	struct seen s = {{0}, 0};

	assert_int_equal(http_router_each(f->r, each_route, &s), GZ_OK);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.text, "GH/;GH/news/{id}/{slug};GH/static/{*};"
			    "P/news/{id}/comments;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_root),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_deep_path),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_gate),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
