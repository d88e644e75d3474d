/* What `op item get --format json` prints: op_parse_item(). */
#include "fuzz.h"
#include "op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const want[] = { "db_password", "api_key", "notesPlain" };
	const struct op_ref ref = { "fuzz-item", "Private", NULL };
	struct op_fields out = OP_FIELDS_INIT;
	size_t i;

	/* the input need not end in NUL: op_parse_item takes a length */
	if (op_parse_item((const char *)data, size, &ref, want, 3, &out) == 0) {
		if (out.nr != 3)
			abort();
		for (i = 0; i < out.nr; i++)
			if (strcmp(out.v[i].label, want[i]))
				abort();
	} else if (out.nr) {
		abort();	/* on error out is left empty */
	}
	op_fields_clear(&out);
	if (op_parse_item((const char *)data, size, &ref, NULL, 0, &out) == 0 && out.nr)
		abort();
	op_fields_clear(&out);
	return 0;
}
