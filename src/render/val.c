/*
 * val.c - view-model values: the tree site/ builds for a template to read.
 *
 * Data flow: a handler builds values in the request's pool, render_tpl
 * reads them, the pool is cleared with the response. Nothing here is
 * freed one by one; arrays that grow are copied to a larger pool block and
 * the old one is left for the pool (so a list of n items costs at most 2n
 * slots).
 *
 * Invariants: strings are not copied (the caller keeps them alive as long
 * as the pool); a NULL value handed to a setter means a constructor ran out
 * of pool, so setters answer GZ_ENOMEM, which lets a caller chain
 * render_obj_set(pool, o, "k", render_str(pool, s)) and check once.
 * Objects are small arrays searched linearly: a view model's object holds
 * tens of keys, where a hash table would cost more than it saves.
 */
#include <assert.h>
#include <string.h>

#include "render/render_int.h"
#include "util/err.h"
#include "util/pool.h"

static struct render_val *
val_new(struct pool *pool, enum render_kind kind)
{
	struct render_val *v = pool_calloc(pool, 1, sizeof(*v));

	if (v)
		v->kind = kind;
	return v;
}

/* The constructors return a value in pool, or NULL when the pool is
 * exhausted; strings are referenced, not copied (see render.h). */
struct render_val *
render_str(struct pool *pool, const char *s)
{
	struct render_val *v;

	assert(s != NULL);
	if ((v = val_new(pool, RENDER_STR)) != NULL)
		v->u.s = s ? s : "";
	return v;
}

struct render_val *
render_html(struct pool *pool, const char *html)
{
	struct render_val *v;

	assert(html != NULL);
	if ((v = val_new(pool, RENDER_HTML)) != NULL)
		v->u.s = html ? html : "";
	return v;
}

struct render_val *
render_bool(struct pool *pool, bool b)
{
	struct render_val *v;

	if ((v = val_new(pool, RENDER_BOOL)) != NULL)
		v->u.b = b;
	return v;
}

struct render_val *
render_int(struct pool *pool, int64_t i)
{
	struct render_val *v;

	if ((v = val_new(pool, RENDER_INT)) != NULL)
		v->u.i = i;
	return v;
}

struct render_val *
render_list_new(struct pool *pool)
{
	return val_new(pool, RENDER_LIST);
}

struct render_val *
render_obj_new(struct pool *pool)
{
	return val_new(pool, RENDER_OBJ);
}

/* Makes room for one more element of size sz in *arr (n used, *cap
 * allocated), copying to a block twice as large when full. */
static int
val_grow(struct pool *pool, void **arr, size_t n, size_t *cap, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return GZ_OK;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap < *cap || !(p = pool_calloc(pool, ncap, sz)))
		return GZ_ENOMEM;
	if (n)
		memcpy(p, *arr, n * sz);
	*arr = p;
	*cap = ncap;
	return GZ_OK;
}

/* Appends v to list: GZ_OK, or GZ_ENOMEM when the pool is exhausted or
 * list or v is NULL (a constructor that failed). */
int
render_list_push(struct pool *pool, struct render_val *list,
		 struct render_val *v)
{
	void *items;
	int rc;

	if (!list || !v)
		return GZ_ENOMEM;
	assert(list->kind == RENDER_LIST);
	items = (void *)list->u.list.items;
	rc = val_grow(pool, &items, list->u.list.n, &list->u.list.cap,
		      sizeof(*list->u.list.items));
	if (rc != GZ_OK)
		return rc;
	list->u.list.items = items;
	list->u.list.items[list->u.list.n++] = v;
	return GZ_OK;
}

/* Sets key to v, replacing an earlier value: GZ_OK, or GZ_ENOMEM when
 * the pool is exhausted or obj or v is NULL. key is not copied. */
int
render_obj_set(struct pool *pool, struct render_val *obj, const char *key,
	       struct render_val *v)
{
	void *kv;
	size_t i;
	int rc;

	if (!obj || !v)
		return GZ_ENOMEM;
	assert(obj->kind == RENDER_OBJ);
	assert(key != NULL);
	for (i = 0; i < obj->u.obj.n; i++) {
		if (strcmp(obj->u.obj.kv[i].key, key) == 0) {
			obj->u.obj.kv[i].val = v;
			return GZ_OK;
		}
	}
	kv = obj->u.obj.kv;
	rc = val_grow(pool, &kv, obj->u.obj.n, &obj->u.obj.cap,
		      sizeof(*obj->u.obj.kv));
	if (rc != GZ_OK)
		return rc;
	obj->u.obj.kv = kv;
	obj->u.obj.kv[obj->u.obj.n].key = key;
	obj->u.obj.kv[obj->u.obj.n].val = v;
	obj->u.obj.n++;
	return GZ_OK;
}

/* Shorthands for render_obj_set; a NULL s or html sets nothing and
 * returns GZ_OK. */
int
render_obj_str(struct pool *pool, struct render_val *obj, const char *key,
	       const char *s)
{
	if (!obj)
		return GZ_ENOMEM;
	if (!s)
		return GZ_OK;
	return render_obj_set(pool, obj, key, render_str(pool, s));
}

int
render_obj_html(struct pool *pool, struct render_val *obj, const char *key,
		const char *html)
{
	if (!obj)
		return GZ_ENOMEM;
	if (!html)
		return GZ_OK;
	return render_obj_set(pool, obj, key, render_html(pool, html));
}

int
render_obj_bool(struct pool *pool, struct render_val *obj, const char *key,
		bool b)
{
	return render_obj_set(pool, obj, key, render_bool(pool, b));
}

int
render_obj_int(struct pool *pool, struct render_val *obj, const char *key,
	       int64_t i)
{
	return render_obj_set(pool, obj, key, render_int(pool, i));
}

/* Returns key's value in obj, or NULL (also when obj is NULL or not an
 * object). The value lives as long as the pool. */
const struct render_val *
render_obj_get(const struct render_val *obj, const char *key)
{
	size_t i;

	if (!obj || obj->kind != RENDER_OBJ)
		return NULL;
	for (i = 0; i < obj->u.obj.n; i++)
		if (strcmp(obj->u.obj.kv[i].key, key) == 0)
			return obj->u.obj.kv[i].val;
	return NULL;
}
