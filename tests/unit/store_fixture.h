/*
 * store_fixture.h - the temporary directory every store test works in:
 * made in a test's setup (mkdtemp, with the database path inside it) and
 * removed with everything in it (the database, its -wal and -shm) in
 * teardown.
 *
 * A test-only header of static functions, included by
 * tests/unit/test_store_*.c after cmocka.h; not a test of its own.
 */
#ifndef GZ_TEST_STORE_FIXTURE_H
#define GZ_TEST_STORE_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Sizes of a test's directory and database path buffers. */
#define FIXTURE_DIR_MAX 64
#define FIXTURE_PATH_MAX 128

/* Makes a fresh directory from tmpl ("/tmp/gz-NAME-XXXXXX") into
 * dir[FIXTURE_DIR_MAX] and sets path[FIXTURE_PATH_MAX] to gazette.db in
 * it; the database itself is not created. */
static void
store_fixture_make(char *dir, char *path, const char *tmpl)
{
	int n;

	n = snprintf(dir, FIXTURE_DIR_MAX, "%s", tmpl);
	assert_true(n > 0 && n < FIXTURE_DIR_MAX);
	assert_non_null(mkdtemp(dir));
	n = snprintf(path, FIXTURE_PATH_MAX, "%s/gazette.db", dir);
	assert_true(n > 0 && n < FIXTURE_PATH_MAX);
}

/* Removes dir and the files in it (no subdirectories). */
static void
store_fixture_remove(const char *dir)
{
	char p[512];
	struct dirent *de;
	DIR *d;
	int n;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			n = snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (n > 0 && (size_t)n < sizeof(p))
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

#endif
