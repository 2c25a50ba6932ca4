/*
 * tpl.c - our Mustache engine: compile a template once into a flat array
 * of operations, render it many times into a capped buffer.
 *
 * Data flow: theme.c compiles every template at start-up (so a typo fails
 * there, with file:line:col); a handler renders a view model (val.c) with
 * one of them into the response buffer.
 *
 * The behaviour is the Mustache spec, version 1.4 (github.com/mustache/
 * spec): interpolation, sections, inverted sections, comments, partials
 * and set delimiters, with standalone lines and partial indentation.
 * Where we differ, on purpose:
 *   - {{{x}}} and {{& x}} write a value raw only when it was made by
 *     render_html(); a plain string is HTML-escaped even there, so readers'
 *     text cannot become markup by a template mistake (defence in depth).
 *   - {{x}} escapes render_html() values too: raw output must be asked for.
 *   - A boolean in a variable tag renders as nothing (the spec is silent;
 *     "true" in a page is never what a theme author meant). Lists and
 *     objects in a variable tag render as nothing too.
 *   - Falsey for sections: missing, false, the empty list, the empty string
 *     and the integer 0 ({{^count}}No comments{{/count}} works). Objects,
 *     even empty ones, are truthy. Non-list truthy values are pushed on the
 *     context stack and the section renders once.
 *   - View models have no null and no floats: a missing key is the null,
 *     and numbers are 64-bit integers in decimal.
 *   - Not supported: lambdas (optional in the spec: a view model holds
 *     data, not code), and the optional modules dynamic names ({{>*x}}) and
 *     inheritance ({{<parent}} {{$block}}). {{<, {{$ and {{* are read as
 *     ordinary names and, having no such sigils, fail a names allowlist.
 *   - Tag names must be one word: "{{a b}}" is a compile error, and so are
 *     empty names and empty dotted parts ("a..b", ".a", "a.").
 *   - Limits: a template is at most GZ_LIMIT_TEMPLATE_BYTES; sections nest
 *     at most GZ_LIMIT_TEMPLATE_DEPTH deep in one template; at render time
 *     sections and partials together nest at most GZ_LIMIT_TEMPLATE_DEPTH
 *     deep (a recursive partial stops there with GZ_ETOOBIG); delimiters
 *     are at most 16 bytes, contain no whitespace and no '='.
 *   - With a names allowlist, every dotted part of every variable and
 *     section name must be in the list ("." is always allowed; partial
 *     names are not checked: partials are resolved by the theme).
 *   - Columns in error messages count UTF-8 characters from 1.
 *
 * Invariants: a compiled template is immutable and shared by threads;
 * rendering keeps its state on the caller's stack. Compilation is linear
 * in the template's size: every search moves forward, and a line's
 * standalone test looks only at the blanks around one tag.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

#define TPL_DELIM_MAX 16u

enum op_kind {
	OP_TEXT,     /* literal text: str, len index the template's text */
	OP_VAR,      /* {{x}}: escaped */
	OP_RAW,      /* {{{x}}} {{&x}}: raw when the value is render_html */
	OP_SECTION,  /* {{#x}}: body is ops [i + 1, aux) */
	OP_INVERTED, /* {{^x}}: body is ops [i + 1, aux) */
	OP_PARTIAL,  /* {{>x}}: name at str; indent at aux, len bytes */
};

struct op {
	uint8_t kind;
	uint8_t standalone; /* OP_PARTIAL: the tag stood alone on its line */
	uint16_t ncomp;     /* name's dotted parts; 0 is ".", the top */
	uint32_t str;       /* offset in mem: text, or NUL-separated parts */
	uint32_t len;       /* OP_TEXT length; OP_PARTIAL indent length */
	uint32_t aux;       /* sections: index after the body; OP_PARTIAL:
			       offset of the indent in mem */
};

struct render_tpl {
	struct op *ops;
	size_t nops;
	/* The template's source, then every name, NUL-terminated parts. */
	char *mem;
};

/* ---- compiling ----------------------------------------------------------- */

struct open_section {
	size_t op;    /* index of its OP_SECTION or OP_INVERTED */
	size_t at;    /* offset of its tag, for messages */
	size_t name;  /* offset and length of its name in src */
	size_t nlen;
};

struct cc {
	const char *name;
	const char *src;
	size_t len;
	const char *const *names;
	char *err;
	size_t errlen;
	struct op *ops;
	size_t nops, cap;
	struct buf mem;
	char otag[TPL_DELIM_MAX], ctag[TPL_DELIM_MAX];
	size_t olen, clen;
	struct open_section open[GZ_LIMIT_TEMPLATE_DEPTH];
	size_t depth;
};

