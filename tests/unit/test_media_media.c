/* test_media_media.c - tests for src/media/media.c, the server's half of
 * photos: an image handed to the real gazette-ingest helper
 * ($GAZETTE_INGEST, set by meson and scripts/check.sh) comes back as its
 * variants and a filled media_info; a refusal comes back with the
 * helper's sentence and code; and a helper that is missing, prints
 * anything out of shape, or dies of a signal gives GZ_EIO with one
 * sentence and an empty media_info, never a half-read answer. Fake
 * helpers are shell scripts written to each test's mkdtemp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"

static const char failed_prefix[] = "The server could not process this image.";

static char dir[64];
static char real_helper[4096];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-media-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("GAZETTE_INGEST", real_helper, 1);
	media_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The bytes of tests/fixtures/media/NAME (free them). */
static void *
fixture(const char *name, size_t *len)
{
	const char *root = getenv("GAZETTE_SOURCE_ROOT");
	char path[4096];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/media/%s",
		 root ? root : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Makes a fake helper, a shell script with body, and points media.c at
 * it. */
static void
fake_helper(const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fake-ingest", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\ncat >/dev/null\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	setenv("GAZETTE_INGEST", path, 1);
	media_init();
}

static bool
is_empty(const struct media_info *info)
{
	static const struct media_info zero;

	return memcmp(info, &zero, sizeof(zero)) == 0;
}

/* Ingests a few bytes through the current helper: its code, with why
 * and info filled. */
static int
ingest_text(struct media_info *info, char *why, size_t why_size)
{
	static const char text[] = "not an image at all";

	return media_ingest(dir, text, sizeof(text) - 1, 0, info, why,
			    why_size);
}

static void
test_real_helper_makes_variants(void **state)
{
	struct media_info info;
	char why[MEDIA_WHY_MAX], name[MEDIA_NAME_MAX], path[256];
	size_t len, i;
	void *data = fixture("gps.jpg", &len);

	(void)state;
	assert_int_equal(media_ingest(dir, data, len, 0, &info, why,
				      sizeof(why)),
			 GZ_OK);
	assert_string_equal(why, "");
	assert_int_equal(strlen(info.hash), MEDIA_HASH_HEX);
	assert_string_equal(info.format, "jpeg");
	/* Orientation 6: the 720 x 480 file is shown 480 x 720. */
	assert_int_equal(info.width, 480);
	assert_int_equal(info.height, 720);
	assert_int_equal(info.bytes, (int64_t)len);
	assert_false(info.avif);
	assert_int_equal(info.nwidths, 2);
	assert_int_equal(info.widths[0], 320);
	assert_int_equal(info.widths[1], 480);
	for (i = 0; i < info.nwidths; i++) {
		media_variant_name(info.hash, info.widths[i], "webp", name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		assert_int_equal(access(path, R_OK), 0);
		media_variant_name(info.hash, info.widths[i], "jpeg", name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		assert_int_equal(access(path, R_OK), 0);
	}
	free(data);
}

static void
test_real_helper_refusals_keep_their_sentence(void **state)
{
	struct media_info info;
	char why[MEDIA_WHY_MAX];
	size_t big = GZ_LIMIT_MEDIA_BYTES + 1;
	char *zeros = calloc(1, big);

	(void)state;
	assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_EINVAL);
	assert_string_equal(why, "The file is not a JPEG, PNG, WebP, GIF or "
				 "AVIF image.");
	assert_true(is_empty(&info));
	assert_non_null(zeros);
	assert_int_equal(media_ingest(dir, zeros, big, 0, &info, why,
				      sizeof(why)),
			 GZ_ETOOBIG);
	assert_non_null(strstr(why, "more than the 20 MB"));
	assert_true(is_empty(&info));
	free(zeros);
	assert_int_equal(media_ingest(dir, NULL, 0, 0, &info, why,
				      sizeof(why)),
			 GZ_EINVAL);
}

/* Each of these answers is the helper's failure, not an image's. */
static void
test_broken_helpers_give_eio(void **state)
{
	static const char *const bodies[] = {
		"exit 0",                                   /* no line */
		"echo 'ok nonsense'",                       /* short */
		"echo 'ok 0123456789abcdef0123456789abcdef jpeg 10 10 99 0 "
		"320,160'",                                 /* widths down */
		"echo 'ok 0123456789abcdef0123456789abcdef gif 10 10 99 0 10'",
		"echo 'ok 0123456789abcdef0123456789abcdef jpeg 10 10 99 0 10 "
		"extra'",
		"echo 'ok 0123456789abcdef0123456789abcdef jpeg 10 10 99 0 10'; "
		"echo second line",
		"echo 'ok 0123456789abcdef0123456789abcdef jpeg 10 10 99 0 10'; "
		"exit 1",                                   /* status disagrees */
		"echo 'refused eperm You may not.'; exit 1", /* unknown code */
		"echo 'refused einval'; exit 1",            /* no sentence */
		"kill -KILL $$",                            /* a signal */
	};
	struct media_info info;
	char why[MEDIA_WHY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		fake_helper(bodies[i]);
		assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_EIO);
		assert_true(is_empty(&info));
		assert_memory_equal(why, failed_prefix,
				    sizeof(failed_prefix) - 1);
	}
}

static void
test_fake_helper_answers_are_read(void **state)
{
	struct media_info info;
	char why[MEDIA_WHY_MAX];

	(void)state;
	fake_helper("echo 'ok 0123456789abcdef0123456789abcdef png 700 400 "
		    "1234 1 320,480,700'");
	assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_OK);
	assert_string_equal(info.hash, "0123456789abcdef0123456789abcdef");
	assert_string_equal(info.format, "png");
	assert_int_equal(info.width, 700);
	assert_int_equal(info.height, 400);
	assert_int_equal(info.bytes, 1234);
	assert_true(info.avif);
	assert_int_equal(info.nwidths, 3);
	assert_int_equal(info.widths[2], 700);
	fake_helper("echo 'refused etoobig The image is 60 megapixels.'; "
		    "exit 1");
	assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_ETOOBIG);
	assert_string_equal(why, "The image is 60 megapixels.");
}

