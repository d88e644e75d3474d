/*
 * trust.c: whether this repository trusts this project file's content,
 * and what is said when it does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "trust.h"
#include "util.h"

#define HASH_HEX 64

char *trust_value(const char *hash, const char *commondir)
{
	return xasprintf("%s %s", hash, commondir);
}

int trust_is_for(const char *v, const char *commondir)
{
	return strlen(v) > HASH_HEX && v[HASH_HEX] == ' ' && !strcmp(v + HASH_HEX + 1, commondir);
}

void trust_check(struct sb_config *cfg, const char *commondir)
{
	size_t i;

	cfg->trusted = 0;
	for (i = 0; cfg->file_hash && i < cfg->ntrust && !cfg->trusted; i++)
		cfg->trusted = trust_is_for(cfg->trust[i], commondir) &&
			       !strncmp(cfg->trust[i], cfg->file_hash, HASH_HEX);
	/*
	 * the env file's name is added to the exclude file every worktree
	 * shares: until trusted, the default, not a name the branch chose
	 */
	if (!cfg->trusted && cfg->env_file_origin == ORIGIN_PROJECT &&
	    strcmp(cfg->env_file, DEFAULT_ENV_FILE)) {
		free(cfg->env_file_ignored);
		cfg->env_file_ignored = cfg->env_file;
		cfg->env_file = xstrdup(DEFAULT_ENV_FILE);
	}
}

void trust_print_value(FILE *f, const char *v)
{
	const unsigned char *p;

	/* what is shown for review is what runs: no byte may hide another */
	for (p = (const unsigned char *)v; *p; p++)
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
}

int trust_allows(const struct sb_config *cfg, enum config_origin origin)
{
	return origin != ORIGIN_PROJECT || cfg->trusted;
}

void trust_warn_ignored(const struct sb_config *cfg, const char *key, const char *value)
{
	fflush(stdout);
	fprintf(stderr, "warning: ignoring %s = ", key);
	trust_print_value(stderr, value);
	fprintf(stderr, " from '%s': you have not trusted this file for this repository\n", cfg->file);
}

void trust_hint(const struct sb_config *cfg)
{
	advise(cfg->file_in_commit ? ADVICE_TRUST_COMMIT : ADVICE_TRUST, cfg->file);
}

int trust_secrets(const struct sb_config *cfg)
{
	if (!cfg->secrets_item || !cfg->nsecrets || !cfg->secrets_from_project || cfg->trusted)
		return 0;
	error("'%s' chooses which secrets of the 1Password item '%s' go to the stack, and you have not "
	      "trusted this file for this repository", cfg->file, cfg->secrets_item);
	trust_hint(cfg);
	return -1;
}

void trust_filter_copy(struct sb_config *cfg)
{
	size_t i, n = 0;
	int dropped = 0;

	for (i = 0; i < cfg->ncopy; i++) {
		if (trust_allows(cfg, cfg->copy[i].origin)) {
			cfg->copy[n++] = cfg->copy[i];
			continue;
		}
		trust_warn_ignored(cfg, "sandbox.copy", cfg->copy[i].value);
		free(cfg->copy[i].value);
		dropped = 1;
	}
	cfg->ncopy = n;
	if (dropped)
		trust_hint(cfg);
}
