/* Unit tests for lib/config.c: the port formula, loading and validation. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "config.h"
#include "gitparams.h"
#include "strbuf.h"
#include "trust.h"
#include "util.h"
#include "unit.h"

/* the ktrdr project file of the README (Usage), with grafana and jaeger ports */
static const char spec_file[] =
	"[sandbox]\n"
	"\tproject = ktrdr                        # worktree prefix\n"
	"\tcompose = docker-compose.sandbox.yml   # compose file\n"
	"\tenvFile = .env.sandbox                 # default\n"
	"\tslots = 10                             # highest slot number\n"
	"\tremote = ktrdr                         # init requires it\n"
	"[port \"api\"]\n"
	"\tvar = KTRDR_API_PORT\n"
	"\tbase = 8000\n"
	"\tstep = 1\n"
	"\tmain = 8000\n"
	"\tcount = 1\n"
	"\thealth = /api/v1/health\n"
	"[port \"db\"]\n"
	"\tvar = KTRDR_DB_PORT\n"
	"\tbase = 5432\n"
	"\twait = tcp\n"
	"[port \"grafana\"]\n"
	"\tvar = GRAFANA_PORT\n"
	"\tbase = 3000\n"
	"[port \"jaeger\"]\n"
	"\tvar = JAEGER_PORT\n"
	"\tbase = 16686\n"
	"[port \"workers\"]\n"
	"\tvar = KTRDR_WORKER_PORT\n"
	"\tmain = 5003\n"
	"\tbase = 5000\n"
	"\tstep = 10\n"
	"\tcount = 4\n"
	"[secrets]\n"
	"\titem = ktrdr-sandbox-dev\n"
	"\tvault = Private\n"
	"\taccount = my.1password.com\n"
	"\tttl = 12h\n"
	"[secret \"db_password\"]\n"
	"\tvar = DB_PASSWORD\n"
	"\tdefault = localdev\n";

static char tmpdir[] = "/tmp/sb-config-XXXXXX";
static char *worktree, *gsfile;
static git_repository *repo;
static char errbuf[8192];

static void setup(void)
{
	char *empty;

	strcpy(tmpdir, "/tmp/sb-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	worktree = path_join(tmpdir, "ktrdr");
	gsfile = path_join(worktree, ".gitsandbox");
	empty = path_join(tmpdir, "home");
	ck_assert_int_eq(mkdir_p(empty, 0755), 0);
	setenv("HOME", empty, 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
	unsetenv("GIT_CONFIG_PARAMETERS");
	unsetenv("GIT_CONFIG_COUNT");
	git_libgit2_init();
	/* no system, XDG or global file of this machine leaks in */
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, empty);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, empty);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, empty);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, empty);
	ck_assert_int_eq(git_repository_init(&repo, worktree, 0), 0);
	free(empty);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	git_repository_free(repo);
	git_libgit2_shutdown();
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(worktree);
	free(gsfile);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Load with .gitsandbox = text; errbuf gets why it failed. */
