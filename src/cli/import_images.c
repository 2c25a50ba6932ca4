/*
 * import_images.c - the lead images an import names: reading them (from
 * disk beside the imported file, or from wherever a cli_image_source
 * finds them: the demo's are compiled in) and making their variants with
 * media_ingest, before the article's transaction.
 *
 * Invariant: the name reaching a source has passed the front-matter
 * parser's checks (relative, no ".." component, at most
 * GZ_LIMIT_FORM_FILENAME_BYTES), so a source only joins it to its
 * folder; a file on disk must also resolve, links and all, to a place
 * under that folder (cli_image_beneath). The bytes read are capped at
 * GZ_LIMIT_MEDIA_BYTES before anything is allocated.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"

/* Whether path, its links resolved, lies under folder, its links
 * resolved: an image named "photo.jpg" that is a link to /etc/passwd,
 * or a folder link to elsewhere, is refused as ".." is. */
static bool
cli_image_beneath(const char *folder, const char *path)
{
	char *top = realpath(folder, NULL), *real = realpath(path, NULL);
	size_t n = top ? strlen(top) : 0;
	bool ok = top && real && strncmp(real, top, n) == 0 &&
		  (real[n] == '/' || (n == 1 && top[0] == '/'));

	free(top);
	free(real);
	return ok;
}

int
cli_image_read_file(void *ctx, const char *name, const unsigned char **data,
		    size_t *len, void **owned, char *why, size_t why_size)
{
	const char *folder = ctx;
	unsigned char *p = NULL;
	struct stat sb;
	char *path;
	size_t got = 0;
	ssize_t n;
	int fd = -1, rc = GZ_EIO;

	*data = NULL;
	*len = 0;
	*owned = NULL;
	if (!(path = cli_path(folder, name))) {
		snprintf(why, why_size, "out of memory");
		return GZ_ENOMEM;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		rc = errno == ENOENT ? GZ_ENOTFOUND : GZ_EIO;
		snprintf(why, why_size, "cannot read %s: %s", path,
			 strerror(errno));
		goto out;
	}
	if (!cli_image_beneath(folder, path)) {
		snprintf(why, why_size, "%s leads outside the imported file's "
			 "folder (a symbolic link)", path);
		rc = GZ_EINVAL;
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, why_size, "%s is not a regular file", path);
		goto out;
	}
	if (sb.st_size > GZ_LIMIT_MEDIA_BYTES) {
		snprintf(why, why_size, "The file is larger than %u MB.",
			 GZ_LIMIT_MEDIA_BYTES / (1024u * 1024u));
		rc = GZ_ETOOBIG;
		goto out;
	}
	if (!(p = malloc((size_t)sb.st_size + 1))) {
		snprintf(why, why_size, "out of memory");
		rc = GZ_ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size &&
	       (n = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)sb.st_size) {
		snprintf(why, why_size, "cannot read %s", path);
		goto out;
	}
	*data = p;
	*len = got;
	*owned = p;
	p = NULL;
	rc = GZ_OK;
out:
	free(p);
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Removes one entry of the tree cli_rmtree walks, children first. */
static int
rmtree_entry(const char *path, const struct stat *sb, int flag,
	     struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == 0 ? 0 : -1;
	return unlink(path) == 0 ? 0 : -1;
}

int
cli_rmtree(const char *dir)
{
	struct stat sb;

	if (lstat(dir, &sb) != 0 && errno == ENOENT)
		return GZ_OK;
	/* FTW_PHYS: a link is removed, never followed. */
	return nftw(dir, rmtree_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? GZ_OK
								     : GZ_EIO;
}
