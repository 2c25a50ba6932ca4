/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry points and a
 * copy of the input into a buffer of exactly its size.
 *
 * Every target is one .c file in fuzz/ that defines LLVMFuzzerTestOneInput
 * (and, when it needs set-up, LLVMFuzzerInitialize). It is linked either
 * with libFuzzer (fuzz/build.sh, clang) or with fuzz/replay_main.c
 * (fuzz/replay.sh, any compiler) to replay a corpus under ASan and UBSan.
 *
 * Inputs are copied to a heap block of exactly their length, so reading
 * one byte past the end is an AddressSanitizer report; a NUL-terminated
 * copy is made only for functions whose contract asks for one.
 */
#ifndef GZ_FUZZ_H
#define GZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns a copy of data[0..size) in a block of exactly size bytes (one
 * byte when size is 0, so the result is never NULL); aborts when out of
 * memory, which is a harness failure. Caller frees with free(). */
static inline char *
fuzz_dup(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* Returns a NUL-terminated copy of data[0..size), cut at its first NUL
 * byte (a C string cannot hold one). Caller frees with free(). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	const uint8_t *nul = size ? memchr(data, 0, size) : NULL;
	size_t n = nul ? (size_t)(nul - data) : size;
	char *p = malloc(n + 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, data, n);
	p[n] = '\0';
	return p;
}

#endif