static int load(struct sb_config *cfg, const char *text)
{
	char *errfile = path_join(tmpdir, "stderr");
	int saved = dup(2), fd, ret;
	ssize_t n;

	write_text(gsfile, text);
	fflush(stderr);
	fd = open(errfile, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	ret = config_load(cfg, repo, worktree, "ktrdr");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, errbuf, sizeof(errbuf) - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(fd);
	/* config_load prints nothing: the reason is for the caller to report */
	ck_assert_str_eq(errbuf, "");
	if (ret)
		snprintf(errbuf, sizeof(errbuf), "%s", config_error());
	free(errfile);
	return ret;
}

static const struct port_group *group(const struct sb_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return &cfg->ports[i];
	ck_abort_msg("no group '%s'", name);
	return NULL;
}

START_TEST(test_port_formula)
{
	struct port_group g = { "w", "W", 5000, 10, 5003, 4, NULL, 0, ORIGIN_PROJECT, NULL, 0 };

	ck_assert_int_eq(port_of(&g, 0, 0), 5003);
	ck_assert_int_eq(port_of(&g, 0, 3), 5006);
	ck_assert_int_eq(port_of(&g, 1, 0), 5010);
	ck_assert_int_eq(port_of(&g, 2, 3), 5023);
	ck_assert_int_eq(port_of(&g, 10, 1), 5101);
}
END_TEST

START_TEST(test_spec_file)
{
	struct sb_config cfg;
	const struct port_group *w;

	ck_assert_int_eq(load(&cfg, spec_file), 0);
	ck_assert_str_eq(cfg.project, "ktrdr");
	ck_assert_str_eq(cfg.compose[0], "docker-compose.sandbox.yml");
	ck_assert_uint_eq(cfg.ncompose, 1);
	ck_assert_str_eq(cfg.env_file, ".env.sandbox");
	ck_assert_int_eq(cfg.slots, 10);
	ck_assert_str_eq(cfg.remote, "ktrdr");
	ck_assert_uint_eq(cfg.nports, 5);
	ck_assert_str_eq(group(&cfg, "api")->health, "/api/v1/health");
	ck_assert_int_eq(group(&cfg, "db")->wait_tcp, 1);
	ck_assert_int_eq(group(&cfg, "db")->main, 5432);	/* main defaults to base */
	ck_assert_str_eq(cfg.secrets_item, "ktrdr-sandbox-dev");
	ck_assert_str_eq(cfg.secrets_vault, "Private");
	ck_assert_str_eq(cfg.secrets_account, "my.1password.com");
	ck_assert_int_eq(cfg.secrets_ttl, 12 * 3600);
	ck_assert_str_eq(cfg.secrets_ttl_text, "12h");
	/* unset: the defaults, written as the documentation writes them */
	ck_assert_int_eq(cfg.secrets_recheck, 3600);
	ck_assert_str_eq(cfg.secrets_recheck_text, "1h");
	ck_assert_int_eq(cfg.secrets_max_age, 7 * 86400);
	ck_assert_str_eq(cfg.secrets_max_age_text, "7d");
	ck_assert_uint_eq(cfg.nsecrets, 1);
	ck_assert_str_eq(cfg.secrets[0].name, "db_password");
	ck_assert_str_eq(cfg.secrets[0].var, "DB_PASSWORD");
	ck_assert_str_eq(cfg.secrets[0].def, "localdev");

	/* the usage guide's port table, slots 0 to 3 */
	{
		static const long table[4][5] = {
			{ 8000, 5432, 3000, 16686, 5003 },
			{ 8001, 5433, 3001, 16687, 5010 },
			{ 8002, 5434, 3002, 16688, 5020 },
			{ 8003, 5435, 3003, 16689, 5030 },
		};
		static const char *const names[] = { "api", "db", "grafana", "jaeger", "workers" };
		long s, k;
		int i;

		for (s = 0; s < 4; s++)
			for (i = 0; i < 5; i++)
				ck_assert_int_eq(port_of(group(&cfg, names[i]), s, 0), table[s][i]);
		w = group(&cfg, "workers");
		for (s = 0; s < 4; s++)
			for (k = 0; k < 4; k++)
				ck_assert_int_eq(port_of(w, s, k), table[s][4] + k);
	}
	config_free(&cfg);
}
END_TEST

START_TEST(test_defaults)
{
	struct sb_config cfg;

	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_str_eq(cfg.project, "ktrdr");	/* the main worktree's name */
	ck_assert_str_eq(cfg.compose[0], "docker-compose.sandbox.yml");
	ck_assert_uint_eq(cfg.ncompose, 1);
	ck_assert_str_eq(cfg.env_file, ".env.sandbox");
	ck_assert_int_eq(cfg.slots, 10);
	ck_assert_ptr_null(cfg.remote);
	ck_assert_uint_eq(cfg.nports, 0);
	config_free(&cfg);
	ck_assert_int_eq(load(&cfg, "[port \"x\"]\nvar = X\nbase = 9000\n"), 0);
	ck_assert_int_eq(cfg.ports[0].step, 1);
	ck_assert_int_eq(cfg.ports[0].count, 1);
	ck_assert_int_eq(cfg.ports[0].main, 9000);
	config_free(&cfg);
}
END_TEST

/* text must be refused with a message that names the file and holds what */
static void refused(const char *text, const char *what)
{
	struct sb_config cfg;

	ck_assert_msg(load(&cfg, text) == -1, "accepted: %s", text);
	ck_assert_msg(strstr(errbuf, gsfile) != NULL, "the file is not named in: %s", errbuf);
	ck_assert_msg(strstr(errbuf, what) != NULL, "'%s' is not in: %s", what, errbuf);
	config_free(&cfg);
}

#define API "[port \"api\"]\nvar = API\nbase = 8000\n"
#define WORKERS "[port \"workers\"]\nvar = W\nbase = 5000\nmain = 5003\nstep = 10\ncount = 4\n"

/* several compose files: in order in one file; a later file replaces them; COMPOSE_FILE below */
START_TEST(test_compose_files)
{
	struct sb_config cfg;

	ck_assert_int_eq(load(&cfg, "[sandbox]\ncompose = a.yml\ncompose = sub/b.yml\n"), 0);
	ck_assert_uint_eq(cfg.ncompose, 2);
	ck_assert_str_eq(cfg.compose[0], "a.yml");
	ck_assert_str_eq(cfg.compose[1], "sub/b.yml");
	ck_assert_ptr_null(cfg.compose[2]);
	ck_assert_int_eq(cfg.compose_set, 1);
	ck_assert_int_eq(cfg.compose_origin, ORIGIN_PROJECT);
	config_free(&cfg);

	setenv("GIT_CONFIG_PARAMETERS", "'sandbox.compose'='mine.yml'", 1);
	ck_assert_int_eq(load(&cfg, "[sandbox]\ncompose = a.yml\ncompose = b.yml\n"), 0);
	ck_assert_uint_eq(cfg.ncompose, 1);
	ck_assert_str_eq(cfg.compose[0], "mine.yml");
	ck_assert_int_eq(cfg.compose_origin, ORIGIN_COMMAND_LINE);
	config_free(&cfg);
	unsetenv("GIT_CONFIG_PARAMETERS");

	/* COMPOSE_FILE only where no configuration names them */
	setenv("COMPOSE_FILE", "x.yml::/abs/y.yml:", 1);
	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_uint_eq(cfg.ncompose, 2);
	ck_assert_str_eq(cfg.compose[0], "x.yml");
	ck_assert_str_eq(cfg.compose[1], "/abs/y.yml");
	ck_assert_int_eq(cfg.compose_env, 1);
	ck_assert_int_eq(cfg.compose_set, 1);
	ck_assert_int_eq(cfg.compose_origin, ORIGIN_USER);
	config_free(&cfg);
	setenv("COMPOSE_PATH_SEPARATOR", ",", 1);
	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_uint_eq(cfg.ncompose, 1);
	ck_assert_str_eq(cfg.compose[0], "x.yml::/abs/y.yml:");
	config_free(&cfg);
	unsetenv("COMPOSE_PATH_SEPARATOR");
	/* one file too many is an error, not a stack without it */
	setenv("COMPOSE_FILE", "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16", 1);
	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_uint_eq(cfg.ncompose, MAX_COMPOSE_FILES);
	config_free(&cfg);
	setenv("COMPOSE_FILE", "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16::17", 1);
	ck_assert_int_eq(load(&cfg, ""), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "COMPOSE_FILE names more than 16 compose files"));
	config_free(&cfg);
	setenv("COMPOSE_FILE", "x.yml::/abs/y.yml:", 1);
	ck_assert_int_eq(load(&cfg, "[sandbox]\ncompose = a.yml\n"), 0);
	ck_assert_str_eq(cfg.compose[0], "a.yml");
	ck_assert_int_eq(cfg.compose_env, 0);
	config_free(&cfg);
	/* separators only name no file, for list and status too */
	setenv("COMPOSE_FILE", "::", 1);
	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_int_eq(cfg.compose_set, 0);
	ck_assert_str_eq(cfg.compose[0], DEFAULT_COMPOSE_FILE);
	config_free(&cfg);
	ck_assert_int_eq(config_sets_compose(repo, worktree), 0);
	setenv("COMPOSE_FILE", ":x.yml", 1);
	ck_assert_int_eq(config_sets_compose(repo, worktree), 1);
	unsetenv("COMPOSE_FILE");
	ck_assert_int_eq(config_sets_compose(repo, worktree), 0);
	ck_assert_int_eq(load(&cfg, ""), 0);
	ck_assert_int_eq(cfg.compose_set, 0);
	config_free(&cfg);
}
END_TEST

