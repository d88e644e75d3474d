/*
 * inifile.h: the tool's own flat INI files (the registry, the stack's record
 * and others; a sandbox's state of the first format, see state.h).
 *
 * Read with inih, configured here once: no multi-line continuation, no
 * inline comments, lines of up to INI_LINE_MAX bytes. Values are written
 * percent-encoded (see ini_escape) so paths with ';', '#', '%', newlines or
 * edge blanks survive a round trip; keys and section names (see
 * ini_escape_key) so that one taken from outside (a 1Password field label)
 * can never become a section header or another key.
 */
#ifndef SB_INIFILE_H
#define SB_INIFILE_H

#include "strbuf.h"

/* inih's line buffer (ini_max_line): a line, then room for "\r\n" and a NUL */
#define INI_LINE_BUF (1 << 20)
/* The longest line (newline excluded) the tool reads or writes. */
#define INI_LINE_MAX (INI_LINE_BUF - 3)
/* The longest section name: inih cuts longer ones (its MAX_SECTION less the NUL). */
#define INI_SECTION_MAX 49

/* handler returns 1 to go on, 0 to stop with an error at this line */
typedef int (*ini_cb)(void *data, const char *section, const char *key, const char *value);

/*
 * Parse path (read with read_file: a regular file, no symlink, bounded).
 * Returns 0, 1 if the file does not exist, or -1 after printing an error
 * that names the file and line. Sections, keys and values reach cb decoded.
 */
int ini_read(const char *path, ini_cb cb, void *data);
/* Parse a string; -1 with *lineno set on error. */
int ini_read_string(const char *text, ini_cb cb, void *data, int *lineno);

/*
 * Write text to path atomically (write_file_atomic) if ini_read can read it
 * back: no line longer than INI_LINE_MAX, no section name (escaped) longer
 * than INI_SECTION_MAX, no more than READ_FILE_MAX bytes.
 * 0, or -1 after an error naming the file (nothing written).
 */
int ini_write(const char *path, const struct strbuf *text, int mode);

/* Append "<escaped key> = <escaped value>\n". */
void ini_add(struct strbuf *out, const char *key, const char *value);
/* Append "[<escaped section>]\n". */
void ini_add_section(struct strbuf *out, const char *section);
void ini_escape(struct strbuf *out, const char *value);
/* Percent-encode every byte outside [A-Za-z0-9._-]: plain names stay as they are. */
void ini_escape_key(struct strbuf *out, const char *key);
/* Decode a value, key or section (newly allocated); NULL if malformed. */
char *ini_unescape(const char *value);

#endif
