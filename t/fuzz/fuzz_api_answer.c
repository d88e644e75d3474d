/*
 * An engine's answer as api_request() reads it: api_answer_feed(), then
 * api_answer_end() if the bytes run out first, then its body as JSON. The
 * first byte of the input is the size of the pieces the rest arrives in
 * (0: all at once), as reads from a socket split an answer anywhere.
 */
#include "api.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf why = STRBUF_INIT;
	struct api_answer a;
	size_t piece, off = 0;
	json_t *o;
	int r = 0;

	if (!size)
		return 0;
	piece = data[0] ? data[0] : size;
	data++;
	size--;
	api_answer_init(&a);
	while (!r && off < size) {
		size_t len = size - off < piece ? size - off : piece;

		r = api_answer_feed(&a, (const char *)data + off, len, &why);
		off += len;
	}
	if (!r)
		r = api_answer_end(&a, &why);
	/* an answer, or a reason; never both, never neither */
	if ((r == 1) != (a.complete && !a.too_big) || (r == -1) != (why.len > 0))
		abort();
	if (a.body.len > (size_t)API_MAX_BODY)
		abort();
	if (r == 1) {
		/* what follows a complete answer is not read */
		if (api_answer_feed(&a, "HTTP/1.1 200 OK\r\n", 17, &why) != 1)
			abort();
		/* http_parser takes up to three digits (even "HTTP/1.1 20 OK"): the caller judges them */
		if (a.parser.status_code > 999)
			abort();
	}
	o = api_answer_json(&a);
	if (o && r != 1)
		abort();
	json_decref(o);
	api_answer_release(&a);
	strbuf_release(&why);
	return 0;
}
