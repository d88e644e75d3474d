/*
 * show.c: how a sandbox is shown to people and to scripts: its ports in a
 * line or a column, its JSON object, what create and init print, colour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "derive.h"
#include "json.h"
#include "repo.h"
#include "sandbox.h"
#include "show.h"
#include "util.h"
#include "worktree.h"

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

void show_ports_compact(struct strbuf *out, const long *ports, char *const *names, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		strbuf_addf(out, "%s%s ", i ? " " : "", names[i]);
		/* each run of consecutive ports of the group: "5010-5013", runs joined by ',' */
		while (j < n && !strcmp(names[j], names[i])) {
			size_t k = j;

			while (k + 1 < n && !strcmp(names[k + 1], names[i]) && ports[k + 1] == ports[k] + 1)
				k++;
			strbuf_addf(out, "%s%ld", j > i ? "," : "", ports[j]);
			if (k > j)
				strbuf_addf(out, "-%ld", ports[k]);
			j = k + 1;
		}
		i = j;
	}
}

json_t *show_sandbox_json(const struct sandbox_view *v)
{
	json_t *o = json_object(), *ports = json_object(), *urls = json_object();
	size_t i = 0;

	if (!o || !ports || !urls) {
		json_decref(o);
		json_decref(ports);
		json_decref(urls);
		return NULL;
	}
	json_put(o, "name", json_text(v->name));
	json_put(o, "slot", json_integer(v->slot));
	json_put(o, "repo", json_text(v->repo));
	json_put(o, "path", json_text(v->path));
	json_put(o, "branch", json_text(v->branch));
	json_put(o, "project", json_text(v->project));
	json_put(o, "status", json_text(v->status));
	json_put(o, "engine", json_text(v->engine));
	while (i < v->nports) {
		size_t j = i + 1, k;
		json_t *p;

		while (j < v->nports && !strcmp(v->port_names[j], v->port_names[i]))
			j++;
		if (j - i == 1) {
			p = json_integer(v->ports[i]);
		} else {
			p = json_array();
			for (k = i; p && k < j; k++)
				json_array_append_new(p, json_integer(v->ports[k]));
		}
		json_put(ports, v->port_names[i], p);
		i = j;
	}
	json_put(o, "ports", ports);
	/* the first group's URL is the sandbox's, as list shows it */
	json_put(o, "url", v->nurls ? json_text(v->urls[0]) : NULL);
	for (i = 0; i < v->nurls; i++)
		json_put(urls, v->url_names[i], json_text(v->urls[i]));
	json_put(o, "urls", urls);
	json_put(o, "main", json_boolean(v->main));
	return o;
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

void show_created(const struct sandbox *sb, const char *verb, const char *next)
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
		printf("Next: %s\n", next);
	else
		printf("Next: cd %s && %s\n", sb->path, next);
	strbuf_release(&ports);
	free(branch);
	free(p);
	free(names);
}
