/*
 * gitparams.c: `git -c` as git hands it to us (gitparams.h), after git's
 * config.c (git_config_from_parameters, sq_dequote_step).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitparams.h"
#include "util.h"

/* Read one sq-quoted word of GIT_CONFIG_PARAMETERS ('a'\''b' -> a'b, 'a'\!'b' -> a!b). */
static const char *sq_word(const char *p, struct strbuf *out)
{
	if (*p != '\'')
		return NULL;
	for (;;) {
		p++;
		while (*p && *p != '\'')
			strbuf_addch(out, *p++);
		if (!*p)
			return NULL;
		p++;
		/* git's sq_quote writes ' and ! as '\'' and '\!' */
		if (p[0] == '\\' && (p[1] == '\'' || p[1] == '!') && p[2] == '\'') {
			strbuf_addch(out, p[1]);
			p += 2;
			continue;
		}
		return p;
	}
}

int gitparams_parse(const char *text, char ***keys, char ***values, size_t *n)
{
	struct strbuf w = STRBUF_INIT, v = STRBUF_INIT;
	size_t kalloc = 0, valloc = 0;
	const char *p = text;

	*keys = *values = NULL;
	*n = 0;
	for (;;) {
		char *k, *val = NULL;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		strbuf_reset(&w);
		if (!(p = sq_word(p, &w)))
			goto bad;
		if (*p == '=') {
			/* new style: 'key'='value' (or 'key'= for an empty value) */
			p++;
			strbuf_reset(&v);
			if (*p == '\'') {
				if (!(p = sq_word(p, &v)))
					goto bad;
			}
			k = xstrdup(w.buf);
			val = xstrdup(v.buf);
		} else {
			/* old style: 'key=value', or 'key' alone for true */
			char *eq = strchr(w.buf, '=');

			if (eq) {
				k = xstrndup(w.buf, eq - w.buf);
				val = xstrdup(eq + 1);
			} else {
				k = xstrdup(w.buf);
			}
		}
		ALLOC_GROW(*keys, *n + 1, kalloc);
		ALLOC_GROW(*values, *n + 1, valloc);
		(*keys)[*n] = k;
		(*values)[*n] = val;
		(*n)++;
	}
	strbuf_release(&w);
	strbuf_release(&v);
	return 0;
bad:
	strbuf_release(&w);
	strbuf_release(&v);
	free_strings(*keys, *n);
	free_strings(*values, *n);
	*keys = *values = NULL;
	*n = 0;
	return -1;
}

int gitparams_read(gitparams_fn fn, void *data, struct strbuf *why)
{
	const char *params = getenv("GIT_CONFIG_PARAMETERS"), *count = getenv("GIT_CONFIG_COUNT");
	char **keys, **values;
	size_t i, n;
	long cnt;
	int ret = 0;

	if (count && *count) {
		if (parse_int(count, 0, 100000, &cnt) < 0) {
			strbuf_addf(why, "bogus GIT_CONFIG_COUNT '%s'", count);
			return -1;
		}
		for (i = 0; i < (size_t)cnt; i++) {
			char kn[40], vn[40];
			const char *k, *v;

			snprintf(kn, sizeof(kn), "GIT_CONFIG_KEY_%zu", i);
			snprintf(vn, sizeof(vn), "GIT_CONFIG_VALUE_%zu", i);
			k = getenv(kn);
			v = getenv(vn);
			if (!k || !v) {
				strbuf_addf(why, "missing %s or %s", kn, vn);
				return -1;
			}
			if (!strchr(k, '.')) {
				strbuf_addf(why, "bogus config key '%s' in %s", k, kn);
				return -1;
			}
			fn(k, v, data);
		}
	}
	if (!params || !*params)
		return 0;
	if (gitparams_parse(params, &keys, &values, &n) < 0) {
		strbuf_addstr(why, "bogus format in GIT_CONFIG_PARAMETERS");
		return -1;
	}
	for (i = 0; i < n && !ret; i++) {
		if (!strchr(keys[i], '.')) {
			strbuf_addf(why, "bogus config parameter '%s'", keys[i]);
			ret = -1;
		} else {
			fn(keys[i], values[i], data);
		}
	}
	free_strings(keys, n);
	free_strings(values, n);
	return ret;
}
