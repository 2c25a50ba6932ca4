/*
 * render_int.h - what the files of render/ share and nobody else sees: the
 * layout of a view-model value, which val.c builds and tpl.c reads.
 *
 * Invariants: a value never changes kind; list items and object values are
 * never NULL (the setters refuse NULL with GZ_ENOMEM, since NULL there only
 * ever comes from a constructor that ran out of pool).
 */
#ifndef GZ_RENDER_INT_H
#define GZ_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/render.h"

enum render_kind {
	RENDER_STR,
	RENDER_HTML,
	RENDER_BOOL,
	RENDER_INT,
	RENDER_LIST,
	RENDER_OBJ,
};

struct render_kv {
	const char *key;
	const struct render_val *val;
};

struct render_val {
	enum render_kind kind;
	union {
		const char *s; /* RENDER_STR, RENDER_HTML; never NULL */
		bool b;
		int64_t i;
		struct {
			const struct render_val **items;
			size_t n, cap;
		} list;
		struct {
			struct render_kv *kv;
			size_t n, cap;
		} obj;
	} u;
};

#endif
