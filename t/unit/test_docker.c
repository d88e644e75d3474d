/* Unit tests for lib/docker.c: parsing, stack status, port leaks, health gate, what a stack uses. */
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker.h"
#include "engine.h"
#include "health.h"
#include "ports.h"
#include "util.h"
#include "unit.h"

/* one container of GET /containers/json */
#define CT(project, service, state, name, dir, id, cid, ports) \
	"{\"Id\":\"" cid "\",\"Names\":[\"/" name "\"],\"State\":\"" state "\"," \
	"\"Labels\":{\"com.docker.compose.project\":\"" project "\"," \
	"\"com.docker.compose.service\":\"" service "\"," \
	"\"com.docker.compose.project.working_dir\":\"" dir "\"," \
	"\"git-sandbox.id\":\"" id "\"},\"Ports\":[" ports "]}"
#define PUB(ip, priv, pub) "{\"IP\":\"" ip "\",\"PrivatePort\":" #priv ",\"PublicPort\":" #pub ",\"Type\":\"tcp\"}"

static const char ps_text[] = "["
	CT("demo-x", "workers", "running", "demo-x_workers_1", "/src/demo--x", "", "c1",
	   PUB("0.0.0.0", 5001, 5020) "," PUB("::", 5001, 5020) "," PUB("0.0.0.0", 5002, 5021) ","
	   PUB("0.0.0.0", 5003, 5022) "," PUB("0.0.0.0", 5004, 5023)) ","
	CT("demo-x", "api", "running", "demo-x_api_1", "/src/demo--x", "", "c2",
	   PUB("0.0.0.0", 80, 8002) ",{\"PrivatePort\":81,\"Type\":\"tcp\"}") ","
	CT("demo-x", "debug", "running", "demo-x_debug_1", "/src/demo--x", "", "c3",
	   PUB("", 80, 9999)) ","	/* podman leaves the address empty */
	CT("demo-y", "api", "exited", "demo-y_api_1", "/src/demo--y", "", "c4", "") ","
	CT("demo-y", "db", "running", "demo-y_db_1", "/src/demo--y", "", "c5", PUB("0.0.0.0", 5432, 5435)) ","
	CT("demo", "api", "exited", "demo_api_1", "/src/demo", "", "c6", "") ","
	CT("other-z", "web", "created", "other-z_web_1", "", "0123456789abcdef0123456789abcdef", "c7",
	   PUB("0.0.0.0", 80, 99999) "," PUB("0.0.0.0", 80, 0)) ","
	"\"not a container\","
	"{\"Id\":\"c9\",\"Names\":[\"/n\"],\"State\":\"running\"},"	/* no project: skipped */
	"{\"Id\":\"\",\"Names\":[\"/n\"],\"State\":\"running\",\"Labels\":{\"com.docker.compose.project\":\"p\"}}"
	"]";

static void parse(const char *text, struct container_list *l)
{
	json_t *a = json_loads(text, 0, NULL);

	docker_parse_containers(a, l);
	json_decref(a);
}

START_TEST(test_parse_ps)
{
	struct container_list l;
	const struct container **c;
	size_t n;

	parse(ps_text, &l);
	ck_assert_uint_eq(l.n, 7);
	/* sorted by project, then service */
	ck_assert_str_eq(l.v[0].project, "demo");
	ck_assert_str_eq(l.v[1].service, "api");
	ck_assert_uint_eq(l.v[1].nports, 1);
	ck_assert_int_eq(l.v[1].ports[0], 8002);
	ck_assert_str_eq(l.v[1].name, "demo-x_api_1");
	ck_assert_str_eq(l.v[2].service, "debug");
	ck_assert_uint_eq(l.v[2].nports, 1);
	ck_assert_str_eq(l.v[3].service, "workers");
	/* IPv4 and IPv6 of one port merged, ascending */
	ck_assert_uint_eq(l.v[3].nports, 4);
	ck_assert_int_eq(l.v[3].ports[0], 5020);
	ck_assert_int_eq(l.v[3].ports[3], 5023);
	ck_assert_str_eq(l.v[3].cid, "c1");
	ck_assert_str_eq(l.v[3].stack_id, "");
	ck_assert_str_eq(l.v[6].stack_id, "0123456789abcdef0123456789abcdef");
	/* nonsense ports never yield ports */
	ck_assert_uint_eq(l.v[6].nports, 0);
	ck_assert_str_eq(l.v[3].working_dir, "/src/demo--x");
	ck_assert_str_eq(l.v[6].working_dir, "");

	n = stack_containers(&l, "demo-y", &c);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[0]->service, "api");
	ck_assert_str_eq(c[0]->state, "exited");
	ck_assert_str_eq(c[1]->service, "db");
	free(c);

	ck_assert_str_eq(container_list_status(&l, "demo-x"), "running");
	ck_assert_str_eq(container_list_status(&l, "demo-y"), "partial");
	ck_assert_str_eq(container_list_status(&l, "demo"), "stopped");
	ck_assert_str_eq(container_list_status(&l, "demo-gone"), "stopped");
	container_list_free(&l);

	/* what is only shown comes without control characters: anyone writes labels */
	parse("[" CT("evil", "\\u001b]0;t\\u0007", "run\\nning", "n\\u001b[2J", "/d", "", "c1", "") "]",
	      &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].service, "?]0;t?");
	ck_assert_str_eq(l.v[0].state, "run?ning");
	ck_assert_str_eq(l.v[0].name, "n?[2J");
	ck_assert_str_eq(container_list_status(&l, "evil"), "stopped");
	container_list_free(&l);

	/* not an array: nothing */
	parse("{\"Id\":\"x\"}", &l);
	ck_assert_uint_eq(l.n, 0);
	container_list_free(&l);
}
END_TEST