START_TEST(test_validation)
{
	struct sb_config cfg;

	ck_assert_int_eq(load(&cfg, API WORKERS), 0);
	config_free(&cfg);

	refused("[sandbox]\nbogus = 1\n", "sandbox.bogus: unknown key");
	refused(API "bogus = 1\n", "port.api.bogus: unknown key");
	refused("[secrets]\nitem = x\nbogus = 1\n", "secrets.bogus: unknown key");
	refused("[secrets]\nitem = x\n[secret \"f\"]\nvar = F\nbogus = 1\n", "secret.f.bogus: unknown key");
	refused("[sandbox \"sub\"]\nslots = 1\n", "unknown key");
	refused("[port]\nvar = X\n", "a port group needs a name");
	refused("[port \"a b\"]\nvar = X\nbase = 1\n", "port group name");
	refused(API "base = 65536\n", "port.api.base: '65536' is not a number from 1 to 65535");
	refused(API "base = 0\n", "port.api.base: '0'");
	refused(API "base = -5\n", "port.api.base");
	refused(API "base = 80x\n", "port.api.base: '80x'");
	refused(API "main = 70000\n", "port.api.main");
	refused(API "step = 0\n", "port.api.step");
	refused(API "count = 101\n", "port.api.count");
	refused(API "base\n", "port.api.base: missing value");
	/* base + step * slots + count - 1 above 65535 */
	refused("[port \"p\"]\nvar = P\nbase = 65526\n", "port.p: slot 10 reaches port 65536");
	/* exactly 65535 is a port: the last slot and slot 0 may end there */
	{
		struct sb_config cfg;

		ck_assert_int_eq(load(&cfg, "[port \"p\"]\nvar = P\nbase = 65525\n"), 0);
		ck_assert_int_eq(port_of(&cfg.ports[0], 10, 0), 65535);
		config_free(&cfg);
		ck_assert_int_eq(load(&cfg, "[port \"p\"]\nvar = P\nbase = 100\nmain = 65534\ncount = 2\nstep = 2\n"), 0);
		config_free(&cfg);
	}
	refused("[port \"p\"]\nvar = P\nbase = 65000\nstep = 50\ncount = 50\n", "port.p: slot 10 reaches port 65549");
	refused("[sandbox]\nslots = 999\n[port \"p\"]\nvar = P\nbase = 65000\n", "port.p: slot 999 reaches port 65999");
	refused("[port \"p\"]\nvar = P\nbase = 100\nmain = 65535\ncount = 2\nstep = 2\n", "port.p: slot 0 reaches port 65536");
	/* overlapping groups, and a group overlapping itself */
	refused(API "[port \"db\"]\nvar = DB\nbase = 8005\n", "port groups 'api' and 'db' collide");
	refused(API WORKERS "[port \"w2\"]\nvar = W2\nbase = 5012\n", "collide");
	refused(WORKERS "[port \"x\"]\nvar = X\nbase = 4990\nmain = 5004\n", "collide");
	refused("[port \"w\"]\nvar = W\nbase = 5000\nmain = 5010\n", "port.w: slot 0 and slot 10 both get port 5010");
	refused("[port \"w\"]\nvar = W\nbase = 5000\nstep = 3\ncount = 4\n", "port.w: step 3 is less than count 4");
	refused("[port \"w\"]\nbase = 5000\n", "port.w.var is missing");
	refused("[port \"w\"]\nvar = W\n", "port.w.base is missing");
	refused("[port \"w\"]\nvar = 9W\nbase = 1\n", "port.w.var: '9W' is not a valid environment variable name");
	refused("[port \"w\"]\nvar = SANDBOX_SLOT\nbase = 1\n", "SANDBOX_SLOT is set by git-sandbox itself");
	refused(API "[port \"b\"]\nvar = API\nbase = 9000\n", "port.api.var and port.b.var are both API");
	refused(API "health = api/v1\n", "port.api.health: 'api/v1' is not an HTTP path");
	refused(API "wait = http\n", "port.api.wait: 'http' is not a wait kind");
	refused("[secrets]\nitem = x\nttl = forever\n", "secrets.ttl: 'forever' is not a duration");
	refused("[secrets]\nitem = x\nttl = 12x\n", "secrets.ttl");
	refused("[secrets]\nitem = x\nttl = -1h\n", "secrets.ttl");
	refused("[secrets]\nitem = x\nrecheck = soon\n", "secrets.recheck: 'soon' is not a duration");
	refused("[secrets]\nitem = x\nmaxAge = 1w\n", "secrets.maxage: '1w' is not a duration");
	refused("[secrets]\nitem = x\nmaxAges = 1d\n", "known: item, vault, account, ttl, recheck, maxAge");
	{
		struct sb_config cfg;

		/* durations as written, for messages: 720m stays 720m */
		ck_assert_int_eq(load(&cfg, "[secrets]\nitem = x\nttl = 720m\nrecheck = 90\nMaxAge = 2d\n"), 0);
		ck_assert_int_eq(cfg.secrets_ttl, 43200);
		ck_assert_str_eq(cfg.secrets_ttl_text, "720m");
		ck_assert_int_eq(cfg.secrets_recheck, 90);
		ck_assert_str_eq(cfg.secrets_recheck_text, "90");
		ck_assert_int_eq(cfg.secrets_max_age, 2 * 86400);
		ck_assert_str_eq(cfg.secrets_max_age_text, "2d");
		config_free(&cfg);
	}
	refused("[secrets]\nitem = x\n[secret \"f\"]\ndefault = d\n", "secret.f.var is missing");
	refused("[secret \"f\"]\nvar = F\n", "secrets.item is missing");
	refused("[secrets]\nitem = x\n[secret \"f\"]\nvar = API\n" API, "secret.f.var and port.api.var are both API");
	refused("[sandbox]\nslots = 0\n", "sandbox.slots: '0' is not a number from 1 to 999");
	refused("[sandbox]\nslots = 1000\n", "sandbox.slots");
	refused("[sandbox]\nproject = -x\n", "sandbox.project '-x'");
	refused("[sandbox]\nproject = a/b\n", "sandbox.project 'a/b'");
	refused("[sandbox]\nenvFile = ../x\n", "sandbox.envFile '../x'");
	/* the trust boundary: includes, variable names, the env file */
	refused("[include]\npath = other\n", "include.path: a project file cannot include other files");
	refused("[includeIf \"gitdir:/\"]\npath = x\n", "includeif.gitdir:/.path");
	refused("[port \"p\"]\nvar = PATH\nbase = 9000\n", "port.p.var: PATH is read by the shell");
	refused("[port \"p\"]\nvar = ld_preload\nbase = 9000\n", "ld_preload is read by the dynamic loader");
	refused("[port \"p\"]\nvar = DOCKER_HOST\nbase = 9000\n", "DOCKER_HOST is read by Docker");
	refused("[port \"p\"]\nvar = LD\nbase = 9000\nstep = 10\ncount = 2\n",
		"LD_1 (port 1 of LD) is read by the dynamic loader");
	refused("[secrets]\nitem = x\n[secret \"f\"]\nvar = BASH_ENV\n", "secret.f.var: BASH_ENV is read by bash");
	refused("[sandbox]\nenvFile = *\n", "must be a plain file name");
	refused("[sandbox]\nenvFile = .env[a]\n", "must be a plain file name");
	refused("[sandbox]\nenvFile = .git\n", "is a file git reads");
	refused("[sandbox]\nenvFile = .gitsandbox\n", "is a file git reads");
	refused("[sandbox]\nenvFile = docker-compose.sandbox.yml\n", "is a compose file");
	refused("[sandbox]\ncompose = a.yml\ncompose = b.yml\nenvFile = b.yml\n", "is a compose file");
	refused("[sandbox]\ncompose =\n", "sandbox.compose is empty");
	refused("[port \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]\nvar = X\nbase = 9000\n",
		"at most 64 characters");
	{
		struct strbuf many = STRBUF_INIT;
		int k;

		/* the checks are quadratic in groups: a bound keeps a hostile file cheap */
		for (k = 0; k <= MAX_GROUPS; k++)
			strbuf_addf(&many, "[secret \"s%d\"]\nvar = S%d\n", k, k);
		refused(many.buf, "more than 500 secrets");
		strbuf_release(&many);
	}
	/* malformed: the message names the file and the line */
	refused("[sandbox]\nslots = 3\n[port \"x\"\nvar = X\n", "line 3: bad section header");
	refused("# comment\n[sandbox\n\tslots = 3\n", "line 2: bad section header");
}
END_TEST

