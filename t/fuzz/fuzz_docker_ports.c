/* The "Ports" column of `docker ps`: parse_published_ports(). */
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *column = fuzz_string(data, size);
	long *ports;
	size_t i, n;

	parse_published_ports(column, &ports, &n);
	for (i = 0; i < n; i++)
		if (ports[i] < 1 || ports[i] > 65535 || (i && ports[i] <= ports[i - 1]))
			abort();	/* host ports, ascending, no duplicates */
	free(ports);
	free(column);
	return 0;
}
