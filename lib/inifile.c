/* inifile.c: the tool's own flat INI files (the registry, the stack's record and others) (inifile.h) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "inifile.h"
#include "lock.h"
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
	ini_max_line = INI_LINE_BUF;
	ini_stop_on_first_error = 1;
}

/*
 * Sections and keys are decoded like values: those written by older
 * versions are plain names without '%', which decode to themselves.
 */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *c = user;
	char *s = ini_unescape(section), *k = ini_unescape(name), *v = ini_unescape(value);
	int ret = 0;

	if (s && k && v)
		ret = c->cb(c->data, s, k, v);
	free(s);
	free(k);
	free(v);
	return ret;
}

/*
 * The number of the first line inih would misread, or 0: a line longer than
 * INI_LINE_MAX (inih reads its tail as lines of its own, where a value
 * could forge a key), or a section name longer than INI_SECTION_MAX (inih
 * cuts it, and two sections become one). *section tells which. Such a file
 * is refused before inih sees it.
 */
static int bad_line(const char *text, int *section)
{
	const char *p = text, *end;
	int line;

	for (line = 1; ; line++) {
		const char *s = p;
		size_t n;

		end = strchrnul(p, '\n');
		*section = 0;
		if (end - p > INI_LINE_MAX)
			return line;
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s < end && *s == '[') {
			n = strcspn(s + 1, "]\n");
			*section = 1;
			if (n > INI_SECTION_MAX)
				return line;
		}
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static int parse(const char *text, struct ctx *c)
{
	int section, line = bad_line(text, &section);

	if (line)
		return line;
	setup();
	return ini_parse_string(text, handler, c);
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
		return error("cannot read '%s': %s", path, read_file_strerror(errno));
	}
	if (strlen(text) != len) {
		free(text);
		return error("'%s' is corrupt: it contains a NUL byte", path);
	}
	ret = parse(text, &c);
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
	int ret = parse(text, &c);

	if (lineno)
		*lineno = ret;
	return ret ? -1 : 0;
}

int ini_write(const char *path, const struct strbuf *text, int mode)
{
	int line, section;

	if (text->len > READ_FILE_MAX)
		return error("refusing to write '%s': it would be larger than %zu bytes",
			     path, READ_FILE_MAX);
	if (strlen(text->buf) != text->len)
		return error("BUG: refusing to write '%s': it would contain a NUL byte", path);
	if ((line = bad_line(text->buf, &section)) && section)
		return error("refusing to write '%s': the section name on its line %d would be longer than %d bytes",
			     path, line, INI_SECTION_MAX);
	if (line)
		return error("refusing to write '%s': its line %d would be longer than %d bytes",
			     path, line, INI_LINE_MAX);
	return write_file_atomic(path, text->buf, text->len, mode);
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

void ini_escape_key(struct strbuf *out, const char *key)
{
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')
			strbuf_addch(out, *p);
		else
			strbuf_addf(out, "%%%02X", *p);
	}
}

void ini_add(struct strbuf *out, const char *key, const char *value)
{
	ini_escape_key(out, key);
	strbuf_addstr(out, " = ");
	ini_escape(out, value);
	strbuf_addch(out, '\n');
}

void ini_add_section(struct strbuf *out, const char *section)
{
	strbuf_addch(out, '[');
	ini_escape_key(out, section);
	strbuf_addstr(out, "]\n");
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