static void
test_missing_helper(void **state)
{
	struct media_info info;
	char why[MEDIA_WHY_MAX];
	char logged[512] = "";
	FILE *err = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	(void)state;
	assert_non_null(err);
	assert_true(saved >= 0);
	setenv("GAZETTE_INGEST", "/nonexistent/gazette-ingest", 1);
	media_init();
	/* The error log (stderr) names the helper that could not run. */
	assert_true(dup2(fileno(err), STDERR_FILENO) >= 0);
	assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_EIO);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(err);
	n = fread(logged, 1, sizeof(logged) - 1, err);
	logged[n] = '\0';
	fclose(err);
	assert_memory_equal(why, failed_prefix, sizeof(failed_prefix) - 1);
	assert_non_null(strstr(logged, "cannot run /nonexistent/gazette-ingest"));
}

/* A GAZETTE_INGEST too long for a path is not used, nor cut to one: the
 * helper found before stays. */
static void
test_overlong_helper_path(void **state)
{
	struct media_info info;
	char why[MEDIA_WHY_MAX], *longpath;
	size_t n = PATH_MAX + 64;

	(void)state;
	fake_helper("echo 'refused einval Still the first helper.'; exit 1");
	longpath = malloc(n + 1);
	assert_non_null(longpath);
	memset(longpath, 'x', n);
	longpath[0] = '/';
	longpath[n] = '\0';
	setenv("GAZETTE_INGEST", longpath, 1);
	media_init();
	free(longpath);
	assert_int_equal(ingest_text(&info, why, sizeof(why)), GZ_EINVAL);
	assert_string_equal(why, "Still the first helper.");
}

static void
test_names_and_types(void **state)
{
	char name[MEDIA_NAME_MAX];

	(void)state;
	media_variant_name("abcdef0123456789abcdef0123456789", 640, "webp",
			   name);
	assert_string_equal(name, "ab/abcdef0123456789abcdef0123456789-640.webp");
	assert_string_equal(media_mime_of_ext("webp"), "image/webp");
	assert_string_equal(media_mime_of_ext("jpeg"), "image/jpeg");
	assert_string_equal(media_mime_of_ext("png"), "image/png");
	assert_string_equal(media_mime_of_ext("avif"), "image/avif");
	assert_null(media_mime_of_ext("gif"));
	assert_null(media_mime_of_ext(NULL));
	/* Asked of the real helper: either answer, but an answer. */
	(void)media_avif_supported();
}

/* Width picking, as every page, the API, the feeds and the CLI do it:
 * any order, ties to the wider, nothing at all gives 0. */
