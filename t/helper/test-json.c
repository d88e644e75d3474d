/*
 * test-json: is standard input one valid JSON text (strict UTF-8, as
 * jansson reads it)? Exit 0, or 1 saying where it is not. With a key
 * path (test-json sandboxes 0 path), print that value: a string as it is,
 * anything else as JSON.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *v = json_loadf(stdin, JSON_DECODE_ANY, &err), *at;
	int i;

	if (!v) {
		fprintf(stderr, "test-json: invalid JSON at line %d, column %d: %s\n", err.line,
			err.column, err.text);
		return 1;
	}
	at = v;
	for (i = 1; at && i < argc; i++)
		at = json_is_array(at) ? json_array_get(at, strtoul(argv[i], NULL, 10)) :
		     json_object_get(at, argv[i]);
	if (!at) {
		fprintf(stderr, "test-json: no such value\n");
		json_decref(v);
		return 1;
	}
	if (argc > 1) {
		if (json_is_string(at)) {
			puts(json_string_value(at));
		} else {
			char *s = json_dumps(at, JSON_ENCODE_ANY | JSON_COMPACT);

			puts(s ? s : "");
			free(s);
		}
	}
	json_decref(v);
	return 0;
}
