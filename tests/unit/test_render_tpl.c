/*
 * Tests for src/render/tpl.c: our Mustache engine. One test per rule the
 * Mustache spec (v1.4) teaches, then our own deviations, errors, limits
 * and pathological inputs. View models are written as JSON (jansson) to
 * keep the cases short; {"$html": "..."} stands for render_html("...").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static struct pool *pool;

static struct render_val *
from_json(json_t *j)
{
	struct render_val *v;
	const char *k;
	json_t *x;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if ((x = json_object_get(j, "$html")) != NULL)
			return render_html(
				pool, pool_strdup(pool, json_string_value(x)));
		v = render_obj_new(pool);
		json_object_foreach(j, k, x)
			assert_int_equal(render_obj_set(pool, v,
							pool_strdup(pool, k),
							from_json(x)),
					 GZ_OK);
		return v;
	case JSON_ARRAY:
		v = render_list_new(pool);
		json_array_foreach(j, i, x)
			assert_int_equal(
				render_list_push(pool, v, from_json(x)), GZ_OK);
		return v;
	case JSON_STRING:
		return render_str(pool,
				  pool_strdup(pool, json_string_value(j)));
	case JSON_INTEGER:
		return render_int(pool, json_integer_value(j));
	case JSON_TRUE:
		return render_bool(pool, true);
	case JSON_FALSE:
		return render_bool(pool, false);
	default:
		fail_msg("unsupported JSON value");
	}
	return NULL;
}

/* The view model written in JSON; NULL json is no view model at all. */
static struct render_val *
J(const char *json)
{
	json_error_t e;
	json_t *j;
	struct render_val *v;

	if (!json)
		return NULL;
	j = json_loads(json, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", json, e.text);
	v = from_json(j);
	json_decref(j);
	return v;
}

/* A set of named partials for render_partials. */
struct parts {
	const char *name[8];
	struct render_tpl *tpl[8];
	int n;
};

static const struct render_tpl *
parts_find(void *ctx, const char *name)
{
	struct parts *p = ctx;
	int i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->tpl[i];
	return NULL;
}

/* parts is "name", "source", ..., NULL. */
static void
parts_init(struct parts *p, va_list ap)
{
	const char *name, *src;
	char err[256];

	memset(p, 0, sizeof(*p));
	while ((name = va_arg(ap, const char *)) != NULL) {
		src = va_arg(ap, const char *);
		assert_true(p->n < 8);
		p->name[p->n] = name;
		assert_int_equal(render_tpl_compile(name, src, strlen(src),
						    NULL, &p->tpl[p->n], err,
						    sizeof(err)),
				 GZ_OK);
		p->n++;
	}
}

static void
parts_fini(struct parts *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		render_tpl_free(p->tpl[i]);
}

/* Compiles src, renders it with the JSON view model and partials given
 * as "name", "source" pairs ending in NULL, and checks the output. */
static void
check(const char *src, const char *json, const char *want, ...)
{
	struct render_partials rp;
	struct render_tpl *tpl = NULL;
	struct parts parts;
	char err[256];
	struct buf b;
	va_list ap;

	va_start(ap, want);
	parts_init(&parts, ap);
	va_end(ap);
	rp.find = parts_find;
	rp.ctx = &parts;
	if (render_tpl_compile("t", src, strlen(src), NULL, &tpl, err,
			       sizeof(err)) != GZ_OK)
		fail_msg("compile %s: %s", src, err);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_tpl_render(tpl, J(json), &rp, &b), GZ_OK);
	assert_string_equal(b.data ? b.data : "", want);
	buf_fini(&b);
	render_tpl_free(tpl);
	parts_fini(&parts);
}

/* Compiles src (with names, may be NULL) expecting code rc and message. */
static void
check_error_names(const char *src, size_t len, const char *const *names,
		  int rc, const char *msg)
{
	struct render_tpl *tpl = (struct render_tpl *)&tpl;
	char err[256];

	assert_int_equal(render_tpl_compile("t", src, len, names, &tpl, err,
					    sizeof(err)),
			 rc);
	if (rc == GZ_OK) {
		assert_non_null(tpl);
		assert_string_equal(err, "");
		render_tpl_free(tpl);
		return;
	}
	assert_null(tpl);
	if (msg)
		assert_string_equal(err, msg);
}

static void
check_error(const char *src, const char *msg)
{
	check_error_names(src, strlen(src), NULL, GZ_EPARSE, msg);
}

static int
setup(void **state)
{
	(void)state;
	pool = pool_new(64u << 20);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	pool = NULL;
	return 0;
}

/* ---- interpolation ------------------------------------------------------- */

static void
text_without_tags(void **state)
{
	(void)state;
	check("", "{}", "", NULL);
	check("Hello from {Mustache}!\n", "{}", "Hello from {Mustache}!\n",
	      NULL);
	check("a } b }} c { d", "{}", "a } b }} c { d", NULL);
}

static void
variable_basic(void **state)
{
	(void)state;
	check("Hello, {{subject}}!\n", "{\"subject\": \"world\"}",
	      "Hello, world!\n", NULL);
	check("|{{ subject }}|{{\tsubject\n}}|", "{\"subject\": \"x\"}",
	      "|x|x|", NULL);
	/* Interpolated text is not read again as a template. */
	check("{{template}}: {{planet}}",
	      "{\"template\": \"{{planet}}\", \"planet\": \"Earth\"}",
	      "{{planet}}: Earth", NULL);
}