#define ENV_PORTS "[port \"api\"]\nvar = API_PORT\nbase = 8000\nhealth = /h\n" \
	"[port \"db\"]\nvar = DB_PORT\nbase = 5432\n" \
	"[port \"w\"]\nvar = W_PORT\nbase = 6000\nstep = 10\ncount = 3\n" \
	"[secrets]\nitem = x\n[secret \"p\"]\nvar = DB_PASSWORD\n"

/* [port] url and [env] variables: templates checked on load, references and cycles too */
START_TEST(test_urls_and_env)
{
	struct sb_config cfg;
	size_t i;

	ck_assert_int_eq(load(&cfg, ENV_PORTS
			      "[port \"db\"]\nurl = postgres://{host}:{port}/\n"
			      "[env \"SELF_URL\"]\nvalue = ${API_URL}/self/${SANDBOX_NAME}\n"
			      "[env \"API_URL\"]\nvalue = http://{host}:${API_PORT}/api\n"
			      "[env \"DATABASE_URL\"]\nvalue = pg://app:${DB_PASSWORD}@db:${DB_PORT}/a\n"
			      "[env \"W\"]\nvalue = ${W_PORT_1},${W_PORT_3},${SANDBOX_SLOT},${COMPOSE_PROJECT_NAME}\n"
			      "[env \"DSN2\"]\nvalue = ${DATABASE_URL}\n"), 0);
	ck_assert_int_eq(cfg.ports[1].url_set, 1);
	ck_assert_str_eq(cfg.ports[1].url, "postgres://{host}:{port}/");
	ck_assert_int_eq(cfg.ports[0].url_set, 0);
	ck_assert_uint_eq(cfg.nenvs, 5);
	ck_assert_str_eq(cfg.envs[0].name, "SELF_URL");
	ck_assert_str_eq(cfg.envs[0].value, "${API_URL}/self/${SANDBOX_NAME}");
	/* made of {host}, or of a secret, itself or through another */
	ck_assert_int_eq(cfg.envs[0].host, 1);
	ck_assert_int_eq(cfg.envs[0].secret, 0);
	ck_assert_int_eq(cfg.envs[1].host, 1);
	ck_assert_int_eq(cfg.envs[2].secret, 1);
	ck_assert_int_eq(cfg.envs[2].host, 0);
	ck_assert_int_eq(cfg.envs[3].secret, 0);
	ck_assert_int_eq(cfg.envs[4].secret, 1);
	/* API_URL before SELF_URL, which refers to it */
	for (i = 0; cfg.env_order[i] != 1; i++)
		ck_assert_uint_ne(cfg.env_order[i], 0);
	/* from the project file, each needs trust */
	ck_assert_uint_eq(cfg.nneeds_trust, 7);
	ck_assert_str_eq(cfg.needs_trust[2].key, "env.SELF_URL.value");
	ck_assert_str_eq(cfg.needs_trust[2].value, "${API_URL}/self/${SANDBOX_NAME}");
	ck_assert_int_eq(config_check_untrusted(&cfg), -1);
	ck_assert_ptr_nonnull(strstr(config_error(), "env.SELF_URL.value: from a project file you have not trusted"));
	cfg.trusted = 1;
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);

	/* an empty url: none, not even a health check's */
	ck_assert_int_eq(load(&cfg, ENV_PORTS "[port \"api\"]\nurl =\n"), 0);
	ck_assert_int_eq(cfg.ports[0].url_set, 1);
	ck_assert_str_eq(cfg.ports[0].url, "");
	config_free(&cfg);

	refused(ENV_PORTS "[port \"api\"]\nurl = http://{hots}:{port}/\n",
		"port.api.url: not a URL template: unknown placeholder {hots} (known: {host}, {port})");
	refused(ENV_PORTS "[port \"api\"]\nurl = \"http://a b/\"\n", "port.api.url: not a URL template: a URL has no blank");
	refused(ENV_PORTS "[port \"api\"]\nurl\n", "port.api.url: missing value");
	refused("[env]\nvalue = x\n", "env.value: a derived variable needs a name");
	refused("[env \"X\"]\nbogus = x\n", "env.X.bogus: unknown key (known: value)");
	refused("[env \"A-B\"]\nvalue = x\n", "env.A-B.value: 'A-B' is not a valid environment variable name");
	refused("[env \"X\"]\nvalue\n", "env.X.value: missing value");
	refused(ENV_PORTS "[env \"X\"]\nvalue = $API_PORT\n", "env.X.value: a '$' starts a reference, ${NAME}");
	refused(ENV_PORTS "[env \"X\"]\nvalue = {port}\n", "env.X.value: unknown placeholder {port} (known: {host})");
	refused(ENV_PORTS "[env \"X\"]\nvalue = ${NOPE}\n",
		"env.X.value: ${NOPE} is not one of the sandbox's variables");
	/* a group of several ports has VAR_1 to VAR_<count> only */
	refused(ENV_PORTS "[env \"X\"]\nvalue = ${W_PORT}\n", "${W_PORT} is not one");
	refused(ENV_PORTS "[env \"X\"]\nvalue = ${W_PORT_4}\n", "${W_PORT_4} is not one");
	refused(ENV_PORTS "[env \"X\"]\nvalue = ${W_PORT_01}\n", "${W_PORT_01} is not one");
	refused(ENV_PORTS "[env \"X\"]\nvalue = ${SANDBOX_PATH}\n", "${SANDBOX_PATH} is not one");
	refused(ENV_PORTS "[env \"A\"]\nvalue = ${B}\n[env \"B\"]\nvalue = x${C}\n[env \"C\"]\nvalue = ${A}\n",
		"env.A.value: the variables refer to each other in a cycle: A -> B -> C -> A");
	refused(ENV_PORTS "[env \"A\"]\nvalue = ${A}\n", "cycle: A -> A");
	refused(ENV_PORTS "[env \"PATH\"]\nvalue = /x\n", "env.PATH: PATH is read by the shell");
	refused(ENV_PORTS "[env \"LD_PRELOAD\"]\nvalue = /x\n", "env.LD_PRELOAD: LD_PRELOAD is read by the dynamic loader");
	refused(ENV_PORTS "[env \"SANDBOX_NAME\"]\nvalue = x\n", "env.SANDBOX_NAME: SANDBOX_NAME is set by git-sandbox itself");
	refused(ENV_PORTS "[env \"COMPOSE_PROJECT_NAME\"]\nvalue = x\n", "read by Docker Compose");
	refused(ENV_PORTS "[env \"DB_PORT\"]\nvalue = x\n", "env.DB_PORT: port.db.var already gives DB_PORT");
	refused(ENV_PORTS "[env \"W_PORT_2\"]\nvalue = x\n", "env.W_PORT_2: port.w.var already gives W_PORT_2");
	refused(ENV_PORTS "[env \"DB_PASSWORD\"]\nvalue = x\n", "env.DB_PASSWORD: secret.p.var already gives DB_PASSWORD");
}
END_TEST

