/*
 * The project file .gitsandbox through config_load(): libgit2's parser,
 * then our layering, interpretation and validation. The input is up to
 * four parts split at NUL bytes: the file, GIT_CONFIG_PARAMETERS, then
 * GIT_CONFIG_KEY_0 and GIT_CONFIG_VALUE_0, so the `git -c` layer is
 * fuzzed together with the file it overrides.
 */
#include <git2.h>

#include "config.h"
#include "fuzz.h"

static git_repository *repo;
static char *dir, *file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *empty;
	int level;

	(void)argc;
	(void)argv;
	dir = fuzz_tmpdir();
	file = path_join(dir, ".gitsandbox");
	empty = path_join(dir, "empty");
	if (mkdir_p(empty, 0700) < 0)
		exit(1);
	/* no system, global or XDG config of the machine running the fuzzer */
	setenv("HOME", empty, 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
	unsetenv("GIT_CONFIG_PARAMETERS");
	unsetenv("GIT_CONFIG_COUNT");
	git_libgit2_init();
	for (level = GIT_CONFIG_LEVEL_PROGRAMDATA; level <= GIT_CONFIG_LEVEL_GLOBAL; level++)
		git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, empty);
	if (git_repository_init(&repo, dir, 0) < 0)
		die("cannot create a repository in '%s': %s", dir, git_error_last()->message);
	free(empty);
	return 0;
}

/* Set (or with no such part, unset) env to part n of data. */
static void set_part(const char *env, const uint8_t *data, size_t size, int n)
{
	const uint8_t *p = data, *end = data + size, *nul;
	char *v;

	while (n--) {
		if (!(nul = memchr(p, '\0', end - p))) {
			unsetenv(env);
			return;
		}
		p = nul + 1;
	}
	nul = memchr(p, '\0', end - p);
	v = fuzz_string(p, (nul ? nul : end) - p);
	setenv(env, v, 1);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	struct sb_config cfg;

	fuzz_write(file, data, nul ? (size_t)(nul - data) : size);
	set_part("GIT_CONFIG_PARAMETERS", data, size, 1);
	set_part("GIT_CONFIG_KEY_0", data, size, 2);
	set_part("GIT_CONFIG_VALUE_0", data, size, 3);
	if (getenv("GIT_CONFIG_KEY_0") && getenv("GIT_CONFIG_VALUE_0"))
		setenv("GIT_CONFIG_COUNT", "1", 1);
	else
		unsetenv("GIT_CONFIG_COUNT");
	config_load(&cfg, repo, dir, "fuzz");
	config_free(&cfg);
	git_error_clear();
	return 0;
}