static void
variable_escapes_html(void **state)
{
	(void)state;
	check("{{x}}", "{\"x\": \"& \\\" < > '\"}",
	      "&amp; &quot; &lt; &gt; &#39;", NULL);
	check("<a title=\"{{t}}\">", "{\"t\": \"\\\"><script>\"}",
	      "<a title=\"&quot;&gt;&lt;script&gt;\">", NULL);
}

static void
variable_missing_is_empty(void **state)
{
	(void)state;
	check("I ({{cannot}}) be seen!", "{}", "I () be seen!", NULL);
	check("I ({{{cannot}}}) ({{&cannot}})", "{}", "I () ()", NULL);
	check("({{x}})", NULL, "()", NULL);
}

static void
variable_integers(void **state)
{
	(void)state;
	check("\"{{mph}} miles an hour!\"", "{\"mph\": 85}",
	      "\"85 miles an hour!\"", NULL);
	check("{{{a}}} {{&b}} {{c}} {{d}}",
	      "{\"a\": 0, \"b\": -3, \"c\": 9223372036854775807, "
	      "\"d\": -9223372036854775808}",
	      "0 -3 9223372036854775807 -9223372036854775808", NULL);
}

static void
variable_bool_list_object_render_nothing(void **state)
{
	(void)state;
	check("[{{t}}][{{f}}][{{{t}}}][{{l}}][{{o}}]",
	      "{\"t\": true, \"f\": false, \"l\": [1, 2], \"o\": {\"a\": 1}}",
	      "[][][][][]", NULL);
}

static void
variable_surrounding_whitespace_kept(void **state)
{
	(void)state;
	check("| {{string}} |", "{\"string\": \"---\"}", "| --- |", NULL);
	/* Interpolation is never standalone. */
	check("  {{string}}\n", "{\"string\": \"---\"}", "  ---\n", NULL);
	check("  {{{string}}}\n", "{\"string\": {\"$html\": \"---\"}}",
	      "  ---\n", NULL);
	check("  {{string}}\n", "{}", "  \n", NULL);
}

/* ---- raw output only for trusted HTML (our deviation) -------------------- */

static void
raw_only_for_render_html(void **state)
{
	(void)state;
	/* A plain string stays escaped even in {{{x}}} and {{& x}}. */
	check("{{{x}}}|{{& x}}|{{&x}}", "{\"x\": \"<b>&\"}",
	      "&lt;b&gt;&amp;|&lt;b&gt;&amp;|&lt;b&gt;&amp;", NULL);
	/* render_html values are written raw by {{{x}}} and {{& x}}... */
	check("{{{x}}}|{{& x}}|{{{ x }}}", "{\"x\": {\"$html\": \"<b>&</b>\"}}",
	      "<b>&</b>|<b>&</b>|<b>&</b>", NULL);
	/* ...and escaped by {{x}}: raw output must be asked for. */
	check("{{x}}", "{\"x\": {\"$html\": \"<b>\"}}", "&lt;b&gt;", NULL);
	/* Implicit iterator and dotted names follow the same rule. */
	check("{{#l}}{{{.}}}{{/l}}",
	      "{\"l\": [\"<i>\", {\"$html\": \"<i>\"}]}", "&lt;i&gt;<i>", NULL);
	check("{{{a.b}}}", "{\"a\": {\"b\": {\"$html\": \"<hr>\"}}}", "<hr>",
	      NULL);
}

/* ---- names --------------------------------------------------------------- */

static void
dotted_names(void **state)
{
	(void)state;
	check("\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"",
	      "{\"person\": {\"name\": \"Joe\"}}", "\"Joe\" == \"Joe\"", NULL);
	check("{{a.b.c.d.e.name}}",
	      "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": "
	      "{\"name\": \"Phil\"}}}}}}",
	      "Phil", NULL);
	/* A broken chain is empty; parts resolve against their parent only. */
	check("[{{a.b.c}}]", "{\"a\": {}}", "[]", NULL);
	check("[{{a.b.c.name}}]",
	      "{\"a\": {\"b\": {}}, \"c\": {\"name\": \"Jim\"}}", "[]", NULL);
	check("[{{a.b}}]", "{\"a\": \"str\"}", "[]", NULL);
	/* The first part resolves through the context stack. */
	check("{{#a}}{{b.c.d.e.name}}{{/a}}",
	      "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": "
	      "{\"name\": \"Phil\"}}}}},"
	      " \"b\": {\"c\": {\"d\": {\"e\": {\"name\": \"Wrong\"}}}}}",
	      "Phil", NULL);
	/* The first match wins, even when its rest then fails. */
	check("[{{#a}}{{b.c}}{{/a}}]",
	      "{\"a\": {\"b\": {}}, \"b\": {\"c\": \"ERROR\"}}", "[]", NULL);
	/* Dotted names are never single keys. */
	check("[{{a.b}}]", "{\"a.b\": \"c\"}", "[]", NULL);
	check("[{{a.b}}]", "{\"a.b\": \"c\", \"a\": {\"b\": \"d\"}}", "[d]",
	      NULL);
}

