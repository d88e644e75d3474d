/*
 * trust.c: whether this repository trusts this project file's content,
 * and what is said when it does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (!cfg->file_hash)
		return;
	for (i = 0; i < cfg->ntrust && !cfg->trusted; i++)
		cfg->trusted = trust_is_for(cfg->trust[i], commondir) &&
			       !strncmp(cfg->trust[i], cfg->file_hash, HASH_HEX);
}

int trust_allows(const struct sb_config *cfg, enum config_origin origin)
{
	return origin != ORIGIN_PROJECT || cfg->trusted;
}

void trust_warn_ignored(const struct sb_config *cfg, const char *key, const char *value)
{
	warning("ignoring %s = %s from '%s': you have not trusted this file for this repository",
		key, value, cfg->file);
}

void trust_hint(const struct sb_config *cfg)
{
	fprintf(stderr, "hint: read '%s', then run 'git sandbox trust' to let it choose programs, files and secrets\n",
		cfg->file);
}

int trust_secrets(const struct sb_config *cfg)
{
	if (!cfg->secrets_item || !cfg->nsecrets || !cfg->secrets_from_project || cfg->trusted)
		return 0;
	error("'%s' chooses the 1Password item '%s' whose secrets go to the stack, and you have not "
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
