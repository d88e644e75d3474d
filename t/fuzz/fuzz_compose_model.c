/*
 * compose's resolved model, as the lint reads it: yaml_to_json(), then
 * compose_lint_model() on what it gives.
 */
#include "composefile.h"
#include "composelint.h"
#include "fuzz.h"

static struct port_group groups[] = {
	{ .name = "api", .var = "API_PORT", .base = 8000, .step = 1, .main = 8000, .count = 1 },
	{ .name = "workers", .var = "WORKER_PORT", .base = 9100, .step = 4, .main = 9100, .count = 4 },
};
static long api_port[] = { 8001 }, worker_ports[] = { 9104, 9105, 9106, 9107 };
static struct port_lease leases[] = {
	{ "api", "API_PORT", api_port, 1 },
	{ "workers", "WORKER_PORT", worker_ports, 4 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct sb_config cfg;
	struct port_set ps = { leases, 2 };
	struct lint_sandbox ls = { "demo-alpha", &ps, &cfg };
	struct lint_findings f = { 0 };
	json_t *model = yaml_to_json((const char *)data, size, &err);
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ports = groups;
	cfg.nports = 2;
	cfg.slots = 10;
	if (!model) {
		if (!err.len)
			abort();
		strbuf_release(&err);
		return 0;
	}
	if (err.len || compose_lint_model(model, &ls, &f) != f.n)
		abort();
	for (i = 0; i < f.n; i++)
		if (!f.v[i].what || !*f.v[i].what || !f.v[i].fix || !*f.v[i].fix)
			abort();
	lint_findings_free(&f);
	json_decref(model);
	return 0;
}