static void
implicit_iterator(void **state)
{
	(void)state;
	check("Hello, {{.}}!", "\"world\"", "Hello, world!", NULL);
	check("{{.}}", "\"& \\\" < >\"", "&amp; &quot; &lt; &gt;", NULL);
	check("\"{{.}} miles\"", "85", "\"85 miles\"", NULL);
	check("\"{{#list}}({{.}}){{/list}}\"",
	      "{\"list\": [\"a\", \"b\", \"c\"]}", "\"(a)(b)(c)\"", NULL);
	check("\"{{#list}}({{.}}){{/list}}\"", "{\"list\": [1, 2, 3]}",
	      "\"(1)(2)(3)\"", NULL);
	check("\"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}\"",
	      "{\"list\": [[1, 2, 3], [\"a\", \"b\", \"c\"]]}",
	      "\"(123)(abc)\"", NULL);
	check("\"{{#.}}({{value}}){{/.}}\"",
	      "[{\"value\": \"a\"}, {\"value\": \"b\"}]", "\"(a)(b)\"", NULL);
}

/* ---- sections ------------------------------------------------------------ */

static void
section_truthy_and_falsey(void **state)
{
	(void)state;
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": true}", "\"yes\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": false}", "\"\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{}", "\"\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": []}", "\"\"", NULL);
	/* Our falsey values beyond the spec: "" and 0. */
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": \"\"}", "\"\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": {\"$html\": \"\"}}", "\"\"",
	      NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": 0}", "\"\"", NULL);
	/* Truthy: objects (even empty), non-empty strings, other ints. */
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": {}}", "\"yes\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": \"x\"}", "\"yes\"", NULL);
	check("\"{{#b}}yes{{/b}}\"", "{\"b\": -1}", "\"yes\"", NULL);
}

static void
section_pushes_context(void **state)
{
	(void)state;
	check("\"{{#context}}Hi {{name}}.{{/context}}\"",
	      "{\"context\": {\"name\": \"Joe\"}}", "\"Hi Joe.\"", NULL);
	/* Names missing on top are looked up further down the stack. */
	check("\"{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}\"",
	      "{\"a\": \"foo\", \"b\": \"wrong\", \"sec\": {\"b\": \"bar\"}, "
	      "\"c\": {\"d\": \"baz\"}}",
	      "\"foo, bar, baz\"", NULL);
	/* A scalar is pushed too, as {{.}}. */
	check("\"{{#foo}}{{.}} is {{foo}}{{/foo}}\"", "{\"foo\": \"bar\"}",
	      "\"bar is bar\"", NULL);
	/* The stack pops: after the section the outer name is back. */
	check("{{#o}}{{n}}{{/o}}{{n}}", "{\"n\": 1, \"o\": {\"n\": 2}}", "21",
	      NULL);
}

static void
section_iterates_lists(void **state)
{
	(void)state;
	check("\"{{#list}}{{item}}{{/list}}\"",
	      "{\"list\": [{\"item\": 1}, {\"item\": 2}, {\"item\": 3}]}",
	      "\"123\"", NULL);
	check("{{#tops}}{{#middles}}{{tname.lower}}{{mname}}.{{#bottoms}}"
	      "{{tname.upper}}{{mname}}{{bname}}.{{/bottoms}}{{/middles}}"
	      "{{/tops}}",
	      "{\"tops\": [{\"tname\": {\"upper\": \"A\", \"lower\": \"a\"},"
	      " \"middles\": [{\"mname\": \"1\", \"bottoms\": [{\"bname\": "
	      "\"x\"}, {\"bname\": \"y\"}]}]}]}",
	      "a1.A1x.A1y.", NULL);
}

