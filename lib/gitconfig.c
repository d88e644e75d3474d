/*
 * gitconfig.c: a git-config syntax reader over a buffer, after git's
 * config.c (git_parse_source, get_base_var, get_value, parse_value).
 */
#include <ctype.h>
#include <string.h>

#include "gitconfig.h"
#include "util.h"

struct src {
	const char *p, *end;
	int line, eof;
};

/* the next byte; "\r\n" reads as "\n", and the end of the text as "\n" */
static int next(struct src *s)
{
	int c;

	if (s->p >= s->end) {
		s->eof = 1;
		return '\n';
	}
	c = (unsigned char)*s->p++;
	if (c == '\r' && s->p < s->end && *s->p == '\n')
		c = (unsigned char)*s->p++;
	if (c == '\n')
		s->line++;
	return c;
}

static int keychar(int c)
{
	return isascii(c) && (isalnum(c) || c == '-');
}

/* [section "sub"]: after the blank that ended the section's name */
static int extended_section(struct src *s, struct strbuf *name, int c)
{
	do {
		if (c == '\n')
			return -1;
		c = next(s);
	} while (isspace(c));
	if (c != '"')
		return -1;
	strbuf_addch(name, '.');
	for (;;) {
		c = next(s);
		if (c == '\n')
			return -1;
		if (c == '"')
			break;
		if (c == '\\') {
			c = next(s);
			if (c == '\n')
				return -1;
		}
		strbuf_addch(name, c);
	}
	return next(s) == ']' ? 0 : -1;
}

static int section(struct src *s, struct strbuf *name)
{
	for (;;) {
		int c = next(s);

		if (s->eof)
			return -1;
		if (c == ']')
			return 0;
		if (isspace(c))
			return extended_section(s, name, c);
		if (!keychar(c) && c != '.')
			return -1;
		strbuf_addch(name, tolower(c));
	}
}

/* the value after '=', up to the end of its (possibly continued) line */
static int value(struct src *s, struct strbuf *v)
{
	int quote = 0, comment = 0;
	size_t space = 0;

	for (;;) {
		int c = next(s);

		if (c == '\n') {
			if (quote)
				return -1;
			return 0;
		}
		if (comment)
			continue;
		if (isspace(c) && !quote) {
			if (v->len)
				space++;
			continue;
		}
		if (!quote && (c == ';' || c == '#')) {
			comment = 1;
			continue;
		}
		for (; space; space--)
			strbuf_addch(v, ' ');
		if (c == '\\') {
			switch (c = next(s)) {
			case '\n':
				continue;
			case 't':
				c = '\t';
				break;
			case 'b':
				c = '\b';
				break;
			case 'n':
				c = '\n';
				break;
			case '\\':
			case '"':
				break;
			default:
				return -1;
			}
			strbuf_addch(v, c);
			continue;
		}
		if (c == '"') {
			quote = !quote;
			continue;
		}
		strbuf_addch(v, c);
	}
}

int gitconfig_parse(const char *text, size_t len, gitconfig_fn fn, void *data,
		    struct strbuf *why)
{
	struct src s = { text, text + len, 1, 0 };
	struct strbuf var = STRBUF_INIT, val = STRBUF_INIT;
	size_t baselen = 0;
	int comment = 0, ret = 0, c, line = 1;
	const char *what = "bad config line";

	if (memchr(text, '\0', len)) {
		if (why)
			strbuf_addstr(why, "the file contains a NUL byte");
		return -2;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		s.p += 3;
	for (;;) {
		line = s.line;
		c = next(&s);
		if (c == '\n') {
			if (s.eof)
				goto out;
			comment = 0;
			continue;
		}
		if (comment || isspace(c))
			continue;
		if (c == '#' || c == ';') {
			comment = 1;
			continue;
		}
		if (c == '[') {
			strbuf_reset(&var);
			if (section(&s, &var) < 0 || !var.len) {
				what = "bad section header";
				break;
			}
			strbuf_addch(&var, '.');
			baselen = var.len;
			continue;
		}
		if (!isascii(c) || !isalpha(c) || !baselen)
			break;
		var.buf[var.len = baselen] = '\0';
		strbuf_addch(&var, tolower(c));
		for (;;) {
			c = next(&s);
			if (s.eof || !keychar(c))
				break;
			strbuf_addch(&var, tolower(c));
		}
		while (c == ' ' || c == '\t')
			c = next(&s);
		strbuf_reset(&val);
		if (c != '\n' && (c != '=' || value(&s, &val) < 0))
			break;
		if (fn(var.buf, c == '\n' ? NULL : val.buf, line, data) < 0) {
			ret = -1;
			goto out;
		}
		if (s.eof)
			goto out;
	}
	ret = -2;
	if (why)
		strbuf_addf(why, "line %d: %s", line, what);
out:
	strbuf_release(&var);
	strbuf_release(&val);
	return ret;
}

int gitconfig_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

void gitconfig_add_section(struct strbuf *out, const char *section, const char *sub)
{
	strbuf_addf(out, "[%s", section);
	if (sub) {
		strbuf_addstr(out, " \"");
		for (; *sub; sub++) {
			if (*sub == '"' || *sub == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *sub);
		}
		strbuf_addch(out, '"');
	}
	strbuf_addstr(out, "]\n");
}

void gitconfig_add(struct strbuf *out, const char *key, const char *value)
{
	size_t n = strlen(value);
	int quote = n && (value[0] == ' ' || value[n - 1] == ' ' ||
			  strpbrk(value, ";#\r\v\f"));
	const char *p;

	strbuf_addf(out, "\t%s = %s", key, quote ? "\"" : "");
	for (p = value; *p; p++) {
		switch (*p) {
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		case '"':
		case '\\':
			strbuf_addch(out, '\\');
			/* fall through */
		default:
			strbuf_addch(out, *p);
		}
	}
	strbuf_addstr(out, quote ? "\"\n" : "\n");
}