START_TEST(test_leaks)
{
	long slot2[] = { 8002, 5434, 3002, 16688, 5020, 5021, 5022, 5023 };
	struct port_lease all = { "all", "ALL_PORT", slot2, ARRAY_SIZE(slot2) };
	struct port_lease one = { "api", "API_PORT", slot2, 1 };
	struct port_set ps = { &all, 1 }, none = { NULL, 0 };
	struct container_list l;

	parse(ps_text, &l);
	/* only debug's 9999 is outside the slot */
	ck_assert_uint_eq(check_port_leaks(&l, "demo-x", 2, &ps), 1);
	ps.g = &one;
	ck_assert_uint_eq(check_port_leaks(&l, "demo-x", 2, &ps), 5);
	ck_assert_uint_eq(check_port_leaks(&l, "demo-y", 3, &none), 1);
	container_list_free(&l);
}
END_TEST

/*
 * A listener on an ephemeral port of 127.0.0.1 served by a child: it
 * answers every request with reply, or, with reply NULL, hangs up at once.
 */
static pid_t serve(const char *reply, long *port)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	pid = fork();
	if (!pid) {
		for (;;) {
			int c = accept(fd, NULL, NULL);
			char buf[512];

			if (c < 0)
				continue;
			if (reply) {
				(void)!read(c, buf, sizeof(buf));
				(void)!write(c, reply, strlen(reply));
			}
			close(c);
		}
	}
	close(fd);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A port nothing listens on: bind one, then close it. */
static long closed_port(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	return ntohs(sa.sin_port);
}

START_TEST(test_wait)
{
	long ok_port, missing_port, hangup_port, closed = closed_port();
	pid_t ok = serve("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n", &ok_port);
	pid_t missing = serve("HTTP/1.0 404 Not Found\r\n\r\n", &missing_port);
	pid_t hangup = serve(NULL, &hangup_port);
	long deadline = monotonic_ms() + 2000;

	ck_assert_int_eq(wait_http("127.0.0.1", ok_port, "/health", deadline), 0);
	ck_assert_int_eq(wait_tcp("localhost", ok_port, deadline), 0);
	ck_assert_int_eq(wait_http("127.0.0.1", missing_port, "/health", deadline), -1);
	ck_assert_int_eq(wait_http("127.0.0.1", hangup_port, "/", deadline), -1);
	/* what docker's proxy does before the service listens */
	ck_assert_int_eq(wait_tcp("127.0.0.1", hangup_port, deadline), -1);
	ck_assert_int_eq(wait_tcp("127.0.0.1", closed, deadline), -1);
	ck_assert_int_eq(wait_http("127.0.0.1", closed, "/", deadline), -1);
	stop(ok);
	stop(missing);
	stop(hangup);
}
END_TEST

START_TEST(test_gate)
{
	long port, closed = closed_port(), t;
	pid_t srv = serve("HTTP/1.0 200 OK\r\n\r\nok\n", &port);
	struct health_check checks[] = {
		{ "api", "127.0.0.1", port, "/health", NULL },
		{ "db", "localhost", port, NULL, NULL },
		{ "jaeger", "127.0.0.1", closed, NULL, NULL },
	};

	ck_assert_int_eq(health_gate(checks, 2, 5, 0), 0);
	t = monotonic_ms();
	ck_assert_int_eq(health_gate(checks, 3, 1, 0), -1);
	t = monotonic_ms() - t;
	ck_assert_int_ge(t, 900);
	ck_assert_int_lt(t, 3000);
	stop(srv);
}
END_TEST

/*
 * A fake engine on the unix socket sock, served by a child: the request
 * line of each connection ("GET /path") is looked up in routes and
 * answered with its body (status 200), or with 404; each request line is
 * appended to the file log.
 */
struct route {
	const char *request;
	const char *body;
};