static void
section_nesting_and_doubles(void **state)
{
	(void)state;
	check("| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	      "{\"bool\": true}", "| A B C D E |", NULL);
	check("| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	      "{\"bool\": false}", "| A  E |", NULL);
	check("{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n"
	      "{{/bool}}\n",
	      "{\"bool\": true, \"two\": \"second\"}",
	      "* first\n* second\n* third\n", NULL);
	check("\"{{#a.b.c}}Here{{/a.b.c}}\"",
	      "{\"a\": {\"b\": {\"c\": true}}}", "\"Here\"", NULL);
	check("\"{{#a.b.c}}Here{{/a.b.c}}\"", "{\"a\": {}}", "\"\"", NULL);
	check("|{{# boolean }}={{/ boolean }}|", "{\"boolean\": true}", "|=|",
	      NULL);
}

static void
inverted_sections(void **state)
{
	(void)state;
	check("\"{{^b}}shown{{/b}}\"", "{\"b\": false}", "\"shown\"", NULL);
	check("\"{{^b}}shown{{/b}}\"", "{}", "\"shown\"", NULL);
	check("\"{{^b}}shown{{/b}}\"", "{\"b\": []}", "\"shown\"", NULL);
	check("\"{{^b}}shown{{/b}}\"", "{\"b\": \"\"}", "\"shown\"", NULL);
	check("\"{{^b}}shown{{/b}}\"", "{\"b\": 0}", "\"shown\"", NULL);
	check("\"{{^b}}hidden{{/b}}\"", "{\"b\": true}", "\"\"", NULL);
	check("\"{{^b}}hidden{{/b}}\"", "{\"b\": {}}", "\"\"", NULL);
	check("\"{{^b}}{{n}}{{/b}}\"", "{\"b\": [{\"n\": 1}]}", "\"\"", NULL);
	check("| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
	      "{\"bool\": false}", "| A B C D E |", NULL);
	check("\"{{^a.b.c}}Not Here{{/a.b.c}}\"",
	      "{\"a\": {\"b\": {\"c\": true}}}", "\"\"", NULL);
	check("\"{{^a.b.c}}Not Here{{/a.b.c}}\"", "{\"a\": {}}",
	      "\"Not Here\"", NULL);
	/* A typical use: an empty list's message. */
	check("{{#c}}<li>{{.}}</li>{{/c}}{{^c}}No comments{{/c}}",
	      "{\"c\": []}", "No comments", NULL);
	check("|{{^ boolean }}={{/ boolean }}|", "{\"boolean\": false}",
	      "|=|", NULL);
}

/* ---- comments ------------------------------------------------------------ */

static void
comments(void **state)
{
	(void)state;
	check("12345{{! Comment Block! }}67890", "{}", "1234567890", NULL);
	check("12345{{!\n  This is a\n  multi-line comment...\n}}67890\n",
	      "{}", "1234567890\n", NULL);
	check("12345 {{! Comment Block! }} 67890", "{}", "12345  67890",
	      NULL);
	check("  12 {{! 34 }}\n", "{}", "  12 \n", NULL);
	/* A comment never renders, whatever the view model holds; tags in
	 * it are not tags. */
	check(">{{! comment }}<{{!{{x}}}}",
	      "{\"! comment\": 1, \"comment\": 2}", "><}}", NULL);
}

/* ---- standalone lines ---------------------------------------------------- */

static void
standalone_lines_removed(void **state)
{
	(void)state;
	check("| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
	      "{\"boolean\": true}", "| This Is\n|\n| A Line\n", NULL);
	check("| This Is\n  {{#boolean}}\n|\n\t {{/boolean}}  \n| A Line\n",
	      "{\"boolean\": true}", "| This Is\n|\n| A Line\n", NULL);
	check("| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n",
	      "{\"boolean\": false}", "| This Is\n|\n| A Line\n", NULL);
	check("Begin.\n{{! Comment Block! }}\nEnd.\n", "{}",
	      "Begin.\nEnd.\n", NULL);
	check("Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n",
	      "{}", "Begin.\nEnd.\n", NULL);
	check("Begin.\n  {{=@ @=}}\nEnd.\n", "{}", "Begin.\nEnd.\n", NULL);
}

static void
standalone_line_endings(void **state)
{
	(void)state;
	check("|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", "{\"boolean\": true}",
	      "|\r\n|", NULL);
	check("|\r\n{{! c }}\r\n|", "{}", "|\r\n|", NULL);
	/* First and last line count as lines. */
	check("  {{#boolean}}\n#{{/boolean}}\n/", "{\"boolean\": true}",
	      "#\n/", NULL);
	check("#{{#boolean}}\n/\n  {{/boolean}}", "{\"boolean\": true}",
	      "#\n/\n", NULL);
	check("  {{! I'm Still Standalone }}\n!", "{}", "!", NULL);
	check("!\n  {{! I'm Still Standalone }}", "{}", "!\n", NULL);
	/* A lone \r is not a line ending. */
	check("a\n{{! c }}\rb\n", "{}", "a\n\rb\n", NULL);
}

static void
inline_tags_keep_whitespace(void **state)
{
	(void)state;
	check(" | {{#boolean}}\t|\t{{/boolean}} | \n", "{\"boolean\": true}",
	      " | \t|\t | \n", NULL);
	check(" | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n",
	      "{\"boolean\": true}", " |  \n  | \n", NULL);
	check(" {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n",
	      "{\"boolean\": true}", " YES\n GOOD\n", NULL);
	/* Two tags on one line: neither stands alone. */
	check("{{#a}}{{/a}}\nx", "{\"a\": true}", "\nx", NULL);
	check("  {{#a}} {{/a}}  \nx", "{\"a\": false}", "    \nx", NULL);
	check(" | {{=@ @=}}\n", "{}", " | \n", NULL);
}

/* ---- partials ------------------------------------------------------------ */

static void
partials_basic(void **state)
{
	(void)state;
	check("\"{{>text}}\"", "{}", "\"from partial\"", "text",
	      "from partial", NULL);
	check("\"{{>text}}\"", "{}", "\"\"", NULL);
	check("\"{{>partial}}\"", "{\"text\": \"content\"}", "\"*content*\"",
	      "partial", "*{{text}}*", NULL);
	check("|{{> partial }}|", "{}", "|[]|", "partial", "[]", NULL);
	check("| {{>partial}} |", "{}", "| \t|\t |", "partial", "\t|\t",
	      NULL);
}

static void
partials_recurse_and_nest(void **state)
{
	(void)state;
	check("{{>node}}",
	      "{\"content\": \"X\", \"nodes\": [{\"content\": \"Y\", "
	      "\"nodes\": []}]}",
	      "X<Y<>>", "node", "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>",
	      NULL);
	check("{{>outer}}", "{\"a\": \"hello\", \"b\": \"world\"}",
	      "*hello world!*", "outer", "*{{a}} {{>inner}}*", "inner",
	      "{{b}}!", NULL);
}

static void
partials_without_resolver(void **state)
{
	struct render_tpl *tpl = NULL;
	char err[128];
	struct buf b;

	(void)state;
	assert_int_equal(render_tpl_compile("t", "[{{>p}}]", 8, NULL, &tpl,
					    err, sizeof(err)),
			 GZ_OK);
	buf_init(&b, 64);
	assert_int_equal(render_tpl_render(tpl, NULL, NULL, &b), GZ_OK);
	assert_string_equal(b.data, "[]");
	buf_fini(&b);
	render_tpl_free(tpl);
}

static void
partials_standalone_indentation(void **state)
{
	(void)state;
	/* Each line of the partial is indented; interpolated newlines not. */
	check("\\\n {{>partial}}\n/\n",
	      "{\"content\": {\"$html\": \"<\\n->\"}}",
	      "\\\n |\n <\n->\n |\n/\n", "partial", "|\n{{{content}}}\n|\n",
	      NULL);
	check("|\r\n{{>partial}}\r\n|", "{}", "|\r\n>|", "partial", ">",
	      NULL);
	check("  {{>partial}}\n>", "{}", "  >\n  >>", "partial", ">\n>",
	      NULL);
	check(">\n  {{>partial}}", "{}", ">\n  >\n  >", "partial", ">\n>",
	      NULL);
	/* Inline partials are not indented. */
	check("  {{data}}  {{> partial}}\n", "{\"data\": \"|\"}",
	      "  |  >\n>\n", "partial", ">\n>", NULL);
	/* Indentation adds up through nested standalone partials, and the
	 * partial's own standalone lines still vanish. */
	check("<ul>\n  {{>list}}\n</ul>\n",
	      "{\"items\": [{\"n\": 1}, {\"n\": 2}]}",
	      "<ul>\n  {{\n    <li>1</li>\n    <li>2</li>\n  }}\n</ul>\n",
	      "list", "{{=| |=}}\n{{\n|#items|\n  |>item|\n|/items|\n}}\n",
	      "item", "<li>{{n}}</li>\n", NULL);
	/* An inline partial inside an indented one is not indented: the
	 * indentation belongs to the standalone partial's own lines. */
	check(" {{>outer}}\n", "{}", " a x\ny\n\n z\n", "outer",
	      "a {{>inner}}\nz\n", "inner", "x\ny\n", NULL);
	/* An empty line inside the partial is indented too. */
	check(" {{>p}}\n", "{}", " a\n \n b\n", "p", "a\n\nb\n", NULL);
}

static void
partials_and_delimiters(void **state)
{
	(void)state;
	/* Delimiters do not leak into or out of a partial. */
	check("[ {{>include}} ]\n{{= | | =}}\n[ |>include| ]\n",
	      "{\"value\": \"yes\"}", "[ .yes. ]\n[ .yes. ]\n", "include",
	      ".{{value}}.", NULL);
	check("[ {{>include}} ]\n[ .{{value}}.  .|value|. ]\n",
	      "{\"value\": \"yes\"}",
	      "[ .yes.  .yes. ]\n[ .yes.  .|value|. ]\n", "include",
	      ".{{value}}. {{= | | =}} .|value|.", NULL);
}

/* ---- delimiters ---------------------------------------------------------- */

static void
set_delimiters(void **state)
{
	(void)state;
	check("{{=<% %>=}}(<%text%>)", "{\"text\": \"Hey!\"}", "(Hey!)", NULL);
	check("({{=[ ]=}}[text])", "{\"text\": \"It worked!\"}",
	      "(It worked!)", NULL);
	check("|{{= @   @ =}}|", "{}", "||", NULL);
	check("| {{=@ @=}} |", "{}", "|  |", NULL);
	check("[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n"
	      "{{= | | =}}\n|#section|\n  {{data}}\n  |data|\n|/section|\n]\n",
	      "{\"section\": true, \"data\": \"I got interpolated.\"}",
	      "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n"
	      "  I got interpolated.\n]\n",
	      NULL);
	/* Raw and comment tags work with any delimiters; so does changing
	 * them again. */
	check("{{=<% %>=}}<%{h}%><%&h%><%! c %><%={{ }}=%>{{{h}}}",
	      "{\"h\": {\"$html\": \"<b>\"}}", "<b><b><b>", NULL);
	/* Long delimiters. */
	check("{{=<<<<<<<<<<<<<<<< >>>>>>>>>>>>>>>>=}}"
	      "<<<<<<<<<<<<<<<<x>>>>>>>>>>>>>>>>",
	      "{\"x\": 7}", "7", NULL);
}

/* ---- compile errors ------------------------------------------------------ */

static void
error_unclosed_tag(void **state)
{
	(void)state;
	check_error("Hello {{name", "t:1:7: expected '}}' to close the tag");
	check_error("ab\ncd {{{name}}",
		    "t:2:4: expected '}}}' to close the tag");
	check_error("{{=<% %>=}}\n\n   <%x",
		    "t:3:4: expected '%>' to close the tag");
	check_error("{{! never closed",
		    "t:1:1: expected '}}' to close the tag");
	check_error("{{=<% %>}}", "t:1:1: expected '=}}' to close the tag");
}

static void
error_unclosed_section(void **state)
{
	(void)state;
	check_error("{{#a}}\n  {{#b}}x{{/b}}\n",
		    "t:1:1: expected a close tag for section 'a' before the "
		    "end of the template");
	check_error("ab\ncd {{^x}}\n",
		    "t:2:4: expected a close tag for section 'x' before the "
		    "end of the template");
}

static void
error_mismatched_close(void **state)
{
	(void)state;
	check_error("{{#a}}\n  {{/b}}",
		    "t:2:3: expected the close of section 'a', found 'b'");
	check_error("{{#a}}{{#b}}{{/a}}{{/b}}",
		    "t:1:13: expected the close of section 'b', found 'a'");
	check_error("x\n{{/a}}",
		    "t:2:1: expected no close tag: no section is open to be "
		    "closed by 'a'");
}

static void
error_bad_names(void **state)
{
	(void)state;
	check_error("{{}}", "t:1:1: expected a name in the tag");
	check_error("x {{ }}", "t:1:3: expected a name in the tag");
	check_error("{{#}}{{/}}", "t:1:1: expected a name in the tag");
	check_error("{{{ }}}", "t:1:1: expected a name in the tag");
	check_error("{{>}}", "t:1:1: expected a name in the tag");
	check_error("{{a b}}", "t:1:1: expected one name, found 'a b'");
	check_error("{{a..b}}", "t:1:1: expected a name, found 'a..b'");
	check_error("{{.a}}", "t:1:1: expected a name, found '.a'");
	check_error("{{#a.}}{{/a.}}", "t:1:1: expected a name, found 'a.'");
}

static void
error_bad_delimiters(void **state)
{
	const char *msg = "t:1:1: expected two delimiters of at most 16 "
			  "characters, without '=', separated by a space, as "
			  "in {{=<% %>=}}";

	(void)state;
	check_error("{{=<%=}}", msg);
	check_error("{{= =}}", msg);
	check_error("{{==}}", msg);
	check_error("{{=a b c=}}", msg);
	check_error("{{=a= b=}}", msg);
	check_error("{{=<<<<<<<<<<<<<<<<< >>=}}", msg);
}

static void
error_column_counts_characters(void **state)
{
	(void)state;
	/* Four Persian letters and a space: the tag starts at column 6. */
	check_error("\xd8\xaf\xd8\xb1\xdb\x8c\xd8\xa7 {{#a}}",
		    "t:1:6: expected a close tag for section 'a' before the "
		    "end of the template");
}

static void
error_message_truncated_safely(void **state)
{
	struct render_tpl *tpl = NULL;
	char err[12];

	(void)state;
	assert_int_equal(render_tpl_compile("template-name", "{{#a}}", 6,
					    NULL, &tpl, err, sizeof(err)),
			 GZ_EPARSE);
	assert_string_equal(err, "template...");
	/* No error buffer at all is fine. */
	assert_int_equal(render_tpl_compile("t", "{{", 2, NULL, &tpl, NULL,
					    0),
			 GZ_EPARSE);
	assert_null(tpl);
}

/* ---- names allowlist ----------------------------------------------------- */

static const char *const names[] = {"article", "title", "comments", "author",
				    "name", NULL};

static void
names_allowed(void **state)
{
	struct render_tpl *tpl = NULL;
	const char *src = "{{article.title}}{{#comments}}{{author.name}}"
			  "{{.}}{{/comments}}{{^comments}}{{/comments}}"
			  "{{{title}}}{{>any-partial}}{{! anything }}";
	char err[256];

	(void)state;
	assert_int_equal(render_tpl_compile("t", src, strlen(src), names, &tpl,
					    err, sizeof(err)),
			 GZ_OK);
	render_tpl_free(tpl);
}

static void
names_unknown(void **state)
{
	static const char *const none[] = {NULL};

	(void)state;
	check_error_names("<h1>{{titel}}</h1>", 18, names, GZ_EPARSE,
			  "t:1:5: unknown name 'titel'");
	check_error_names("\n{{article.titel}}", 18, names, GZ_EPARSE,
			  "t:2:1: unknown name 'titel'");
	check_error_names("{{#coments}}{{/coments}}", 24, names, GZ_EPARSE,
			  "t:1:1: unknown name 'coments'");
	check_error_names("{{^x}}{{/x}}", 12, names, GZ_EPARSE,
			  "t:1:1: unknown name 'x'");
	check_error_names("{{& body}}", 10, names, GZ_EPARSE,
			  "t:1:1: unknown name 'body'");
	/* Prefixes do not count. */
	check_error_names("{{tit}}", 7, names, GZ_EPARSE,
			  "t:1:1: unknown name 'tit'");
	/* An empty list allows nothing but ".". */
	check_error_names("{{x}}", 5, none, GZ_EPARSE,
			  "t:1:1: unknown name 'x'");
	check_error_names("{{#.}}{{.}}{{/.}}", 17, none, GZ_OK, NULL);
}

/* ---- limits -------------------------------------------------------------- */

/* n nested sections named a, each around "x". */
static char *
nested(unsigned n)
{
	struct buf b;
	unsigned i;

	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++)
		buf_puts(&b, "{{#a}}");
	buf_puts(&b, "x");
	for (i = 0; i < n; i++)
		buf_puts(&b, "{{/a}}");
	assert_int_equal(b.err, GZ_OK);
	return buf_detach(&b, NULL);
}

static void
depth_limit_compile(void **state)
{
	struct render_tpl *tpl = NULL;
	char err[256], want[256], *src;
	struct buf b;

	(void)state;
	src = nested(GZ_LIMIT_TEMPLATE_DEPTH);
	assert_int_equal(render_tpl_compile("t", src, strlen(src), NULL, &tpl,
					    err, sizeof(err)),
			 GZ_OK);
	/* At the limit it also renders. */
	buf_init(&b, 1024);
	assert_int_equal(render_tpl_render(tpl, J("{\"a\": true}"), NULL, &b),
			 GZ_OK);
	assert_string_equal(b.data, "x");
	buf_fini(&b);
	render_tpl_free(tpl);
	free(src);

	src = nested(GZ_LIMIT_TEMPLATE_DEPTH + 1);
	snprintf(want, sizeof(want),
		 "t:1:%u: expected sections nested at most %u deep",
		 GZ_LIMIT_TEMPLATE_DEPTH * 6 + 1, GZ_LIMIT_TEMPLATE_DEPTH);
	check_error_names(src, strlen(src), NULL, GZ_ETOOBIG, want);
	free(src);
}

static void
depth_limit_render(void **state)
{
	struct render_partials rp;
	struct parts parts;
	struct buf b;

	(void)state;
	memset(&parts, 0, sizeof(parts));
	parts.name[0] = "p";
	assert_int_equal(render_tpl_compile("p", "x{{>p}}", 7, NULL,
					    &parts.tpl[0], NULL, 0),
			 GZ_OK);
	parts.n = 1;
	rp.find = parts_find;
	rp.ctx = &parts;
	/* A partial that includes itself forever stops at the limit. */
	buf_init(&b, 1 << 20);
	assert_int_equal(render_tpl_render(parts.tpl[0], NULL, &rp, &b),
			 GZ_ETOOBIG);
	assert_true(b.len <= GZ_LIMIT_TEMPLATE_DEPTH + 1);
	buf_fini(&b);
	/* Sections inside partials count towards the same limit. */
	parts.name[1] = "q";
	assert_int_equal(render_tpl_compile("q",
					    "{{#a}}{{#a}}{{>q}}{{/a}}{{/a}}",
					    30, NULL, &parts.tpl[1], NULL, 0),
			 GZ_OK);
	parts.n = 2;
	buf_init(&b, 1 << 20);
	assert_int_equal(render_tpl_render(parts.tpl[1], J("{\"a\": [1]}"),
					   &rp, &b),
			 GZ_ETOOBIG);
	buf_fini(&b);
	parts_fini(&parts);
}

static void
size_limit_template(void **state)
{
	struct render_tpl *tpl = NULL;
	char err[256], want[256], *src;

	(void)state;
	src = malloc(GZ_LIMIT_TEMPLATE_BYTES + 1);
	assert_non_null(src);
	memset(src, 'a', GZ_LIMIT_TEMPLATE_BYTES + 1);
	assert_int_equal(render_tpl_compile("t", src, GZ_LIMIT_TEMPLATE_BYTES,
					    NULL, &tpl, err, sizeof(err)),
			 GZ_OK);
	render_tpl_free(tpl);
	snprintf(want, sizeof(want), "t: template is larger than %u bytes",
		 GZ_LIMIT_TEMPLATE_BYTES);
	check_error_names(src, GZ_LIMIT_TEMPLATE_BYTES + 1, NULL, GZ_ETOOBIG,
			  want);
	free(src);
}

static void
size_limit_output(void **state)
{
	struct render_tpl *tpl = NULL;
	const char *src = "{{#l}}<li>{{.}}</li>{{/l}}";
	struct render_val *l, *o;
	struct buf b;
	int i;

	(void)state;
	o = render_obj_new(pool);
	l = render_list_new(pool);
	assert_int_equal(render_obj_set(pool, o, "l", l), GZ_OK);
	for (i = 0; i < 100000; i++)
		assert_int_equal(render_list_push(pool, l, render_int(pool, i)),
				 GZ_OK);
	assert_int_equal(render_tpl_compile("t", src, strlen(src), NULL, &tpl,
					    NULL, 0),
			 GZ_OK);
	buf_init(&b, 1000);
	assert_int_equal(render_tpl_render(tpl, o, NULL, &b), GZ_ETOOBIG);
	assert_true(b.len > 900 && b.len <= 1000);
	/* A buffer that already failed is not written to. */
	assert_int_equal(render_tpl_render(tpl, o, NULL, &b), GZ_ETOOBIG);
	buf_fini(&b);
	/* The escaper's output is capped too. */
	buf_init(&b, 5);
	render_tpl_free(tpl);
	assert_int_equal(render_tpl_compile("t", "{{x}}", 5, NULL, &tpl, NULL,
					    0),
			 GZ_OK);
	assert_int_equal(render_tpl_render(tpl, J("{\"x\": \"<<\"}"), NULL,
					   &b),
			 GZ_ETOOBIG);
	buf_fini(&b);
	render_tpl_free(tpl);
}

/* ---- reuse --------------------------------------------------------------- */

static void
compile_once_render_many(void **state)
{
	struct render_tpl *tpl = NULL;
	struct render_val *v;
	struct buf b;
	int i;

	(void)state;
	assert_int_equal(render_tpl_compile("t", "<h1>{{t}}</h1>", 14, NULL,
					    &tpl, NULL, 0),
			 GZ_OK);
	for (i = 0; i < 3; i++) {
		buf_init(&b, 64);
		v = J(i % 2 ? "{\"t\": \"B\"}" : "{\"t\": \"A\"}");
		assert_int_equal(render_tpl_render(tpl, v, NULL, &b), GZ_OK);
		assert_string_equal(b.data,
				    i % 2 ? "<h1>B</h1>" : "<h1>A</h1>");
		buf_fini(&b);
	}
	render_tpl_free(tpl);
	render_tpl_free(NULL);
}

/* ---- pathological inputs: must finish quickly (linear) ------------------- */

/* Returns n copies of s. */
static char *
repeat(const char *s, size_t n, size_t *len)
{
	size_t k = strlen(s), i;
	char *r = malloc(n * k + 1);

	assert_non_null(r);
	for (i = 0; i < n; i++)
		memcpy(r + i * k, s, k);
	r[n * k] = '\0';
	*len = n * k;
	return r;
}

static void
pathological_open_braces(void **state)
{
	struct render_tpl *tpl = NULL;
	char err[256];
	size_t len;
	char *src;

	(void)state;
	src = repeat("{{", 100000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, err,
					    sizeof(err)),
			 GZ_EPARSE);
	/* "{{{" opens a raw tag, which waits for "}}}". */
	assert_string_equal(err, "t:1:1: expected '}}}' to close the tag");
	free(src);
	src = repeat("{{ ", 100000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, err,
					    sizeof(err)),
			 GZ_EPARSE);
	assert_string_equal(err, "t:1:1: expected '}}' to close the tag");
	free(src);
	/* 100,000 "{{" inside one comment are just its text. */
	src = repeat("{{", 100000, &len);
	src[2] = '!';
	src[len - 2] = '}';
	src[len - 1] = '}';
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, err,
					    sizeof(err)),
			 GZ_OK);
	render_tpl_free(tpl);
	free(src);
	/* "{{{" over and over: each waits for "}}}". */
	src = repeat("{{{", 100000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, err,
					    sizeof(err)),
			 GZ_EPARSE);
	free(src);
}

