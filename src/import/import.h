/*
 * import.h - readers for the two article formats a newsroom hands over
 * (design.md section 2): plain text as a wire feed or a scraper leaves it,
 * and Markdown with a front-matter block.
 *
 * Parsing is pure: bytes in, a struct import_article out, or an error that
 * names the line and what was expected. Writing to the store (one
 * transaction per file) is the command's job, in cli/.
 */
#ifndef GZ_IMPORT_H
#define GZ_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;

struct import_article {
	const char *headline;
	const char *summary;  /* "" when none */
	const char *body;     /* Markdown; plain text is escaped into it */
	const char *byline;   /* "" when none */
	const char *dateline; /* "" when none, else as written: "TEHRAN" */
	const char *section;  /* "" when none */
	const char *lang;     /* "" when none (the site default applies) */
	const char *slug;     /* "" when none */
	const char *status;   /* "" when none, else draft|scheduled|published */
	int64_t published_at; /* 0 when no date was given */
	const char **tags;
	size_t ntags;
	/* Front matter "comments:": IMPORT_COMMENTS_POLICY when not given
	 * (the site's close_after_days decides), 0 for "closed",
	 * IMPORT_COMMENTS_OPEN for "open" (never close), else the number of
	 * days after publication they stay open. */
	int comments_days;
	/* Where the body's lines are in the file, for messages about the
	 * body (import_body_line): the file line of its first line, and for
	 * plain text, whose body is rebuilt paragraph by paragraph, the file
	 * line of each of its nbody_lines lines (NULL when they follow one
	 * another as in the file). */
	unsigned body_line;
	const unsigned *body_lines;
	size_t nbody_lines;
	/* Front matter "image:": the lead image's file, as written: a path
	 * relative to the imported file's folder (never absolute, no ".."
	 * component, at most GZ_LIMIT_FORM_FILENAME_BYTES); "" when none.
	 * Reading it is the command's job (the parser does no file IO).
	 * Its words, each at most GZ_LIMIT_MEDIA_TEXT_BYTES and "" when
	 * none: the alt text (required unless image_decorative), caption
	 * and credit. image_line is the file line of "image:" (0 when
	 * none), for messages about the image. */
	const char *image;
	const char *image_alt;
	const char *image_caption;
	const char *image_credit;
	bool image_decorative;
	unsigned image_line;
};

#define IMPORT_COMMENTS_POLICY (-1)
#define IMPORT_COMMENTS_OPEN 0x7fffffff

struct import_error {
	unsigned line; /* 1-based; 0 when the error is about the whole file */
	char msg[256]; /* "expected a date line like \"May 18, 2021 - 18:31\"" */
};

/* Parses one file's bytes: front matter when the first line is "---", else
 * plain text. A UTF-8 BOM is skipped, CRLF and CR line ends are read as LF,
 * and text that is not valid UTF-8 is an error (never mangled). Dates are
 * read in the process's time zone (date_timezone_set). All output strings
 * are allocated from pool. Returns GZ_OK, GZ_EPARSE (err filled),
 * GZ_ETOOBIG or GZ_ENOMEM. */
int import_parse(struct pool *pool, const char *data, size_t len,
		 struct import_article *out, struct import_error *err);

/* Returns the line of the file that line k (1-based) of a->body came
 * from; 0 for k == 0. A k past the body's end gives its last line. */
unsigned import_body_line(const struct import_article *a, unsigned k);

#endif