static void answer(int c, const struct route *routes, const char *log)
{
	struct strbuf req = STRBUF_INIT;
	const struct route *r;
	char buf[4096], *line;
	FILE *f;

	while (!strstr(req.buf, "\r\n\r\n")) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n <= 0)
			break;
		strbuf_add(&req, buf, n);
	}
	line = xstrndup(req.buf, strcspn(req.buf, "\r\n"));
	/* "GET /path HTTP/1.1": the method and the path */
	if (strrchr(line, ' '))
		*strrchr(line, ' ') = '\0';
	f = fopen(log, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
	for (r = routes; r->request && strcmp(r->request, line); r++)
		;
	strbuf_reset(&req);
	if (r->request)
		strbuf_addf(&req, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			    "Content-Length: %zu\r\n\r\n%s", strlen(r->body), r->body);
	else
		strbuf_addstr(&req, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
			      "Content-Length: 21\r\n\r\n{\"message\":\"no such\"}");
	(void)!write(c, req.buf, req.len);
	strbuf_release(&req);
	free(line);
}

static pid_t fake_engine(const char *sock, const struct route *routes, const char *log)
{
	struct sockaddr_un sa = { 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				continue;
			answer(c, routes, log);
			close(c);
		}
	}
	close(fd);
	return pid;
}

#define NET_ID "fd16fe22e430c6359d8f38a648450629ddd1616acef66d563984f63ec720d02f"
#define NET_ID2 "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
#define ATTACHED(name, id) "\"" name "\":{\"Aliases\":[\"api\"],\"NetworkID\":\"" id "\"}"

/*
 * The networks a stack uses, by id, from docker (an id) and from podman 4
 * (the network's name, its id asked of the engine), with its volumes; a
 * network gone meanwhile is skipped
 */
START_TEST(test_container_uses)
{
	static const struct route routes[] = {
		/* docker: the id is there */
		{ "GET /containers/c1/json", "{\"Id\":\"c1\",\"Mounts\":["
		  "{\"Type\":\"volume\",\"Name\":\"p_data\",\"Destination\":\"/data\"},"
		  "{\"Type\":\"bind\",\"Source\":\"/src\",\"Destination\":\"/src\"}],"
		  "\"NetworkSettings\":{\"Networks\":{" ATTACHED("p_default", NET_ID2) "}}}" },
		/* podman 4.3: the name, twice (two containers on one network), and one gone */
		{ "GET /containers/c2/json", "{\"Id\":\"c2\",\"Mounts\":[],"
		  "\"NetworkSettings\":{\"Networks\":{" ATTACHED("q_default", "q_default") ","
		  ATTACHED("q_gone", "q_gone") "}}}" },
		{ "GET /containers/c3/json", "{\"Id\":\"c3\",\"Mounts\":[{\"Type\":\"volume\","
		  "\"Name\":\"p_data\"}],\"NetworkSettings\":{\"Networks\":{"
		  ATTACHED("q_default", "q_default") "}}}" },
		{ "GET /networks/q_default", "{\"Name\":\"q_default\",\"Id\":\"" NET_ID "\"}" },
		{ NULL, NULL }
	};
	char dir[] = "/tmp/sb-docker-XXXXXX", *sock, *log, *url, *text;
	char *cids[] = { "c1", "c2", "c3", "c4" }, **vols, **nets;
	size_t nvols, nnets, len;
	struct strbuf why = STRBUF_INIT;
	struct engine e;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sock = path_join(dir, "s");
	log = path_join(dir, "log");
	url = xasprintf("unix://%s", sock);
	pid = fake_engine(sock, routes, log);
	ck_assert_int_eq(engine_resolve(url, &e), 0);
	engine_use(&e);

	ck_assert_int_eq(docker_container_uses(cids, 1, &vols, &nvols, &nets, &nnets, &why), DOCKER_OK);
	ck_assert_uint_eq(nvols, 1);
	ck_assert_str_eq(vols[0], "p_data");
	ck_assert_uint_eq(nnets, 1);
	ck_assert_str_eq(nets[0], NET_ID2);
	free_strings(vols, nvols);
	free_strings(nets, nnets);
	text = read_file(log, &len);
	ck_assert_str_eq(text, "GET /containers/c1/json\n");
	free(text);
	unlink(log);

	/* c4 is gone: skipped */
	ck_assert_int_eq(docker_container_uses(cids, 4, &vols, &nvols, &nets, &nnets, &why), DOCKER_OK);
	ck_assert_uint_eq(nvols, 1);
	ck_assert_uint_eq(nnets, 2);
	ck_assert_str_eq(nets[0], NET_ID2);
	ck_assert_str_eq(nets[1], NET_ID);
	ck_assert_ptr_null(nets[2]);
	free_strings(vols, nvols);
	free_strings(nets, nnets);
	text = read_file(log, &len);
	ck_assert_str_eq(text, "GET /containers/c1/json\nGET /containers/c2/json\n"
			 "GET /containers/c3/json\nGET /containers/c4/json\n"
			 "GET /networks/q_default\nGET /networks/q_gone\n");
	free(text);
	ck_assert_uint_eq(why.len, 0);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	engine_use_none();
	engine_release(&e);
	strbuf_release(&why);
	unlink(log);
	unlink(sock);
	rmdir(dir);
	free(url);
	free(log);
	free(sock);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("docker");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_ps);
	tcase_add_test(tc, test_leaks);
	tcase_add_test(tc, test_wait);
	tcase_add_test(tc, test_gate);
	tcase_add_test(tc, test_container_uses);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
