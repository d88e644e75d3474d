/*
 * json.h: JSON for scripts, through jansson, always valid UTF-8.
 *
 * What git-sandbox prints as JSON is made of text it does not control
 * (paths, branch names): a byte sequence that is not UTF-8 becomes
 * U+FFFD, one for each byte that starts no valid sequence, so the output
 * always parses. A missing value is null, never display text.
 */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <jansson.h>

#include "strbuf.h"

/* s as a JSON string, invalid UTF-8 replaced by U+FFFD; null for NULL. A new reference. */
json_t *json_text(const char *s);
/* The len bytes at s (NULs included) as json_text() makes s. */
json_t *json_textn(const char *s, size_t len);

/* Append s to out as UTF-8: each byte that starts no valid sequence as U+FFFD. */
void utf8_sanitize(struct strbuf *out, const char *s);
/* The same for the len bytes at s. */
void utf8_sanitize_n(struct strbuf *out, const char *s, size_t len);

/*
 * Set key of obj (invalid UTF-8 replaced as json_text() does) to v (a
 * new reference, stolen), or to null when v is NULL (jansson's
 * constructors give NULL when out of memory).
 */
void json_put(json_t *obj, const char *key, json_t *v);

/* Append v to out compact, on one line, with a newline: 0, or -1 after an error. */
int json_to_strbuf(struct strbuf *out, const json_t *v);

#endif
