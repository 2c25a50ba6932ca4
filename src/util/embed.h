/*
 * embed.h - files compiled into the binary (the default theme, the demo
 * newsroom). tools/embed.c generates the tables at build time.
 */
#ifndef GZ_UTIL_EMBED_H
#define GZ_UTIL_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name; /* path relative to the embedded folder */
	const unsigned char *data; /* NUL-terminated, len excludes it */
	size_t len;
};

/* themes/default/, sorted by name. */
extern const struct embed_file embed_theme[];
extern const size_t embed_theme_count;
/* demo/, sorted by name. */
extern const struct embed_file embed_demo[];
extern const size_t embed_demo_count;

#endif
