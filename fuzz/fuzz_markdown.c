/*
 * fuzz_markdown.c - libFuzzer target for render_markdown
 * (src/render/markdown.c: cmark-gfm with tables, autolinks,
 * strikethrough, and our own link and lead handling).
 *
 * Each input is rendered twice: trusted (editors' articles, raw HTML
 * kept, with a dateline as lead_html) and untrusted (readers' text). The
 * input is capped at 64 KB: cmark-gfm 0.29 is not linear on some inputs
 * (toolchain-notes.md), and this target looks for memory errors, not for
 * its slow paths; the importer bounds what reaches it in production.
 * Untrusted output must never hold a raw <script.
 */
#include "fuzz.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

#define FUZZ_MD_MAX (64u * 1024u)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	char *md;

	if (size > FUZZ_MD_MAX)
		return 0;
	md = fuzz_dup(data, size);

	buf_init(&out, GZ_LIMIT_MARKDOWN_BYTES);
	(void)render_markdown(md, size, RENDER_MD_TRUSTED,
			      "<span class=\"dateline\">TEHRAN</span> - ",
			      &out);
	buf_fini(&out);

	buf_init(&out, GZ_LIMIT_MARKDOWN_BYTES);
	if (render_markdown(md, size, 0, NULL, &out) == GZ_OK && out.data &&
	    memmem(out.data, out.len, "<script", 7))
		abort();
	buf_fini(&out);

	free(md);
	return 0;
}
