/* git sandbox secrets: inspect or drop the encrypted secrets cache */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hints.h"
#include "opts.h"
#include "sandbox.h"
#include "secrets.h"
#include "trust.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox secrets [-s <name>] (status | refresh | clear)",
	NULL
};

/* What the next up does with a cache of this age (durations as the user wrote them). */
static const char *freshness(const struct sb_config *cfg, const struct secrets_status *st)
{
	if (st->age_seconds < 0)
		return "from the future: the next 'git sandbox up' asks 1Password";
	if (!st->fresh && st->age_seconds < cfg->secrets_ttl)
		return "incomplete: the next 'git sandbox up' asks 1Password";
	if (st->age_seconds >= cfg->secrets_ttl)
		return st->age_seconds < cfg->secrets_max_age ?
			"expired; used only while 1Password cannot be asked" : "expired, past maxAge";
	if (st->age_seconds < cfg->secrets_recheck)
		return "fresh";
	return "fresh; the next 'git sandbox up' asks 1Password for changes while it starts";
}

static void show_status(const struct sb_config *cfg)
{
	struct secrets_status st;
	char age[32];
	size_t i;

	if (secrets_status(cfg, &st) < 0)
		die("cannot tell the state of the secrets");
	if (!st.configured) {
		printf("no secrets configured (no secrets.item in %s)\n", cfg->file);
		secrets_status_free(&st);
		return;
	}
	printf("item     %s", st.item);
	if (st.vault)
		printf(" (vault %s)", st.vault);
	if (st.account)
		printf(" (account %s)", st.account);
	printf("\ncache    %s\n", st.cache_path);
	if (st.cache == SECRETS_CACHE_OK)
		printf("age      %s (%s; recheck %s, ttl %s, maxAge %s)\n",
		       format_duration(age, sizeof(age), st.age_seconds), freshness(cfg, &st),
		       cfg->secrets_recheck_text, cfg->secrets_ttl_text, cfg->secrets_max_age_text);
	else if (st.cache == SECRETS_CACHE_NONE)
		printf("age      none: the next 'git sandbox up' asks 1Password\n");
	else
		printf("age      unusable (%s): the next 'git sandbox up' asks 1Password\n",
		       st.why ? st.why : "invalid");
	for (i = 0; i < st.nnames; i++)
		printf("  %s %s\n", st.names[i], st.cached && st.cached[i] ? "cached" : "not cached");
	secrets_status_free(&st);
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_END_(),
	};
	struct secret_set set = SECRET_SET_INIT;
	struct sandbox sb;
	int n, r;

	progname = "git sandbox secrets";
	set_advise_routine(say_hint);
	n = parse_options(argc, argv, opts, usage, "git-sandbox-secrets", 0);
	if (n != 1)
		usage_msg(usage, n ? "too many arguments" : "missing subcommand");
	if (strcmp(argv[0], "status") && strcmp(argv[0], "refresh") && strcmp(argv[0], "clear"))
		usage_msg(usage, "unknown subcommand '%s'", argv[0]);
	sandbox_open(&sb, name, SB_NO_ENGINE);
	if (!strcmp(argv[0], "status")) {
		show_status(&sb.cfg);
	} else if (!strcmp(argv[0], "refresh")) {
		if (!sb.cfg.secrets_item)
			die("no secrets configured: set secrets.item in %s", sb.cfg.file);
		if (trust_secrets(&sb.cfg) < 0)
			die("the secrets were not refreshed");
		if (secrets_load(&sb.cfg, SECRETS_REFRESH, &set) < 0)
			die("the secrets were not refreshed");
		printf("Fetched %zu secret%s from 1Password item '%s'\n", set.nr, set.nr == 1 ? "" : "s",
		       sb.cfg.secrets_item);
		secret_set_free(&set);
	} else {
		r = secrets_clear(&sb.cfg);
		if (r < 0)
			die("the cache was not cleared");
		printf(r ? "Removed the secrets cache\n" : "No secrets cache to remove\n");
	}
	sandbox_close(&sb);
	return 0;
}
