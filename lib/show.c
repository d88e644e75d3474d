#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "derive.h"
#include "repo.h"
#include "sandbox.h"
#include "show.h"
#include "util.h"

/* Runs of the same group name, consecutive ports shown as a range. */
void show_ports(struct strbuf *out, const long *ports, char *const *names, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		int consecutive = 1;

		while (j < n && !strcmp(names[j], names[i])) {
			if (ports[j] != ports[j - 1] + 1)
				consecutive = 0;
			j++;
		}
		if (out->len)
			strbuf_addstr(out, ", ");
		strbuf_addf(out, "%s %ld", names[i], ports[i]);
		if (j - i > 1 && consecutive) {
			strbuf_addf(out, "-%ld", ports[j - 1]);
		} else {
			size_t k;

			for (k = i + 1; k < j; k++)
				strbuf_addf(out, " %ld", ports[k]);
		}
		i = j;
	}
}

void show_json_open(struct strbuf *out, const struct sandbox_view *v)
{
	size_t i = 0;

	strbuf_addstr(out, "{\"name\":");
	strbuf_addjson(out, v->name);
	strbuf_addf(out, ",\"slot\":%ld,\"repo\":", v->slot);
	strbuf_addjson(out, v->repo);
	strbuf_addstr(out, ",\"path\":");
	strbuf_addjson(out, v->path);
	strbuf_addstr(out, ",\"branch\":");
	strbuf_addjson(out, v->branch);
	strbuf_addstr(out, ",\"project\":");
	strbuf_addjson(out, v->project);
	strbuf_addstr(out, ",\"status\":");
	strbuf_addjson(out, v->status);
	strbuf_addstr(out, ",\"engine\":");
	strbuf_addjson(out, v->engine ? v->engine : "");
	strbuf_addstr(out, ",\"ports\":{");
	while (i < v->nports) {
		size_t j = i + 1, k;

		while (j < v->nports && !strcmp(v->port_names[j], v->port_names[i]))
			j++;
		if (i)
			strbuf_addch(out, ',');
		strbuf_addjson(out, v->port_names[i]);
		strbuf_addch(out, ':');
		if (j - i == 1) {
			strbuf_addf(out, "%ld", v->ports[i]);
		} else {
			strbuf_addch(out, '[');
			for (k = i; k < j; k++)
				strbuf_addf(out, "%s%ld", k > i ? "," : "", v->ports[k]);
			strbuf_addch(out, ']');
		}
		i = j;
	}
	strbuf_addch(out, '}');
	/* the first group's URL is the sandbox's, as list shows it */
	strbuf_addstr(out, ",\"url\":");
	if (v->nurls)
		strbuf_addjson(out, v->urls[0]);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"urls\":{");
	for (i = 0; i < v->nurls; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_addjson(out, v->url_names[i]);
		strbuf_addch(out, ':');
		strbuf_addjson(out, v->urls[i]);
	}
	strbuf_addch(out, '}');
}

int want_color(int fd, int setting)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return 0;
	if (setting >= 0)
		return setting;
	return isatty(fd);
}

const char *status_color(const char *status, int color)
{
	if (!color)
		return "";
	if (!strcmp(status, "running"))
		return "\033[32m";
	if (!strcmp(status, "partial") || !strcmp(status, "unknown"))
		return "\033[33m";
	if (!strcmp(status, "missing"))
		return "\033[31m";
	return "";
}

void show_created(const struct sandbox *sb, const char *verb)
{
	struct strbuf ports = STRBUF_INIT;
	char **names, *branch = worktree_branch(sb->gitdir), **urls;
	const char **url_names;
	size_t i, nurls;
	long *p;
	size_t n = port_set_flat(&sb->ports, &p, &names);

	show_ports(&ports, p, names, n);
	printf("%s sandbox '%s' in slot %ld\n", verb, sb->name, sb->slot);
	printf("  path     %s\n", sb->path);
	printf("  branch   %s\n", branch);
	printf("  project  %s\n", sb->project);
	if (n)
		printf("  ports    %s\n", ports.buf);
	if (!engine_is_local(&sb->engine))
		printf("  engine   %s\n", sb->engine.name);
	nurls = urls_of(&sb->cfg, &sb->ports, sandbox_host(sb), &url_names, &urls);
	for (i = 0; i < nurls; i++)
		printf("  url      %s %s\n", url_names[i], urls[i]);
	urls_free(url_names, urls, nurls);
	if (sb->repo.worktree && !strcmp(sb->repo.worktree, sb->path))
		printf("Next: git sandbox up\n");
	else
		printf("Next: cd %s && git sandbox up\n", sb->path);
	strbuf_release(&ports);
	free(branch);
	free(p);
	free(names);
}
