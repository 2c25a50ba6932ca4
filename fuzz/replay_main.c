/*
 * replay_main.c - a main() for the fuzz targets without libFuzzer: calls
 * LLVMFuzzerTestOneInput once on every file named on the command line,
 * and on every regular file of every directory named there (not
 * recursively). Built with ASan and UBSan by fuzz/replay.sh, so
 * `make check` replays each target's corpus and its crash regressions
 * on any compiler.
 *
 * Prints "replay: N inputs" and exits 0 when every input ran; a sanitizer
 * report or a crash ends the process with its own status, after a line
 * naming the input that caused it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Targets that need no set-up leave LLVMFuzzerInitialize undefined. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static unsigned long ninputs;

/* Reads path whole and runs the target on it. Returns 0, or -1 when the
 * file cannot be read. */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;
	size_t got;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		fclose(f);
		return -1;
	}
	/* An exact-size block: a read past the input is an ASan report. */
	if (n > 0 && !(data = malloc((size_t)n))) {
		fclose(f);
		return -1;
	}
	got = n > 0 ? fread(data, 1, (size_t)n, f) : 0;
	fclose(f);
	if (got != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		free(data);
		return -1;
	}
	/* Said before the run, so a crash report follows its input's name. */
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	free(data);
	ninputs++;
	return 0;
}

static int
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[4096];
	int rc = 0, n;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			fprintf(stderr, "%s/%s: path too long\n", dir,
				e->d_name);
			rc = -1;
			continue;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) != 0
					       : run_file(argv[i]) != 0) {
			rc = 1;
		}
	}
	printf("replay: %lu inputs\n", ninputs);
	return rc;
}