/* an [env] error names the layer that set it: git -c, not the project file */
START_TEST(test_env_from_command_line)
{
	struct sb_config cfg;

	setenv("GIT_CONFIG_PARAMETERS", "'env.DSN.value'='pg://${DB_PORT}' 'port.api.url'='http://{host}/'", 1);
	ck_assert_int_eq(load(&cfg, ENV_PORTS), 0);
	ck_assert_uint_eq(cfg.nenvs, 1);
	ck_assert_int_eq(cfg.envs[0].origin, ORIGIN_COMMAND_LINE);
	ck_assert_str_eq(cfg.ports[0].url, "http://{host}/");
	/* yours: no trust needed */
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);
	setenv("GIT_CONFIG_PARAMETERS", "'env.DSN.value'='${NOPE}'", 1);
	ck_assert_int_eq(load(&cfg, ENV_PORTS), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "bad config in the command line (git -c): env.DSN.value: ${NOPE}"));
	unsetenv("GIT_CONFIG_PARAMETERS");
}
END_TEST

START_TEST(test_needs_trust)
{
	struct sb_config cfg;
	char *v;

	ck_assert_int_eq(load(&cfg, "[port \"api\"]\nvar = API_PORT\nbase = 8000\n"), 0);
	ck_assert_ptr_nonnull(cfg.file_hash);
	ck_assert_uint_eq(strlen(cfg.file_hash), 64);
	ck_assert_uint_eq(cfg.nneeds_trust, 0);
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);

	/* a port variable not named *_PORT needs trust */
	ck_assert_int_eq(load(&cfg, API), 0);
	ck_assert_uint_eq(cfg.nneeds_trust, 1);
	ck_assert_str_eq(cfg.needs_trust[0].key, "port.api.var");
	ck_assert_int_eq(config_check_untrusted(&cfg), -1);
	ck_assert_ptr_nonnull(strstr(config_error(), "must end in _PORT"));
	cfg.trusted = 1;
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);

	/* more than 100 ports in all: each is kept from every other user of the machine */
	ck_assert_int_eq(load(&cfg, "[sandbox]\nslots = 1\n"
			      "[port \"a\"]\nvar = A_PORT\nbase = 10000\nstep = 100\ncount = 60\n"
			      "[port \"b\"]\nvar = B_PORT\nbase = 20000\nstep = 100\ncount = 41\n"), 0);
	ck_assert_int_eq(config_check_untrusted(&cfg), -1);
	ck_assert_ptr_nonnull(strstr(config_error(), "101 ports in all"));
	cfg.trusted = 1;
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);
	ck_assert_int_eq(load(&cfg, "[sandbox]\nslots = 1\n"
			      "[port \"a\"]\nvar = A_PORT\nbase = 10000\nstep = 100\ncount = 100\n"), 0);
	ck_assert_int_eq(config_check_untrusted(&cfg), 0);
	config_free(&cfg);

	ck_assert_int_eq(load(&cfg, "[sandbox]\ncomposeCommand = sh -c id\ncopy = .env.local\n"
			      "compose = ../../x.yml\n[hook]\npreUp = make\n[secrets]\nitem = bank\n"), 0);
	ck_assert_uint_eq(cfg.nneeds_trust, 5);
	ck_assert_str_eq(cfg.needs_trust[0].key, "sandbox.composeCommand");
	ck_assert_str_eq(cfg.needs_trust[0].value, "sh -c id");
	ck_assert_str_eq(cfg.needs_trust[1].key, "sandbox.compose");
	ck_assert_str_eq(cfg.needs_trust[2].key, "sandbox.copy");
	ck_assert_str_eq(cfg.needs_trust[3].key, "secrets.item");
	ck_assert_str_eq(cfg.needs_trust[4].key, "hook.preUp");
	ck_assert_int_eq(cfg.trusted, 0);

	/* trust is for this content in this repository, not another */
	v = trust_value(cfg.file_hash, "/elsewhere/.git");
	cfg.trust = xcalloc(2, sizeof(char *));
	cfg.trust[cfg.ntrust++] = v;
	trust_check(&cfg, "/here/.git");
	ck_assert_int_eq(cfg.trusted, 0);
	trust_check(&cfg, "/elsewhere/.git");
	ck_assert_int_eq(cfg.trusted, 1);
	cfg.trust[cfg.ntrust++] = xstrdup(cfg.file_hash);	/* the old form, a bare hash */
	trust_check(&cfg, "/here/.git");
	ck_assert_int_eq(cfg.trusted, 0);
	config_free(&cfg);

	/* compose inside the worktree needs no trust */
	ck_assert_int_eq(load(&cfg, "[sandbox]\ncompose = sub/dc.yml\n"), 0);
	ck_assert_uint_eq(cfg.nneeds_trust, 0);
	config_free(&cfg);
}
END_TEST

