/*
 * diff.c - a line diff of two texts (diff.h).
 *
 * Data flow: site/admin_revisions.c hands it a revision's body and the
 * current one and renders the result as <del>/<ins> lines.
 *
 * Myers' O(ND) greedy algorithm ("An O(ND) Difference Algorithm and Its
 * Variations", 1986): for each number of edits d it records how far
 * along each diagonal k = x - y the furthest path reaches, stopping at
 * the first d that reaches both ends; the recorded frontiers are then
 * walked back from the end to recover the path. The frontier of step d
 * has 2d + 1 entries, so the trace takes about D squared ints for D
 * edits: hence the cap on D (GZ_LIMIT_DIFF_EDITS), checked before the
 * next step is allocated. Lines are compared by a hash first.
 *
 * Invariants: every line of old appears once, in order, as KEEP or DEL;
 * every line of new once, in order, as KEEP or ADD.
 */
#include "util/diff.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

struct diff_text {
	const char **text;
	size_t *len;
	uint64_t *hash;
	size_t n;
};

/* FNV-1a of one line. */
static uint64_t
diff_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

/* Splits s into lines (a final "\n" ends the last line, it does not
 * start an empty one; a "\r" before "\n" is dropped). */
static int
diff_split(struct pool *pool, const char *s, struct diff_text *t)
{
	size_t count = 0, i = 0;
	const char *p;

	memset(t, 0, sizeof(*t));
	if (s == NULL || *s == '\0')
		return GZ_OK;
	for (p = s; *p != '\0'; p++) {
		if (*p == '\n')
			count++;
	}
	if (p[-1] != '\n')
		count++;
	if (count > GZ_LIMIT_DIFF_LINES)
		return GZ_ETOOBIG;
	t->text = pool_calloc(pool, count, sizeof(*t->text));
	t->len = pool_calloc(pool, count, sizeof(*t->len));
	t->hash = pool_calloc(pool, count, sizeof(*t->hash));
	if (t->text == NULL || t->len == NULL || t->hash == NULL)
		return GZ_ENOMEM;
	p = s;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		assert(i < count);
		t->text[i] = p;
		t->len[i] = len;
		if (len > 0 && p[len - 1] == '\r')
			t->len[i]--;
		t->hash[i] = diff_hash(p, t->len[i]);
		i++;
		p += len;
		if (*p == '\n')
			p++;
	}
	t->n = i;
	return GZ_OK;
}

static int
diff_eq(const struct diff_text *a, size_t i, const struct diff_text *b,
	size_t j)
{
	return a->hash[i] == b->hash[j] && a->len[i] == b->len[j] &&
	       memcmp(a->text[i], b->text[j], a->len[i]) == 0;
}

int
diff_lines(struct pool *pool, const char *old, const char *new,
	   struct diff_line **lines, size_t *n)
{
	struct diff_text a, b;
	struct diff_line *out = NULL;
	int32_t **trace = NULL;
	int32_t *v;
	long d, k, dmax = -1, nn, mm, x, y;
	size_t nout = 0, i;
	int rc;

	assert(pool != NULL && lines != NULL && n != NULL);
	*lines = NULL;
	*n = 0;
	if ((rc = diff_split(pool, old, &a)) != GZ_OK ||
	    (rc = diff_split(pool, new, &b)) != GZ_OK)
		return rc;
	nn = (long)a.n;
	mm = (long)b.n;
	trace = calloc(GZ_LIMIT_DIFF_EDITS + 1, sizeof(*trace));
	if (trace == NULL)
		return GZ_ENOMEM;
	/* Forward: trace[d][k + d] is the furthest x on diagonal k with d
	 * edits. */
	for (d = 0; dmax < 0; d++) {
		if (d > (long)GZ_LIMIT_DIFF_EDITS) {
			rc = GZ_ETOOBIG;
			goto out;
		}
		trace[d] = malloc((size_t)(2 * d + 1) * sizeof(**trace));
		if (trace[d] == NULL) {
			rc = GZ_ENOMEM;
			goto out;
		}
		v = trace[d];
		for (k = -d; k <= d; k += 2) {
			const int32_t *pv = d > 0 ? trace[d - 1] : NULL;

			if (d == 0)
				x = 0;
			else if (k == -d ||
				 (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1]))
				x = pv[k + 1 + d - 1]; /* down: a line added */
			else
				x = pv[k - 1 + d - 1] + 1; /* right: one removed */
			y = x - k;
			while (x < nn && y < mm && diff_eq(&a, (size_t)x, &b,
							    (size_t)y)) {
				x++;
				y++;
			}
			v[k + d] = (int32_t)x;
			if (x >= nn && y >= mm) {
				dmax = d;
				break;
			}
		}
	}
	out = pool_calloc(pool, (size_t)(nn + mm) + 1, sizeof(*out));
	if (out == NULL) {
		rc = GZ_ENOMEM;
		goto out;
	}
	/* Backward, emitting lines last first. */
	x = nn;
	y = mm;
	for (d = dmax; d >= 0; d--) {
		long pk, px, py;

		k = x - y;
		if (d == 0) {
			px = 0;
			py = 0;
		} else {
			const int32_t *pv = trace[d - 1];

			if (k == -d ||
			    (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1]))
				pk = k + 1;
			else
				pk = k - 1;
			px = pv[pk + d - 1];
			py = px - pk;
		}
		while (x > px && y > py) {
			x--;
			y--;
			out[nout].op = DIFF_KEEP;
			out[nout].text = a.text[x];
			out[nout].len = a.len[x];
			nout++;
		}
		if (d == 0)
			break;
		if (x == px) {
			y--;
			out[nout].op = DIFF_ADD;
			out[nout].text = b.text[y];
			out[nout].len = b.len[y];
		} else {
			x--;
			out[nout].op = DIFF_DEL;
			out[nout].text = a.text[x];
			out[nout].len = a.len[x];
		}
		nout++;
	}
	assert(x == 0 && y == 0);
	for (i = 0; i < nout / 2; i++) {
		struct diff_line t = out[i];

		out[i] = out[nout - 1 - i];
		out[nout - 1 - i] = t;
	}
	*lines = out;
	*n = nout;
	rc = GZ_OK;
out:
	if (trace != NULL) {
		for (d = 0; d <= (long)GZ_LIMIT_DIFF_EDITS; d++)
			free(trace[d]);
		free(trace);
	}
	return rc;
}
