/* test_cli_import_images.c - tests for src/cli/import_images.c: reading
 * the image an import names from disk (found, missing, not a file, over
 * GZ_LIMIT_MEDIA_BYTES before anything is allocated) and cli_rmtree (a
 * nested tree goes, a link is removed but never followed, a missing
 * folder is no error). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/err.h"
#include "util/limits.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/gazette-unit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return cli_rmtree(dir) == GZ_OK ? 0 : -1;
}

/* Writes len bytes of s (a sparse file of size len when s is NULL) to
 * dir/name. */
static void
put(const char *name, const char *s, off_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	if (s)
		assert_int_equal(write(fd, s, (size_t)len), len);
	else
		assert_int_equal(ftruncate(fd, len), 0);
	close(fd);
}

static void
test_read_file(void **state)
{
	const unsigned char *data;
	size_t len;
	void *owned;
	char why[512], sub[128];

	(void)state;
	put("photo.jpg", "\xff\xd8\xff bytes", 9);
	assert_int_equal(cli_image_read_file(dir, "photo.jpg", &data, &len,
					     &owned, why, sizeof(why)), GZ_OK);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "\xff\xd8\xff bytes", 9);
	assert_ptr_equal(data, owned);
	free(owned);

	/* In a folder below, as "photos/a.jpg" names it. */
	snprintf(sub, sizeof(sub), "%s/photos", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	put("photos/a.jpg", "", 0);
	assert_int_equal(cli_image_read_file(dir, "photos/a.jpg", &data, &len,
					     &owned, why, sizeof(why)), GZ_OK);
	assert_int_equal(len, 0);
	free(owned);

	/* Missing: the path and why, nothing to free. */
	assert_int_equal(cli_image_read_file(dir, "nowhere.jpg", &data, &len,
					     &owned, why, sizeof(why)),
			 GZ_ENOTFOUND);
	assert_null(owned);
	assert_non_null(strstr(why, "cannot read "));
	assert_non_null(strstr(why, "nowhere.jpg"));
	/* A folder is not an image file. */
	assert_int_equal(cli_image_read_file(dir, "photos", &data, &len,
					     &owned, why, sizeof(why)), GZ_EIO);
	assert_null(owned);
	assert_non_null(strstr(why, "not a regular file"));
	/* At the limit it is read; one byte past it is refused from its
	 * size (a sparse file: nothing that large is ever allocated). */
	put("big.jpg", NULL, (off_t)GZ_LIMIT_MEDIA_BYTES + 1);
	assert_int_equal(cli_image_read_file(dir, "big.jpg", &data, &len,
					     &owned, why, sizeof(why)),
			 GZ_ETOOBIG);
	assert_null(owned);
	assert_string_equal(why, "The file is larger than 20 MB.");
	put("big.jpg", NULL, (off_t)GZ_LIMIT_MEDIA_BYTES);
	assert_int_equal(cli_image_read_file(dir, "big.jpg", &data, &len,
					     &owned, why, sizeof(why)), GZ_OK);
	assert_int_equal(len, GZ_LIMIT_MEDIA_BYTES);
	free(owned);
}

static void
test_rmtree(void **state)
{
	char tree[128], keep[128], path[256];
	struct stat sb;

	(void)state;
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(keep, sizeof(keep), "%s/keep", dir);
	assert_int_equal(mkdir(tree, 0755), 0);
	assert_int_equal(mkdir(keep, 0755), 0);
	put("keep/precious", "x", 1);
	snprintf(path, sizeof(path), "%s/ab", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	put("tree/ab/abcd-320.webp", "w", 1);
	put("tree/top", "t", 1);
	snprintf(path, sizeof(path), "%s/link", tree);
	assert_int_equal(symlink(keep, path), 0);

	assert_int_equal(cli_rmtree(tree), GZ_OK);
	assert_int_equal(lstat(tree, &sb), -1);
	snprintf(path, sizeof(path), "%s/precious", keep);
	assert_int_equal(stat(path, &sb), 0);
	/* Gone already: no error. */
	assert_int_equal(cli_rmtree(tree), GZ_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_rmtree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
