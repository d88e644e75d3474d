/*
 * The tool's flat INI reader, ini_read_string(), and the value encoding:
 * ini_unescape() must undo ini_escape() for any value without a NUL.
 */
#include "fuzz.h"
#include "inifile.h"
#include "strbuf.h"

static int count(void *data, const char *section, const char *key, const char *value)
{
	size_t *n = data;

	/* touch every byte, so ASan sees a string that is not one */
	*n += strlen(section) + strlen(key) + strlen(value);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *v;
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;
	int line;

	ini_read_string(text, count, &n, &line);

	free(ini_unescape(text));

	ini_escape(&sb, text);
	v = ini_unescape(sb.buf);
	if (!v || strcmp(v, text))
		abort();
	free(v);
	strbuf_release(&sb);
	free(text);
	return 0;
}