static void
test_widths(void **state)
{
	static const int sorted[] = {320, 480, 720, 960, 1280, 1600, 2048};
	static const int shuffled[] = {1600, 320, 960, 2048, 480, 1280, 720};
	static const int narrow[] = {200};
	static const int gap[] = {400, 800};

	(void)state;
	assert_int_equal(media_width_nearest(sorted, 7, 960), 960);
	assert_int_equal(media_width_nearest(sorted, 7, 1000), 960);
	assert_int_equal(media_width_nearest(sorted, 7, 1200), 1280);
	assert_int_equal(media_width_nearest(shuffled, 7, 665), 720);
	assert_int_equal(media_width_nearest(sorted, 7, 1), 320);
	assert_int_equal(media_width_nearest(sorted, 7, 100000), 2048);
	assert_int_equal(media_width_nearest(gap, 2, 600), 800); /* tie: wider */
	assert_int_equal(media_width_nearest(narrow, 1, 960), 200);
	assert_int_equal(media_width_nearest(sorted, 0, 960), 0);

	assert_int_equal(media_width_at_most(sorted, 7, MEDIA_SHARE_WIDTH),
			 1280);
	assert_int_equal(media_width_at_most(shuffled, 7, MEDIA_SHARE_WIDTH),
			 1280);
	assert_int_equal(media_width_at_most(sorted, 7, 1279), 960);
	assert_int_equal(media_width_at_most(shuffled, 7, 959), 720);
	assert_int_equal(media_width_at_most(shuffled, 7, 100), 320);
	assert_int_equal(media_width_at_most(narrow, 1, 960), 200);
	assert_int_equal(media_width_at_most(gap, 2, 399), 400);
	assert_int_equal(media_width_at_most(sorted, 0, 960), 0);
}

/* Writes an empty file dir/rel. */
static void
touch(const char *rel)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
}

static bool
present(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, F_OK) == 0;
}

/* Every variant of the hash goes, whatever its width and format; a
 * temporary file being written, another hash's files and names of other
 * shapes stay. */
static void
test_variants_remove(void **state)
{
#define H "abcdef0123456789abcdef0123456789"
#define K "abffff0123456789abcdef0123456789"
	static const char *const gone[] = {
		"ab/" H "-320.webp", "ab/" H "-320.jpeg", "ab/" H "-1280.avif",
		"ab/" H "-960.png",
	};
	static const char *const kept[] = {
		"ab/" H "-960.webp.tmp-Ab12Cd", "ab/" K "-320.webp",
		"ab/" H "-320.gif", "ab/" H "-.webp", "ab/" H ".webp",
		"ab/" H "-x.webp",
	};
	char sub[128];
	size_t i;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/ab", dir);
	/* No folder yet: nothing to remove, no error. */
	assert_int_equal(media_variants_remove(dir, H), GZ_OK);
	assert_int_equal(mkdir(sub, 0755), 0);
	for (i = 0; i < sizeof(gone) / sizeof(*gone); i++)
		touch(gone[i]);
	for (i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		touch(kept[i]);
	assert_int_equal(media_variants_remove(dir, H), GZ_OK);
	for (i = 0; i < sizeof(gone) / sizeof(*gone); i++)
		assert_false(present(gone[i]));
	for (i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		assert_true(present(kept[i]));
	assert_int_equal(media_variants_remove(dir, H), GZ_OK);
	assert_int_equal(media_variants_remove(dir, "../" H), GZ_EINVAL);
	assert_int_equal(media_variants_remove(dir, "ABCDEF0123456789ABCDEF"
					       "0123456789"), GZ_EINVAL);
	assert_int_equal(media_variants_remove(dir, "abc"), GZ_EINVAL);
#undef H
#undef K
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_real_helper_makes_variants,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_real_helper_refusals_keep_their_sentence, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_broken_helpers_give_eio,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fake_helper_answers_are_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_helper, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overlong_helper_path,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_types, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_variants_remove, setup,
						teardown),
		cmocka_unit_test(test_widths),
	};
	const char *helper = getenv("GAZETTE_INGEST");

	if (!helper || !*helper) {
		fprintf(stderr, "test_media_media: GAZETTE_INGEST must name "
				"the gazette-ingest helper\n");
		return 1;
	}
	snprintf(real_helper, sizeof(real_helper), "%s", helper);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
