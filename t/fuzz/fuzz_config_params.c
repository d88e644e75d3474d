/* GIT_CONFIG_PARAMETERS text, as git hands `git -c` to us: gitparams_parse(). */
#include "gitparams.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	char **keys, **values;
	size_t n;

	if (gitparams_parse(text, &keys, &values, &n) == 0) {
		free_strings(keys, n);
		free_strings(values, n);
	} else if (keys || values || n) {
		abort();	/* a failure leaves nothing to free */
	}
	free(text);
	return 0;
}
