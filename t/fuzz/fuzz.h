/*
 * fuzz.h: what the libFuzzer harnesses share. Each t/fuzz/fuzz_<parser>.c
 * feeds its input to one parser of lib/ and frees everything it got back:
 * a leak is a bug as much as a crash is.
 */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a C string (it ends at its first NUL, as text read by the tool would be refused there). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A private directory for the run, removed by nobody: it lives in TMPDIR. */
static inline char *fuzz_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/sandbox-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir))
		die_errno("cannot create a directory for '%s'", dir);
	return dir;
}

static inline void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		die_errno("cannot write '%s'", path);
}

#endif
