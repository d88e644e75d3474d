/* json.c: JSON for scripts, through jansson, always valid UTF-8 (json.h) */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* The length of the valid UTF-8 sequence at s (at most n bytes, 1 to 4), or 0 if there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned long c;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong, a surrogate, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff)
		return 0;
	return len;
}

void utf8_sanitize_n(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		k = utf8_len(p + i, len - i);
		if (k) {
			strbuf_add(out, p + i, k);
			i += k;
		} else {
			strbuf_addstr(out, "\xef\xbf\xbd");
			i++;
		}
	}
}

void utf8_sanitize(struct strbuf *out, const char *s)
{
	utf8_sanitize_n(out, s, strlen(s));
}

json_t *json_textn(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;

	utf8_sanitize_n(&sb, s, len);
	v = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

json_t *json_text(const char *s)
{
	return s ? json_textn(s, strlen(s)) : json_null();
}

void json_put(json_t *obj, const char *key, json_t *v)
{
	struct strbuf k = STRBUF_INIT;

	utf8_sanitize(&k, key);
	json_object_set_new(obj, k.buf, v ? v : json_null());
	strbuf_release(&k);
}

int json_to_strbuf(struct strbuf *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		return error("cannot write JSON: out of memory");
	strbuf_addstr(out, s);
	strbuf_addch(out, '\n');
	free(s);
	return 0;
}
