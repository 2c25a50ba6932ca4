/* Tests for src/render/val.c: view-model values, looked at from inside
 * through render_int.h (the module's private header). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "render/render_int.h"
#include "util/err.h"
#include "util/pool.h"

static int
setup(void **state)
{
	*state = pool_new(1 << 20);
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	pool_free(*state);
	return 0;
}

static void
scalars(void **state)
{
	struct pool *pool = *state;
	struct render_val *v;

	v = render_str(pool, "a<b");
	assert_non_null(v);
	assert_int_equal(v->kind, RENDER_STR);
	assert_string_equal(v->u.s, "a<b");
	v = render_html(pool, "<p>x</p>");
	assert_int_equal(v->kind, RENDER_HTML);
	assert_string_equal(v->u.s, "<p>x</p>");
	v = render_bool(pool, true);
	assert_int_equal(v->kind, RENDER_BOOL);
	assert_true(v->u.b);
	v = render_int(pool, INT64_MIN);
	assert_int_equal(v->kind, RENDER_INT);
	assert_true(v->u.i == INT64_MIN);
}

static void
object_set_get_replace(void **state)
{
	struct pool *pool = *state;
	struct render_val *o = render_obj_new(pool);
	const struct render_val *v;

	assert_non_null(o);
	assert_null(render_obj_get(o, "title"));
	assert_int_equal(render_obj_str(pool, o, "title", "First"), GZ_OK);
	assert_int_equal(render_obj_int(pool, o, "count", 3), GZ_OK);
	assert_int_equal(render_obj_bool(pool, o, "open", true), GZ_OK);
	assert_int_equal(render_obj_html(pool, o, "body", "<p>b</p>"), GZ_OK);
	v = render_obj_get(o, "title");
	assert_non_null(v);
	assert_string_equal(v->u.s, "First");
	/* A later set of the same key replaces the value, not adds one. */
	assert_int_equal(render_obj_str(pool, o, "title", "Second"), GZ_OK);
	assert_string_equal(render_obj_get(o, "title")->u.s, "Second");
	assert_int_equal(o->u.obj.n, 4);
	assert_int_equal(render_obj_get(o, "count")->u.i, 3);
	assert_int_equal(render_obj_get(o, "body")->kind, RENDER_HTML);
	assert_null(render_obj_get(o, "Title"));
	/* Not an object, or no object: no value. */
	assert_null(render_obj_get(render_obj_get(o, "count"), "x"));
	assert_null(render_obj_get(NULL, "x"));
}

static void
object_null_string_sets_nothing(void **state)
{
	struct pool *pool = *state;
	struct render_val *o = render_obj_new(pool);

	assert_int_equal(render_obj_str(pool, o, "byline", NULL), GZ_OK);
	assert_int_equal(render_obj_html(pool, o, "body", NULL), GZ_OK);
	assert_null(render_obj_get(o, "byline"));
	assert_null(render_obj_get(o, "body"));
	assert_int_equal(o->u.obj.n, 0);
}

static void
object_many_keys(void **state)
{
	struct pool *pool = *state;
	struct render_val *o = render_obj_new(pool);
	char *key;
	int i;

	for (i = 0; i < 100; i++) {
		key = pool_printf(pool, "k%d", i);
		assert_int_equal(render_obj_int(pool, o, key, i), GZ_OK);
	}
	for (i = 0; i < 100; i++) {
		key = pool_printf(pool, "k%d", i);
		assert_int_equal(render_obj_get(o, key)->u.i, i);
	}
}

static void
list_push_grows(void **state)
{
	struct pool *pool = *state;
	struct render_val *l = render_list_new(pool);
	int i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(render_list_push(pool, l, render_int(pool, i)),
				 GZ_OK);
	assert_int_equal(l->u.list.n, 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(l->u.list.items[i]->u.i, i);
}

static void
null_means_out_of_memory(void **state)
{
	struct pool *pool = *state;
	struct render_val *o = render_obj_new(pool), *l = render_list_new(pool);

	assert_int_equal(render_obj_set(pool, o, "k", NULL), GZ_ENOMEM);
	assert_int_equal(render_obj_set(pool, NULL, "k", render_int(pool, 1)),
			 GZ_ENOMEM);
	assert_int_equal(render_obj_str(pool, NULL, "k", "v"), GZ_ENOMEM);
	assert_int_equal(render_list_push(pool, l, NULL), GZ_ENOMEM);
	assert_int_equal(render_list_push(pool, NULL, render_int(pool, 1)),
			 GZ_ENOMEM);
	assert_null(render_obj_get(o, "k"));
	assert_int_equal(l->u.list.n, 0);
}

static void
pool_exhaustion(void **state)
{
	struct pool *small = pool_new(16384);
	struct render_val *l;
	int i, rc = GZ_OK;

	(void)state;
	assert_non_null(small);
	l = render_list_new(small);
	assert_non_null(l);
	for (i = 0; i < 100000 && rc == GZ_OK; i++)
		rc = render_list_push(small, l, render_int(small, i));
	assert_int_equal(rc, GZ_ENOMEM);
	/* What was pushed before the pool ran out is still there. */
	assert_true(l->u.list.n > 0);
	assert_int_equal(l->u.list.items[l->u.list.n - 1]->u.i,
			 (int64_t)l->u.list.n - 1);
	pool_free(small);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(object_set_get_replace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(object_null_string_sets_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(object_many_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(list_push_grows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(null_means_out_of_memory, setup,
						teardown),
		cmocka_unit_test(pool_exhaustion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