START_TEST(test_validate_direct)
{
	struct port_group g[2] = {
		{ "a", "A", 1000, 1, 1000, 1, NULL, 0, ORIGIN_PROJECT, NULL, 0 },
		{ "b", "B", 1005, 1, 1005, 1, NULL, 0, ORIGIN_PROJECT, NULL, 0 },
	};
	struct sb_config cfg = { 0 };

	cfg.file = (char *)"/x/.gitsandbox";
	cfg.ports = g;
	cfg.nports = 2;
	cfg.slots = 4;
	ck_assert_int_eq(config_validate(&cfg), 0);
	cfg.slots = 5;	/* a's slot 5 is b's slot 0 */
	ck_assert_int_eq(config_validate(&cfg), -1);
}
END_TEST

static void params(const char *text, size_t want_n, const char *const *want)
{
	char **k, **v;
	size_t n, i;

	ck_assert_msg(gitparams_parse(text, &k, &v, &n) == 0, "refused: %s", text);
	ck_assert_uint_eq(n, want_n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(k[i], want[2 * i]);
		if (want[2 * i + 1])
			ck_assert_str_eq(v[i], want[2 * i + 1]);
		else
			ck_assert_ptr_null(v[i]);
	}
	free_strings(k, n);
	free_strings(v, n);
}

