/* opts.c: one option parser for every command, after git's parse-options (opts.h) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "similar.h"
#include "strbuf.h"
#include "util.h"

static const struct opt *find_long(const struct opt *o, const char *name, size_t len)
{
	for (; o->type != OPT_END; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *o, char c)
{
	for (; o->type != OPT_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/* A usage error for --<name> (len bytes of a + 2), with the most similar option if one is close. */
static void unknown_option(const struct opt *opts, const char *a, size_t len,
			   const char *const *usage)
{
	const char *names[64];
	char *typed = xstrndup(a + 2, len), *shown = printable(a);
	size_t n = 0, best[64], k;

	for (; opts->type != OPT_END && n < ARRAY_SIZE(names); opts++)
		if (opts->long_name)
			names[n++] = opts->long_name;
	k = similar_names(typed, names, n, best);
	free(typed);
	if (k == 1)
		usage_msg(usage, "unknown option '%s'; did you mean '--%s'?", shown, names[best[0]]);
	usage_msg(usage, "unknown option '%s'", shown);
}

static void set(const struct opt *o, const char *arg, const char *shown,
		const char *const *usage)
{
	long v;

	switch (o->type) {
	case OPT_BOOL:
		*(int *)o->value = 1;
		break;
	case OPT_STRING:
		*(const char **)o->value = arg;
		break;
	case OPT_STRING_LIST: {
		struct opt_list *l = o->value;

		ALLOC_GROW(l->v, l->n + 2, l->alloc);
		l->v[l->n++] = arg;
		l->v[l->n] = NULL;
		break;
	}
	case OPT_LONG:
		if (parse_int(arg, o->min, o->max, &v) < 0)
			usage_msg(usage, "option '%s' expects a number from %ld to %ld, not '%s'",
				  shown, o->min, o->max, arg);
		*(long *)o->value = v;
		break;
	case OPT_END:
		break;
	}
}

int parse_options(int argc, char **argv, const struct opt *opts, const char *const *usage,
		  const char *manpage, int stop_at_arg)
{
	int i, n = 0, only_args = 0;
	char **args = xcalloc(argc + 1, sizeof(char *));

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct opt *o;

		if (only_args || a[0] != '-' || !a[1]) {
			args[n++] = a;
			if (stop_at_arg)
				only_args = 1;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (!strcmp(a, "-h"))
			usage_with_options(usage, opts);
		if (!strcmp(a, "--help"))
			show_manpage(manpage, usage);
		if (a[1] == '-') {
			char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(opts, a + 2, len);
			if (!o)
				unknown_option(opts, a, len, usage);
			if (o->type == OPT_BOOL) {
				if (eq)
					usage_msg(usage, "option '--%s' takes no value", o->long_name);
				set(o, NULL, a, usage);
			} else if (eq) {
				set(o, eq + 1, a, usage);
			} else {
				if (i + 1 >= argc)
					usage_msg(usage, "option '%s' requires a value", a);
				set(o, argv[++i], a, usage);
			}
			continue;
		}
		/* short options, possibly bundled: -fv, -t10 */
		for (a++; *a; a++) {
			char shown[3] = { '-', *a, 0 };

			o = find_short(opts, *a);
			if (!o)
				usage_msg(usage, "unknown switch '%c'", *a);
			if (o->type == OPT_BOOL) {
				set(o, NULL, shown, usage);
				continue;
			}
			if (a[1]) {
				set(o, a + 1, shown, usage);
			} else {
				if (i + 1 >= argc)
					usage_msg(usage, "switch '%c' requires a value", *a);
				set(o, argv[++i], shown, usage);
			}
			break;
		}
	}
	for (i = 0; i < n; i++)
		argv[i] = args[i];
	argv[n] = NULL;
	free(args);
	return n;
}

/* git's layout: the help in a column, or on a line of its own below a long option */
#define OPTS_WIDTH 26
#define OPTS_GAP 2

void usage_with_options(const char *const *usage, const struct opt *opts)
{
	int listed = opts->type != OPT_END;

	print_usage(stdout, usage);
	if (listed)
		putchar('\n');
	for (; opts->type != OPT_END; opts++) {
		int pos = printf("    ");

		if (opts->short_name)
			pos += printf("-%c%s", opts->short_name, opts->long_name ? ", " : "");
		if (opts->long_name)
			pos += printf("--%s", opts->long_name);
		if (opts->argh)
			pos += printf(" %s", opts->argh);
		if (pos + OPTS_GAP > OPTS_WIDTH) {
			putchar('\n');
			pos = 0;
		}
		printf("%*s%s\n", OPTS_WIDTH - pos, "", opts->help ? opts->help : "");
	}
	if (listed)
		putchar('\n');
	fflush(stdout);
	exit(EXIT_USAGE);
}

const char *opt_sandbox(const char *opt, const char *pos, const char *const *usage)
{
	if (opt && pos && strcmp(opt, pos))
		usage_msg(usage, "two sandboxes named: '%s' (-s) and '%s'", opt, pos);
	return opt ? opt : pos;
}

int stdout_done(void)
{
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		if (errno)
			die_errno("write failure on standard output");
		die("write failure on standard output");
	}
	return 0;
}

void print_usage(FILE *f, const char *const *usage)
{
	size_t i;

	for (i = 0; usage[i]; i++)
		fprintf(f, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
}

void usage_with(const char *const *usage, int err)
{
	print_usage(err ? stderr : stdout, usage);
	exit(EXIT_USAGE);
}

void usage_msg(const char *const *usage, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error("%s", msg.buf);
	strbuf_release(&msg);
	usage_with(usage, 1);
}

void show_manpage(const char *page, const char *const *usage)
{
	fflush(NULL);
	execlp("man", "man", page, (char *)NULL);
	usage_with(usage, 0);
}
