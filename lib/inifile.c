#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "inifile.h"
#include "util.h"

struct ctx {
	ini_cb cb;
	void *data;
};

static void setup(void)
{
	ini_allow_multiline = 0;
	ini_allow_inline_comments = 0;
	ini_allow_bom = 0;
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = 1 << 20;
	ini_stop_on_first_error = 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *c = user;
	char *v = ini_unescape(value);
	int ret;

	if (!v)
		return 0;
	ret = c->cb(c->data, section, name, v);
	free(v);
	return ret;
}

int ini_read(const char *path, ini_cb cb, void *data)
{
	struct ctx c = { cb, data };
	size_t len;
	char *text = read_file(path, &len);
	int ret;

	if (!text) {
		if (errno == ENOENT)
			return 1;
		return error_errno("cannot read '%s'", path);
	}
	if (strlen(text) != len) {
		free(text);
		return error("'%s' is corrupt: it contains a NUL byte", path);
	}
	setup();
	ret = ini_parse_string(text, handler, &c);
	free(text);
	if (ret > 0)
		return error("'%s' is corrupt at line %d", path, ret);
	if (ret < 0)
		return error("cannot parse '%s'", path);
	return 0;
}

int ini_read_string(const char *text, ini_cb cb, void *data, int *lineno)
{
	struct ctx c = { cb, data };
	int ret;

	setup();
	ret = ini_parse_string(text, handler, &c);
	if (lineno)
		*lineno = ret;
	return ret ? -1 : 0;
}

void ini_escape(struct strbuf *out, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		unsigned char c = v[i];

		if (c < 0x20 || c == 0x7f || c == '%' || c == ';' || c == '#' ||
		    ((i == 0 || i == n - 1) && (c == ' ' || c == '\t')))
			strbuf_addf(out, "%%%02X", c);
		else
			strbuf_addch(out, c);
	}
}

void ini_add(struct strbuf *out, const char *key, const char *value)
{
	strbuf_addf(out, "%s = ", key);
	ini_escape(out, value);
	strbuf_addch(out, '\n');
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *ini_unescape(const char *v)
{
	char *out = xmalloc(strlen(v) + 1), *o = out;

	while (*v) {
		if (*v == '%') {
			int hi = hexval(v[1]), lo = hi < 0 ? -1 : hexval(v[2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = hi * 16 + lo;
			v += 3;
		} else {
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}
