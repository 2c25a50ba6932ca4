/*
 * media_files.c - a photo's variant files under /media/: GET and HEAD of
 * /media/<ab>/<32 hex>-<width>.<ext>, read from the site's media
 * directory (config's media_dir, absolute), written there by media/ at
 * upload (media.h names them).
 *
 * The path is the only outside input, and it is checked whole before any
 * file is opened: it must be exactly the name media_variant_name makes
 * for its own hash, width and extension (so no "..", no "/", no second
 * spelling of one file), else 404. One spelling would escape it: the
 * router hands over C strings, so a "%00" that libmicrohttpd decodes in
 * the path would cut the name there (".../h-640.webp%00.png" read as
 * ".../h-640.webp"); http/, which sees the raw target, answers such a
 * path 400 before any route (server.c, server_path_nul). A file's bytes
 * never change for its name (the name is the hash of the upload and the
 * width), so answers are cacheable for a year, with an ETag made of the
 * name: a revalidation opens the file only to know it is still there. The bytes go out from
 * the file's descriptor (http_resp_file), never through memory, so a
 * variant of any size is served (a 2048-wide PNG can pass 6 MiB).
 *
 * Not kept in the page cache: that would compress images a second time
 * for nothing and push pages out of its budget; the kernel's page cache
 * keeps hot files instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "media/media.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/pool.h"

/* The widest width a variant name can carry: five digits. */
#define MEDIA_FILES_MAX_WIDTH 99999

static bool
is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool
site_media_name_parse(const char *dir, const char *file, char *name,
		      const char **ext)
{
	char hash[MEDIA_HASH_HEX + 1];
	const char *p, *dot;
	long width = 0;

	if (strlen(dir) != 2 || strlen(file) > MEDIA_NAME_MAX - 4 ||
	    strlen(file) < MEDIA_HASH_HEX + 4 ||
	    !is_lower_hex(file, MEDIA_HASH_HEX) || file[MEDIA_HASH_HEX] != '-' ||
	    memcmp(dir, file, 2) != 0)
		return false;
	p = file + MEDIA_HASH_HEX + 1;
	if (*p < '1' || *p > '9') /* no leading zero, no sign */
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		width = width * 10 + (*p - '0');
		if (width > MEDIA_FILES_MAX_WIDTH)
			return false;
	}
	if (*p != '.')
		return false;
	dot = p;
	if (!media_mime_of_ext(dot + 1))
		return false;
	memcpy(hash, file, MEDIA_HASH_HEX);
	hash[MEDIA_HASH_HEX] = '\0';
	media_variant_name(hash, (int)width, dot + 1, name);
	/* The canonical spelling only: one name per file. */
	if (strncmp(name, dir, 2) != 0 || name[2] != '/' ||
	    strcmp(name + 3, file) != 0)
		return false;
	*ext = dot + 1;
	return true;
}

int
site_media_file(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	char name[MEDIA_NAME_MAX];
	const char *ext = NULL, *path, *etag;
	struct stat st;
	int fd = -1, rc = GZ_ENOTFOUND;

	/* A variant has one URL, the one pages print: a percent-escaped
	 * spelling (/media/ab/<hash>%2d960.webp) would show a photo to
	 * readers where the library's search for its uses (a body naming
	 * "/media/ab/<hash>-") does not see it, and its delete would then
	 * break the page. */
	if (req->path_escaped || req->nparams != 2 ||
	    !site_media_name_parse(req->params[0], req->params[1], name, &ext))
		return GZ_ENOTFOUND;
	if (!site->cfg->media_dir || !*site->cfg->media_dir)
		return GZ_ENOTFOUND;
	if (!(path = pool_printf(pool, "%s/%s", site->cfg->media_dir, name)) ||
	    !(etag = pool_printf(pool, "\"%s\"", req->params[1])))
		return GZ_ENOMEM;
	/* O_NOFOLLOW: a link planted in the media directory leads nowhere;
	 * O_NONBLOCK: nor does a FIFO, whose open would otherwise wait for
	 * a writer and hold the server's thread (fstat then says it is not
	 * a file). A regular file ignores the flag. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
			? GZ_ENOTFOUND : GZ_EIO;
	if (fstat(fd, &st) != 0) {
		rc = GZ_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		goto out; /* GZ_ENOTFOUND */
	resp->content_type = media_mime_of_ext(ext);
	if ((rc = http_resp_header(resp, "Cache-Control",
				   "public, max-age=31536000, immutable")))
		goto out;
	/* A revalidation: the server answers 304 on the ETag alone, and the
	 * file was opened only to know it is still there. */
	if (http_etag_matches(http_req_header(req, "If-None-Match"), etag)) {
		rc = http_resp_header(resp, "ETag", etag);
		goto out;
	}
	/* Sent from the descriptor, whatever its size: the response owns
	 * it from here. */
	rc = http_resp_file(resp, fd, (uint64_t)st.st_size, etag);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