static void
pathological_many_tags(void **state)
{
	struct render_tpl *tpl = NULL;
	struct buf b;
	size_t len;
	char *src;

	(void)state;
	/* About 1 MB on one line, 200,000 tags. */
	src = repeat("{{a}}", 200000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_OK);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_tpl_render(tpl, J("{\"a\": \"xy\"}"), NULL, &b),
			 GZ_OK);
	assert_int_equal(b.len, 400000);
	buf_fini(&b);
	render_tpl_free(tpl);
	free(src);
	/* 80,000 standalone comment lines, all removed. */
	src = repeat("  {{! c }}  \n", 80000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_OK);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_tpl_render(tpl, NULL, NULL, &b), GZ_OK);
	assert_int_equal(b.len, 0);
	buf_fini(&b);
	render_tpl_free(tpl);
	free(src);
	/* Sections opened and closed 80,000 times. */
	src = repeat("{{#a}}{{/a}}", 80000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_OK);
	render_tpl_free(tpl);
	free(src);
	/* 100,000 nested opens fail at the depth limit at once. */
	src = repeat("{{#a}}", 100000, &len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_ETOOBIG);
	free(src);
}

static void
pathological_long_line(void **state)
{
	struct render_tpl *tpl = NULL;
	size_t len = 1 << 20;
	struct buf b;
	char *src;

	(void)state;
	/* A 1 MB line of blanks before a standalone tag, and one of text. */
	src = malloc(len + 1);
	assert_non_null(src);
	memset(src, ' ', len);
	memcpy(src + len - 6, "{{!x}}", 6);
	src[len] = '\0';
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_OK);
	buf_init(&b, 2u << 20);
	assert_int_equal(render_tpl_render(tpl, NULL, NULL, &b), GZ_OK);
	assert_int_equal(b.len, 0);
	render_tpl_free(tpl);
	memset(src, 'x', len);
	assert_int_equal(render_tpl_compile("t", src, len, NULL, &tpl, NULL, 0),
			 GZ_OK);
	buf_reset(&b);
	assert_int_equal(render_tpl_render(tpl, NULL, NULL, &b), GZ_OK);
	assert_int_equal(b.len, len);
	buf_fini(&b);
	render_tpl_free(tpl);
	/* An error at the end of a 1 MB line reports its column. */
	memcpy(src + len - 2, "{{", 2);
	check_error_names(src, len, NULL, GZ_EPARSE,
			  "t:1:1048575: expected '}}' to close the tag");
	free(src);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(text_without_tags),
		T(variable_basic),
		T(variable_escapes_html),
		T(variable_missing_is_empty),
		T(variable_integers),
		T(variable_bool_list_object_render_nothing),
		T(variable_surrounding_whitespace_kept),
		T(raw_only_for_render_html),
		T(dotted_names),
		T(implicit_iterator),
		T(section_truthy_and_falsey),
		T(section_pushes_context),
		T(section_iterates_lists),
		T(section_nesting_and_doubles),
		T(inverted_sections),
		T(comments),
		T(standalone_lines_removed),
		T(standalone_line_endings),
		T(inline_tags_keep_whitespace),
		T(partials_basic),
		T(partials_recurse_and_nest),
		T(partials_without_resolver),
		T(partials_standalone_indentation),
		T(partials_and_delimiters),
		T(set_delimiters),
		T(error_unclosed_tag),
		T(error_unclosed_section),
		T(error_mismatched_close),
		T(error_bad_names),
		T(error_bad_delimiters),
		T(error_column_counts_characters),
		T(error_message_truncated_safely),
		T(names_allowed),
		T(names_unknown),
		T(depth_limit_compile),
		T(depth_limit_render),
		T(size_limit_template),
		T(size_limit_output),
		T(compile_once_render_many),
		T(pathological_open_braces),
		T(pathological_many_tags),
		T(pathological_long_line),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