START_TEST(test_parameters)
{
	char **k, **v;
	size_t n;

	/* old style (git before 2.31): 'key=value' */
	params("'sandbox.slots=12'", 1, (const char *[]){ "sandbox.slots", "12" });
	params("'port.api.base=9000' 'sandbox.project=a=b'", 2,
	       (const char *[]){ "port.api.base", "9000", "sandbox.project", "a=b" });
	params("'core.bare'", 1, (const char *[]){ "core.bare", NULL });
	/* new style: 'key'='value' */
	params("'sandbox.slots'='12'", 1, (const char *[]){ "sandbox.slots", "12" });
	params("'a.b'='' 'c.d'=", 2, (const char *[]){ "a.b", "", "c.d", "" });
	params("'a.b'='x y' 'port.My Group.base'='1'", 2,
	       (const char *[]){ "a.b", "x y", "port.My Group.base", "1" });
	/* quotes inside values: ' becomes '\'' */
	params("'a.b'='it'\\''s'", 1, (const char *[]){ "a.b", "it's" });
	params("'a.b=it'\\''s'", 1, (const char *[]){ "a.b", "it's" });
	/* and ! becomes '\!' (git -c alias.x='!cmd') */
	params("'alias.x'=''\\!'cmd' 'a.b'='x'\\!'y'", 2, (const char *[]){ "alias.x", "!cmd", "a.b", "x!y" });
	params("'a.b'='\"q\"'", 1, (const char *[]){ "a.b", "\"q\"" });
	params("'a.b'='x=y'", 1, (const char *[]){ "a.b", "x=y" });
	/* both styles, and the blanks git puts between them */
	params(" 'a.b=1'  'c.d'='2'\n", 2, (const char *[]){ "a.b", "1", "c.d", "2" });
	params("", 0, NULL);

	ck_assert_int_eq(gitparams_parse("a.b=c", &k, &v, &n), -1);
	ck_assert_int_eq(gitparams_parse("'a.b=c", &k, &v, &n), -1);
	ck_assert_int_eq(gitparams_parse("'a.b'='c", &k, &v, &n), -1);
}
END_TEST

START_TEST(test_command_line_layer)
{
	struct sb_config cfg;

	setenv("GIT_CONFIG_PARAMETERS", "'sandbox.slots'='12' 'port.api.base=9000' 'Port.api.Main'='9100'", 1);
	ck_assert_int_eq(load(&cfg, "[sandbox]\nslots = 3\n" API), 0);
	ck_assert_int_eq(cfg.slots, 12);
	ck_assert_int_eq(group(&cfg, "api")->base, 9000);
	ck_assert_int_eq(group(&cfg, "api")->main, 9100);
	config_free(&cfg);

	/* a bad value from the command line is named as such */
	setenv("GIT_CONFIG_PARAMETERS", "'port.api.base'='x'", 1);
	ck_assert_int_eq(load(&cfg, API), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "command line"));
	ck_assert_ptr_nonnull(strstr(errbuf, "port.api.base"));
	config_free(&cfg);

	setenv("GIT_CONFIG_PARAMETERS", "'unterminated", 1);
	ck_assert_int_eq(load(&cfg, API), -1);
	config_free(&cfg);
	unsetenv("GIT_CONFIG_PARAMETERS");

	/* GIT_CONFIG_COUNT (git -c's other channel, and --config-env) */
	setenv("GIT_CONFIG_COUNT", "1", 1);
	setenv("GIT_CONFIG_KEY_0", "sandbox.slots", 1);
	setenv("GIT_CONFIG_VALUE_0", "7", 1);
	ck_assert_int_eq(load(&cfg, API), 0);
	ck_assert_int_eq(cfg.slots, 7);
	config_free(&cfg);
	unsetenv("GIT_CONFIG_COUNT");
}
END_TEST

START_TEST(test_repo_config_layer)
{
	struct sb_config cfg;
	git_config *c;

	ck_assert_int_eq(git_repository_config(&c, repo), 0);
	ck_assert_int_eq(git_config_set_int64(c, "port.api.base", 9500), 0);
	git_config_free(c);
	ck_assert_int_eq(load(&cfg, API), 0);
	ck_assert_int_eq(group(&cfg, "api")->base, 9500);
	ck_assert_int_eq(group(&cfg, "api")->main, 9500);
	config_free(&cfg);
}
END_TEST

/*
 * A commit of the test repository whose tree holds README and, unless
 * mode is 0, a .gitsandbox entry of that mode: a blob of len bytes of text
 * (a link's target for GIT_FILEMODE_LINK), an empty tree, or a submodule.
 * Its id in hex, newly allocated.
 */
static char *commit_with(const char *text, size_t len, git_filemode_t mode)
{
	git_treebuilder *tb, *empty;
	git_signature *sig;
	git_oid readme, entry, tree_id, commit_id;
	git_tree *tree;

	ck_assert_int_eq(git_blob_create_from_buffer(&readme, repo, "# ktrdr\n", 8), 0);
	ck_assert_int_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, tb, "README", &readme, GIT_FILEMODE_BLOB), 0);
	if (mode == GIT_FILEMODE_TREE) {
		ck_assert_int_eq(git_treebuilder_new(&empty, repo, NULL), 0);
		ck_assert_int_eq(git_treebuilder_write(&entry, empty), 0);
		git_treebuilder_free(empty);
	} else if (mode == GIT_FILEMODE_COMMIT) {
		entry = readme;	/* a submodule's commit need not be in this repository */
	} else if (mode) {
		ck_assert_int_eq(git_blob_create_from_buffer(&entry, repo, text, len), 0);
	}
	if (mode)
		ck_assert_int_eq(git_treebuilder_insert(NULL, tb, ".gitsandbox", &entry, mode), 0);
	ck_assert_int_eq(git_treebuilder_write(&tree_id, tb), 0);
	git_treebuilder_free(tb);
	ck_assert_int_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	ck_assert_int_eq(git_signature_new(&sig, "A U Thor", "author@example.com", 1112911993, 0), 0);
	ck_assert_int_eq(git_commit_create_v(&commit_id, repo, NULL, sig, sig, NULL, "test", tree, 0), 0);
	git_signature_free(sig);
	git_tree_free(tree);
	return xstrdup(git_oid_tostr_s(&commit_id));
}

