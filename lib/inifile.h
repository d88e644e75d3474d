/*
 * inifile.h: the tool's own flat INI files (registry, per-worktree state).
 *
 * Read with inih, configured here once: no multi-line continuation, no
 * inline comments, lines of any length. Values are written percent-encoded
 * (see ini_escape) so paths with ';', '#', '%', newlines or edge blanks
 * survive a round trip.
 */
#ifndef SB_INIFILE_H
#define SB_INIFILE_H

#include "strbuf.h"

/* handler returns 1 to go on, 0 to stop with an error at this line */
typedef int (*ini_cb)(void *data, const char *section, const char *key, const char *value);

/*
 * Parse path. Returns 0, 1 if the file does not exist, or -1 after printing
 * an error that names the file and line.
 */
int ini_read(const char *path, ini_cb cb, void *data);
/* Parse a string; -1 with *lineno set on error. */
int ini_read_string(const char *text, ini_cb cb, void *data, int *lineno);

/* Append "key = <escaped value>\n". */
void ini_add(struct strbuf *out, const char *key, const char *value);
void ini_escape(struct strbuf *out, const char *value);
/* Decode a value written by ini_escape (newly allocated); NULL if malformed. */
char *ini_unescape(const char *value);

#endif