/* Writes "name:line:col: message" about offset at into the caller's
 * err; a message too long for it is cut and ends in "...". */
static void
cc_error(struct cc *c, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cc_error(struct cc *c, size_t at, const char *fmt, ...)
{
	char msg[256];
	unsigned line = 1, col = 1;
	size_t i;
	va_list ap;
	int n;

	if (!c->err || c->errlen == 0)
		return;
	for (i = 0; i < at && i < c->len; i++) {
		if (c->src[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)c->src[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	/* Messages quote at most 64 bytes of a name, so msg holds them; a
	 * cut one would still be a message. */
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	n = snprintf(c->err, c->errlen, "%s:%u:%u: %s", c->name, line, col,
		     msg);
	if (n >= 0 && (size_t)n >= c->errlen && c->errlen > 4)
		memcpy(c->err + c->errlen - 4, "...", 4);
}

static int
cc_push(struct cc *c, enum op_kind kind, size_t str, size_t len)
{
	struct op *p;
	size_t ncap;

	if (c->nops == c->cap) {
		ncap = c->cap ? c->cap * 2 : 64;
		if (!(p = realloc(c->ops, ncap * sizeof(*p))))
			return GZ_ENOMEM;
		c->ops = p;
		c->cap = ncap;
	}
	p = &c->ops[c->nops++];
	memset(p, 0, sizeof(*p));
	p->kind = (uint8_t)kind;
	p->str = (uint32_t)str;
	p->len = (uint32_t)len;
	return GZ_OK;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\f' || ch == '\v';
}

/* Trims blanks around [*b, *e) of src. */
static void
trim(const char *src, size_t *b, size_t *e)
{
	while (*b < *e && is_space(src[*b]))
		(*b)++;
	while (*e > *b && is_space(src[*e - 1]))
		(*e)--;
}

static int
name_allowed(const struct cc *c, const char *part, size_t n)
{
	const char *const *p;

	if (!c->names)
		return 1;
	for (p = c->names; *p; p++)
		if (strlen(*p) == n && memcmp(*p, part, n) == 0)
			return 1;
	return 0;
}

/* Checks the name src[b, e) of a variable or section tag at offset at and
 * stores its dotted parts in mem; *str and *ncomp get where and how many. */
static int
cc_name(struct cc *c, size_t at, size_t b, size_t e, uint32_t *str,
	uint16_t *ncomp)
{
	size_t i, p, n = 0;
	int rc;

	*str = (uint32_t)c->mem.len;
	*ncomp = 0;
	if (e - b == 1 && c->src[b] == '.')
		return GZ_OK;
	for (p = b; p <= e; p = i + 1) {
		for (i = p; i < e && c->src[i] != '.'; i++)
			;
		if (i == p) {
			cc_error(c, at, "expected a name, found '%.*s'",
				 (int)(e - b > 64 ? 64 : e - b), c->src + b);
			return GZ_EPARSE;
		}
		if (!name_allowed(c, c->src + p, i - p)) {
			cc_error(c, at, "unknown name '%.*s'",
				 (int)(i - p > 64 ? 64 : i - p), c->src + p);
			return GZ_EPARSE;
		}
		if (++n > UINT16_MAX) {
			cc_error(c, at, "expected fewer dotted parts");
			return GZ_EPARSE;
		}
		buf_append(&c->mem, c->src + p, i - p);
		if ((rc = buf_putc(&c->mem, '\0')) != GZ_OK)
			return rc;
	}
	*ncomp = (uint16_t)n;
	return GZ_OK;
}

/* Parses the inside of {{=<% %>=}}, src[b, e) ("<% %>"). */
static int
cc_delims(struct cc *c, size_t at, size_t b, size_t e)
{
	size_t o, ol, q, ql, i;

	trim(c->src, &b, &e);
	for (i = b; i < e && !is_space(c->src[i]); i++)
		;
	o = b;
	ol = i - b;
	while (i < e && is_space(c->src[i]))
		i++;
	q = i;
	ql = e - i;
	for (i = q; i < e; i++)
		if (is_space(c->src[i]))
			ql = 0; /* a third word */
	if (ol == 0 || ql == 0 || ol > TPL_DELIM_MAX || ql > TPL_DELIM_MAX ||
	    memchr(c->src + o, '=', ol) || memchr(c->src + q, '=', ql)) {
		cc_error(c, at,
			 "expected two delimiters of at most %u characters, "
			 "without '=', separated by a space, as in "
			 "{{=<%% %%>=}}",
			 TPL_DELIM_MAX);
		return GZ_EPARSE;
	}
	memcpy(c->otag, c->src + o, ol);
	c->olen = ol;
	memcpy(c->ctag, c->src + q, ql);
	c->clen = ql;
	return GZ_OK;
}

static int
cc_text(struct cc *c, size_t b, size_t e)
{
	if (b >= e)
		return GZ_OK;
	return cc_push(c, OP_TEXT, b, e - b);
}

/* Compiles the tag whose sigil-less content is src[b, e), opened at at.
 * standalone and the indent [ib, at) matter to partials only. */
static int
cc_tag(struct cc *c, char sigil, size_t at, size_t b, size_t e,
       int standalone, size_t ib)
{
	struct open_section *s;
	enum op_kind kind;
	struct op *op;
	uint32_t str;
	uint16_t ncomp;
	size_t i;
	int rc;

	if (sigil == '!')
		return GZ_OK;
	if (sigil == '=')
		return cc_delims(c, at, b, e);
	trim(c->src, &b, &e);
	if (b == e) {
		cc_error(c, at, "expected a name in the tag");
		return GZ_EPARSE;
	}
	for (i = b; i < e; i++) {
		if (is_space(c->src[i])) {
			cc_error(c, at, "expected one name, found '%.*s'",
				 (int)(e - b > 64 ? 64 : e - b), c->src + b);
			return GZ_EPARSE;
		}
	}
	switch (sigil) {
	case '>':
		str = (uint32_t)c->mem.len;
		buf_append(&c->mem, c->src + b, e - b);
		if ((rc = buf_putc(&c->mem, '\0')) != GZ_OK)
			return rc;
		if ((rc = cc_push(c, OP_PARTIAL, str, 0)) != GZ_OK)
			return rc;
		op = &c->ops[c->nops - 1];
		if (standalone) {
			op->standalone = 1;
			op->aux = (uint32_t)ib;
			op->len = (uint32_t)(at - ib);
		}
		return GZ_OK;
	case '/':
		if (c->depth == 0) {
			cc_error(c, at,
				 "expected no close tag: no section is open "
				 "to be closed by '%.*s'",
				 (int)(e - b > 64 ? 64 : e - b), c->src + b);
			return GZ_EPARSE;
		}
		s = &c->open[c->depth - 1];
		if (s->nlen != e - b ||
		    memcmp(c->src + s->name, c->src + b, s->nlen) != 0) {
			cc_error(c, at,
				 "expected the close of section '%.*s', "
				 "found '%.*s'",
				 (int)(s->nlen > 64 ? 64 : s->nlen),
				 c->src + s->name,
				 (int)(e - b > 64 ? 64 : e - b), c->src + b);
			return GZ_EPARSE;
		}
		c->ops[s->op].aux = (uint32_t)c->nops;
		c->depth--;
		return GZ_OK;
	case '#':
	case '^':
		if (c->depth == GZ_LIMIT_TEMPLATE_DEPTH) {
			cc_error(c, at,
				 "expected sections nested at most %u deep",
				 GZ_LIMIT_TEMPLATE_DEPTH);
			return GZ_ETOOBIG;
		}
		kind = sigil == '#' ? OP_SECTION : OP_INVERTED;
		break;
	case '{':
	case '&':
		kind = OP_RAW;
		break;
	default:
		kind = OP_VAR;
		break;
	}
	if ((rc = cc_name(c, at, b, e, &str, &ncomp)) != GZ_OK)
		return rc;
	if ((rc = cc_push(c, kind, str, 0)) != GZ_OK)
		return rc;
	c->ops[c->nops - 1].ncomp = ncomp;
	if (kind == OP_SECTION || kind == OP_INVERTED) {
		s = &c->open[c->depth++];
		s->op = c->nops - 1;
		s->at = at;
		s->name = b;
		s->nlen = e - b;
	}
	return GZ_OK;
}

/* The compiler's main loop: find each tag, decide whether it stands alone
 * on its line (then the line's blanks and newline go with it), emit the
 * text before it, then the tag. */
static int
cc_run(struct cc *c)
{
	size_t pos = 0, text = 0, t, b, e, end, ls, le, next;
	const char *p;
	char sigil, close[TPL_DELIM_MAX + 1];
	size_t closelen;
	int standalone, rc;

	for (;;) {
		p = memmem(c->src + pos, c->len - pos, c->otag, c->olen);
		if (!p)
			return cc_text(c, text, c->len);
		t = (size_t)(p - c->src);
		b = t + c->olen;
		sigil = b < c->len ? c->src[b] : '\0';
		switch (sigil) {
		case '#': case '^': case '/': case '>': case '!':
		case '{': case '&': case '=':
			b++;
			break;
		default:
			sigil = '\0';
			break;
		}
		closelen = 0;
		if (sigil == '{')
			close[closelen++] = '}';
		else if (sigil == '=')
			close[closelen++] = '=';
		memcpy(close + closelen, c->ctag, c->clen);
		closelen += c->clen;
		p = b <= c->len ? memmem(c->src + b, c->len - b, close,
					 closelen)
				: NULL;
		if (!p) {
			cc_error(c, t, "expected '%.*s' to close the tag",
				 (int)closelen, close);
			return GZ_EPARSE;
		}
		e = (size_t)(p - c->src);
		end = e + closelen;

		standalone = 0;
		ls = t;
		next = end;
		if (sigil && sigil != '{' && sigil != '&') {
			while (ls > text && is_blank(c->src[ls - 1]))
				ls--;
			le = end;
			while (le < c->len && is_blank(c->src[le]))
				le++;
			if ((ls == 0 || c->src[ls - 1] == '\n') &&
			    (le == c->len || c->src[le] == '\n' ||
			     (c->src[le] == '\r' && le + 1 < c->len &&
			      c->src[le + 1] == '\n'))) {
				standalone = 1;
				next = le == c->len ? le
				       : c->src[le] == '\r' ? le + 2
							    : le + 1;
			}
		}
		if ((rc = cc_text(c, text, standalone ? ls : t)) != GZ_OK)
			return rc;
		rc = cc_tag(c, sigil, t, b, e, standalone, ls);
		if (rc != GZ_OK)
			return rc;
		pos = text = next;
	}
}

/* Compiles a template (contract in render.h): GZ_EPARSE for a malformed
 * template or an unknown name, GZ_ETOOBIG past GZ_LIMIT_TEMPLATE_BYTES or
 * GZ_LIMIT_TEMPLATE_DEPTH nested sections, GZ_ENOMEM; the message goes to
 * err (may be NULL). *out is NULL on error; the caller frees it with
 * render_tpl_free. The template keeps its own copy of src. */
int
render_tpl_compile(const char *name, const char *src, size_t len,
		   const char *const *names, struct render_tpl **out,
		   char *err, size_t errlen)
{
	struct render_tpl *tpl = NULL;
	struct cc c;
	struct open_section *s;
	int rc;

	assert(name && out && (src || len == 0));
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.src = src ? src : "";
	c.len = len;
	c.names = names;
	c.err = err;
	c.errlen = errlen;
	memcpy(c.otag, "{{", 2);
	memcpy(c.ctag, "}}", 2);
	c.olen = c.clen = 2;
	/* Names never take more room than the source plus a NUL each. */
	buf_init(&c.mem, 3u * GZ_LIMIT_TEMPLATE_BYTES);
	if (len > GZ_LIMIT_TEMPLATE_BYTES) {
		if (err && errlen &&
		    snprintf(err, errlen,
			     "%s: template is larger than %u bytes", name,
			     GZ_LIMIT_TEMPLATE_BYTES) >= (int)errlen &&
		    errlen > 4)
			memcpy(err + errlen - 4, "...", 4);
		rc = GZ_ETOOBIG;
		goto out;
	}
	if ((rc = buf_append(&c.mem, c.src, len)) != GZ_OK)
		goto out;
	if ((rc = cc_run(&c)) != GZ_OK)
		goto out;
	if (c.depth > 0) {
		s = &c.open[c.depth - 1];
		cc_error(&c, s->at,
			 "expected a close tag for section '%.*s' before the "
			 "end of the template",
			 (int)(s->nlen > 64 ? 64 : s->nlen), c.src + s->name);
		rc = GZ_EPARSE;
		goto out;
	}
	if (!(tpl = calloc(1, sizeof(*tpl)))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	tpl->ops = c.ops;
	tpl->nops = c.nops;
	tpl->mem = buf_detach(&c.mem, NULL);
	c.ops = NULL;
	if (!tpl->mem) {
		rc = GZ_ENOMEM;
		goto out;
	}
	*out = tpl;
	tpl = NULL;
out:
	if (rc == GZ_ENOMEM && err && errlen && !err[0] &&
	    snprintf(err, errlen, "%s: out of memory", name) >= (int)errlen &&
	    errlen > 4)
		memcpy(err + errlen - 4, "...", 4);
	render_tpl_free(tpl);
	free(c.ops);
	buf_fini(&c.mem);
	return rc;
}

/* Frees tpl; NULL is a no-op. */
void
render_tpl_free(struct render_tpl *tpl)
{
	if (!tpl)
		return;
	free(tpl->ops);
	free(tpl->mem);
	free(tpl);
}

/* ---- rendering ----------------------------------------------------------- */

struct indent {
	const char *s;
	size_t n;
};

struct rs {
	const struct render_partials *partials;
	struct buf *out;
	/* The context stack: [0] is the caller's view model. */
	const struct render_val *stack[GZ_LIMIT_TEMPLATE_DEPTH + 1];
	size_t sp;
	/* Indents of the standalone partials being rendered; those below
	 * ibase belong to templates that included an inline partial, whose
	 * lines are not indented (the spec indents a partial's own lines). */
	struct indent indent[GZ_LIMIT_TEMPLATE_DEPTH];
	size_t nindent, ibase;
	unsigned depth; /* sections and partials being rendered, at most
			   GZ_LIMIT_TEMPLATE_DEPTH */
	int line_start; /* the template's next byte starts a line */
};

static const struct render_val *
rs_lookup(const struct rs *r, const struct render_tpl *tpl,
	  const struct op *op)
{
	const struct render_val *v = NULL;
	const char *part = tpl->mem + op->str;
	size_t i;
	unsigned k;

	if (op->ncomp == 0)
		return r->stack[r->sp - 1];
	for (i = r->sp; i-- > 0;) {
		if ((v = render_obj_get(r->stack[i], part)) != NULL)
			break;
	}
	for (k = 1; v && k < op->ncomp; k++) {
		part += strlen(part) + 1;
		v = render_obj_get(v, part);
	}
	return v;
}

static int
truthy(const struct render_val *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case RENDER_STR:
	case RENDER_HTML: return v->u.s[0] != '\0';
	case RENDER_BOOL: return v->u.b;
	case RENDER_INT: return v->u.i != 0;
	case RENDER_LIST: return v->u.list.n > 0;
	case RENDER_OBJ: return 1;
	}
	return 0;
}

static int
rs_indent(struct rs *r)
{
	size_t i;
	int rc;

	if (r->line_start) {
		r->line_start = 0;
		for (i = r->ibase; i < r->nindent; i++)
			if ((rc = buf_append(r->out, r->indent[i].s,
					     r->indent[i].n)) != GZ_OK)
				return rc;
	}
	return GZ_OK;
}

static int
rs_text(struct rs *r, const char *s, size_t n)
{
	const char *nl;
	size_t k;
	int rc;

	if (r->nindent == r->ibase) {
		r->line_start = s[n - 1] == '\n';
		return buf_append(r->out, s, n);
	}
	while (n > 0) {
		if ((rc = rs_indent(r)) != GZ_OK)
			return rc;
		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) + 1 : n;
		if ((rc = buf_append(r->out, s, k)) != GZ_OK)
			return rc;
		r->line_start = nl != NULL;
		s += k;
		n -= k;
	}
	return GZ_OK;
}

static int
rs_value(struct rs *r, const struct render_val *v, int raw)
{
	char num[24];
	int n;

	if (!v)
		return GZ_OK;
	switch (v->kind) {
	case RENDER_HTML:
		if (raw)
			return buf_puts(r->out, v->u.s);
		return render_escape_html(r->out, v->u.s, strlen(v->u.s));
	case RENDER_STR:
		return render_escape_html(r->out, v->u.s, strlen(v->u.s));
	case RENDER_INT:
		n = snprintf(num, sizeof(num), "%" PRId64, v->u.i);
		if (n < 0 || (size_t)n >= sizeof(num))
			return GZ_EINVAL;
		return buf_append(r->out, num, (size_t)n);
	case RENDER_BOOL:
	case RENDER_LIST:
	case RENDER_OBJ:
		break;
	}
	return GZ_OK;
}

static int rs_run(struct rs *r, const struct render_tpl *tpl, size_t from,
		  size_t to);

/* Enters one more level of sections and partials, or refuses past the
 * limit; every successful call is paired with r->depth--. */
static int
rs_enter(struct rs *r)
{
	if (r->depth >= GZ_LIMIT_TEMPLATE_DEPTH)
		return GZ_ETOOBIG;
	r->depth++;
	return GZ_OK;
}

/* Renders a section's body once with v on top of the context stack. */
static int
rs_body(struct rs *r, const struct render_tpl *tpl, size_t i,
	const struct render_val *v)
{
	int rc;

	if ((rc = rs_enter(r)) != GZ_OK)
		return rc;
	assert(r->sp <= GZ_LIMIT_TEMPLATE_DEPTH);
	r->stack[r->sp++] = v;
	rc = rs_run(r, tpl, i + 1, tpl->ops[i].aux);
	r->sp--;
	r->depth--;
	return rc;
}

static int
rs_partial(struct rs *r, const struct render_tpl *tpl, const struct op *op)
{
	const struct render_tpl *p;
	size_t ibase = r->ibase;
	int rc;

	p = r->partials && r->partials->find
		    ? r->partials->find(r->partials->ctx, tpl->mem + op->str)
		    : NULL;
	if (!p || p->nops == 0)
		return GZ_OK;
	if ((rc = rs_enter(r)) != GZ_OK)
		return rc;
	if (op->standalone) {
		assert(r->nindent < GZ_LIMIT_TEMPLATE_DEPTH);
		r->indent[r->nindent].s = tpl->mem + op->aux;
		r->indent[r->nindent].n = op->len;
		r->nindent++;
		r->line_start = 1;
		rc = rs_run(r, p, 0, p->nops);
		r->nindent--;
		/* The tag took its line's newline: the next byte starts one. */
		r->line_start = 1;
	} else if ((rc = rs_indent(r)) == GZ_OK) {
		r->ibase = r->nindent;
		rc = rs_run(r, p, 0, p->nops);
		r->ibase = ibase;
		r->line_start = 0;
	}
	r->depth--;
	return rc;
}

static int
rs_run(struct rs *r, const struct render_tpl *tpl, size_t from, size_t to)
{
	const struct render_val *v;
	const struct op *op;
	size_t i = from, k;
	int rc = GZ_OK;

	while (i < to) {
		op = &tpl->ops[i];
		switch ((enum op_kind)op->kind) {
		case OP_TEXT:
			rc = rs_text(r, tpl->mem + op->str, op->len);
			i++;
			break;
		case OP_VAR:
		case OP_RAW:
			if ((rc = rs_indent(r)) == GZ_OK)
				rc = rs_value(r, rs_lookup(r, tpl, op),
					      op->kind == OP_RAW);
			i++;
			break;
		case OP_SECTION:
			v = rs_lookup(r, tpl, op);
			if (!truthy(v)) {
			} else if (v->kind == RENDER_LIST) {
				for (k = 0; k < v->u.list.n && rc == GZ_OK;
				     k++)
					rc = rs_body(r, tpl, i,
						     v->u.list.items[k]);
			} else {
				rc = rs_body(r, tpl, i, v);
			}
			i = op->aux;
			break;
		case OP_INVERTED:
			if (!truthy(rs_lookup(r, tpl, op)) &&
			    (rc = rs_enter(r)) == GZ_OK) {
				rc = rs_run(r, tpl, i + 1, op->aux);
				r->depth--;
			}
			i = op->aux;
			break;
		case OP_PARTIAL:
			rc = rs_partial(r, tpl, op);
			i++;
			break;
		}
		if (rc != GZ_OK)
			return rc;
	}
	return GZ_OK;
}

/* Renders tpl with ctx (may be NULL: every name is missing) into out.
 * Returns GZ_OK; GZ_ETOOBIG when out's maximum or the nesting limit is
 * reached (out keeps what was written before); GZ_ENOMEM; or out's
 * earlier error, without writing. Reads tpl and ctx only, so one
 * template renders in many threads at once. */
int
render_tpl_render(const struct render_tpl *tpl, const struct render_val *ctx,
		  const struct render_partials *partials, struct buf *out)
{
	struct rs r;
	int rc;

	assert(tpl && out);
	if (out->err)
		return out->err;
	memset(&r, 0, sizeof(r));
	r.partials = partials;
	r.out = out;
	r.stack[0] = ctx;
	r.sp = 1;
	r.line_start = 1;
	rc = rs_run(&r, tpl, 0, tpl->nops);
	return rc;
}