/* config_load_commit of a commit with that .gitsandbox; errbuf gets why it failed */
static int load_commit(struct sb_config *cfg, const char *text, git_filemode_t mode)
{
	char *hex = commit_with(text, text ? strlen(text) : 0, mode);
	int ret = config_load_commit(cfg, repo, hex, "ktrdr");

	errbuf[0] = '\0';
	if (ret) {
		snprintf(errbuf, sizeof(errbuf), "%s", config_error());
		/* a failed load leaves nothing to free */
		ck_assert_ptr_null(cfg->file);
	} else {
		ck_assert_int_eq(strncmp(cfg->file, hex, 7), 0);
	}
	free(hex);
	return ret;
}

START_TEST(test_load_commit)
{
	struct sb_config cfg, here;
	git_config *c;

	/* the commit's file, not the worktree's uncommitted one */
	write_text(gsfile, "[port \"api\"]\nvar = API\nbase = 9000\n");
	ck_assert_int_eq(load_commit(&cfg, API, GIT_FILEMODE_BLOB), 0);
	ck_assert_int_eq(group(&cfg, "api")->base, 8000);
	ck_assert_int_eq(cfg.has_file, 1);
	ck_assert_ptr_nonnull(strstr(cfg.file, ":.gitsandbox"));
	/* the same bytes hash the same as from a worktree, so trust carries over */
	ck_assert_int_eq(load(&here, API), 0);
	ck_assert_str_eq(cfg.file_hash, here.file_hash);
	config_free(&here);
	config_set_worktree(&cfg, worktree);
	ck_assert_str_eq(cfg.file, gsfile);
	config_free(&cfg);

	/* no .gitsandbox in the commit: the defaults, like a worktree without one */
	ck_assert_int_eq(load_commit(&cfg, NULL, 0), 0);
	ck_assert_int_eq(cfg.has_file, 0);
	ck_assert_ptr_null(cfg.file_hash);
	ck_assert_uint_eq(cfg.nports, 0);
	ck_assert_str_eq(cfg.project, "ktrdr");
	config_free(&cfg);

	/* what a worktree's reader refuses, and a bad file named as the commit's */
	ck_assert_int_eq(load_commit(&cfg, "README", GIT_FILEMODE_LINK), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, ":.gitsandbox': it is a symbolic link"));
	ck_assert_int_eq(load_commit(&cfg, NULL, GIT_FILEMODE_TREE), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, ":.gitsandbox': it is not a regular file"));
	ck_assert_int_eq(load_commit(&cfg, NULL, GIT_FILEMODE_COMMIT), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, ":.gitsandbox': it is not a regular file"));
	ck_assert_int_eq(load_commit(&cfg, "[port \"api\"]\nvar = API\n", GIT_FILEMODE_BLOB), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, ":.gitsandbox': port.api.base is missing"));
	ck_assert_int_eq(load_commit(&cfg, "[include]\npath = x\n", GIT_FILEMODE_BLOB), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "cannot include other files"));
	ck_assert_int_eq(config_load_commit(&cfg, repo, "not-a-commit", "ktrdr"), -1);
	ck_assert_ptr_null(cfg.file);
	ck_assert_int_eq(config_load_commit(&cfg, repo, "0123456789012345678901234567890123456789", "ktrdr"), -1);
	ck_assert_ptr_nonnull(strstr(config_error(), "cannot read the commit 0123456789"));
	ck_assert_ptr_null(cfg.file);

	/* the user's layers go on top, as on a worktree's file */
	ck_assert_int_eq(git_repository_config(&c, repo), 0);
	ck_assert_int_eq(git_config_set_int64(c, "port.api.main", 8500), 0);
	git_config_free(c);
	ck_assert_int_eq(load_commit(&cfg, API, GIT_FILEMODE_BLOB_EXECUTABLE), 0);
	ck_assert_int_eq(group(&cfg, "api")->base, 8000);
	ck_assert_int_eq(group(&cfg, "api")->main, 8500);
	config_free(&cfg);
}
END_TEST

/* a blob beyond READ_FILE_MAX is refused before it is read */
START_TEST(test_load_commit_too_big)
{
	struct sb_config cfg;
	char *big = xcalloc(READ_FILE_MAX + 1, 1), *hex;

	memset(big, '#', READ_FILE_MAX + 1);
	hex = commit_with(big, READ_FILE_MAX + 1, GIT_FILEMODE_BLOB);
	free(big);
	ck_assert_int_eq(config_load_commit(&cfg, repo, hex, "ktrdr"), -1);
	ck_assert_ptr_nonnull(strstr(config_error(), ":.gitsandbox': it is larger than"));
	free(hex);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_port_formula);
	tcase_add_test(tc, test_spec_file);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_compose_files);
	tcase_add_test(tc, test_validation);
	tcase_add_test(tc, test_validate_direct);
	tcase_add_test(tc, test_needs_trust);
	tcase_add_test(tc, test_urls_and_env);
	tcase_add_test(tc, test_env_from_command_line);
	tcase_add_test(tc, test_parameters);
	tcase_add_test(tc, test_command_line_layer);
	tcase_add_test(tc, test_repo_config_layer);
	tcase_add_test(tc, test_load_commit);
	tcase_add_test(tc, test_load_commit_too_big);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
