# git-sandbox - worktrees, port slots and compose stacks for parallel work

include config.mk

# SANITIZE=1: ASan and UBSan; TEST_HOOKS=1: the fault-injection seam the
# tests use (lock.h: crash_point). Each combination builds in its own dir.
BUILD = build
ifeq ($(SANITIZE),1)
SB_CFLAGS += $(SAN_FLAGS)
SB_LDFLAGS += $(SAN_FLAGS)
BUILD := $(BUILD)-san
endif
ifeq ($(TEST_HOOKS),1)
SB_CPPFLAGS += -DSB_TEST_HOOKS
BUILD := $(BUILD)-test
endif

LIBSRC = $(wildcard lib/*.c)
LIBOBJ = $(LIBSRC:lib/%.c=$(BUILD)/lib/%.o)
LIBA = $(BUILD)/libsandbox.a
HDR = $(wildcard lib/*.h)

# one program, git-sandbox, with every command in it (git-sandbox/cmd.h);
# each git-sandbox-<cmd> is a hard link to it. The commands' objects are an
# archive the program and the command-table unit test share.
CMDSRC = $(wildcard git-sandbox/git-sandbox-*.c) git-sandbox/cmd.c git-sandbox/opts.c git-sandbox/mcptools.c
CMDOBJ = $(CMDSRC:git-sandbox/%.c=$(BUILD)/cmd/%.o)
CMDA = $(BUILD)/libcmds.a
CMDHDR = git-sandbox/cmd.h git-sandbox/opts.h git-sandbox/mcptools.h
CMDNAMES = $(patsubst git-sandbox/git-sandbox-%.c,%,$(wildcard git-sandbox/git-sandbox-*.c))
PROG = $(BUILD)/bin/git-sandbox

UNITSRC = $(wildcard t/unit/*.c)
UNITS = $(UNITSRC:t/unit/%.c=$(BUILD)/t/%)

# small programs the shell tests run (t/helper: a JSON checker, an MCP client)
HELPERSRC = $(wildcard t/helper/*.c)
HELPERS = $(HELPERSRC:t/helper/%.c=$(BUILD)/t/helper/%)

FUZZSRC = $(wildcard t/fuzz/fuzz_*.c)
FUZZERS = $(FUZZSRC:t/fuzz/%.c=build-fuzz/%)
FUZZOBJ = $(LIBSRC:lib/%.c=build-fuzz/lib/%.o)
FUZZLIBA = build-fuzz/libsandbox.a

MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)

all: $(PROG)

$(BUILD)/lib/%.o: lib/%.c $(HDR) config.mk
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BUILD)/cmd/%.o: git-sandbox/%.c $(HDR) $(CMDHDR) config.mk
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) -Igit-sandbox $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(CMDA): $(CMDOBJ)
	rm -f $@
	$(AR) rcs $@ $(CMDOBJ)

$(PROG): git-sandbox/git-sandbox.c $(CMDA) $(LIBA) $(HDR) $(CMDHDR)
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) -Igit-sandbox $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -o $@ $< $(CMDA) $(LIBA) $(SB_LDFLAGS) $(LDFLAGS)

$(BUILD)/t/%: t/unit/%.c t/unit/unit.h $(LIBA) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -o $@ $< $(LIBA) $(SB_LDFLAGS) $(CHECK_LIBS) $(LDFLAGS)

# the command table against the man pages and completion, and the option
# parser (command side: it exits 129) and the MCP server's tools (they run
# the commands): with the commands' archive
$(BUILD)/t/test_cmdtable $(BUILD)/t/test_opts $(BUILD)/t/test_mcp: $(BUILD)/t/%: t/unit/%.c t/unit/unit.h $(CMDA) $(LIBA) $(HDR) $(CMDHDR)
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) -Igit-sandbox $(CPPFLAGS) $(SB_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -o $@ $< $(CMDA) $(LIBA) $(SB_LDFLAGS) $(CHECK_LIBS) $(LDFLAGS)

$(BUILD)/t/helper/%: t/helper/%.c config.mk
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -o $@ $< $(SB_LDFLAGS) $(LDFLAGS)

# unit tests (Check), then the shell tests against a private install, all
# built with the test hooks; then the inputs that once broke a parser
check:
	$(MAKE) unit-check shell-check TEST_HOOKS=1 SANITIZE=$(SANITIZE)
	$(MAKE) fuzz-regress

unit-check: $(UNITS)
	@set -e; for u in $(UNITS); do echo "== $$u"; $$u; done

shell-check: all $(HELPERS)
	rm -rf $(BUILD)/inst
	$(MAKE) install DESTDIR= PREFIX=$(CURDIR)/$(BUILD)/inst SANITIZE=$(SANITIZE) TEST_HOOKS=$(TEST_HOOKS)
	cd t && GIT_SANDBOX_PREFIX=$(CURDIR)/$(BUILD)/inst \
		GIT_SANDBOX_TEST_HELPERS=$(CURDIR)/$(BUILD)/t/helper ./run-tests $(T)

# the shell tests that run a real Docker Compose, again under the compose v2
# plugin that .ci/deps fetches (make check uses the system's docker-compose)
COMPOSE_TESTS = t3200-mcp.sh t5000-docker.sh t5200-lint.sh t5300-compose-conventions.sh t6000-secrets.sh \
	t9000-concurrency.sh t9400-shared-engine.sh t9510-up-failures.sh t9600-port-truth.sh \
	t9700-remote-engine.sh t9800-podman.sh t9900-demo.sh
check-compose-v2:
	$(MAKE) shell-check TEST_HOOKS=1 SANITIZE=$(SANITIZE) T="$(COMPOSE_TESTS)" GIT_SANDBOX_TEST_COMPOSE=v2

# the unit tests (built with the test hooks, as for check) in one process
# each (CK_FORK=no), so valgrind sees every test; its report goes to a
# file, as tests may redirect stderr
valgrind:
	$(MAKE) unit-valgrind TEST_HOOKS=1

unit-valgrind: $(UNITS)
	@set -e; for u in $(UNITS); do echo "== valgrind $$u"; \
		CK_FORK=no $(VALGRIND) $(VALGRIND_FLAGS) --log-file=$$u.valgrind $$u || \
			{ cat $$u.valgrind >&2; exit 1; }; done

# libFuzzer: the library instrumented for coverage in build-fuzz/, never
# mixed with build/ or build-san/
build-fuzz/lib/%.o: lib/%.c $(HDR) config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CFLAGS) -c -o $@ $<

$(FUZZLIBA): $(FUZZOBJ)
	rm -f $@
	$(AR) rcs $@ $(FUZZOBJ)

build-fuzz/fuzz_%: t/fuzz/fuzz_%.c t/fuzz/fuzz.h $(FUZZLIBA) $(HDR)
	$(FUZZ_CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $(CFLAGS) -o $@ $< $(FUZZLIBA) $(SB_LDFLAGS) $(LDFLAGS)

fuzz-cc:
	@command -v $(FUZZ_CC) >/dev/null || { \
		echo "fatal: '$(FUZZ_CC)' not found: the fuzz harnesses need clang with libFuzzer (see .ci/deps)" >&2; \
		exit 1; }

# fuzz each parser for FUZZ_TIME seconds; what breaks one lands in
# t/fuzz/regressions/<parser>/ (commit it with the fix)
fuzz: fuzz-cc $(FUZZERS)
	@set -e; for f in $(FUZZERS); do p=$${f#build-fuzz/fuzz_}; \
		mkdir -p build-fuzz/corpus/$$p t/fuzz/regressions/$$p; \
		echo "== fuzz $$p ($(FUZZ_TIME)s)"; \
		$$f -max_total_time=$(FUZZ_TIME) -timeout=10 -close_fd_mask=3 -print_final_stats=1 \
			-artifact_prefix=t/fuzz/regressions/$$p/ \
			build-fuzz/corpus/$$p t/fuzz/corpus/$$p; done

# replay the seeds and every saved crash through its harness, once each
fuzz-regress: fuzz-cc $(FUZZERS)
	@set -e; for f in $(FUZZERS); do p=$${f#build-fuzz/fuzz_}; \
		set -- $$(find t/fuzz/corpus/$$p t/fuzz/regressions/$$p -type f 2>/dev/null | sort); \
		if [ $$# -eq 0 ]; then echo "fatal: no inputs for $$f in t/fuzz/corpus/$$p" >&2; exit 1; fi; \
		echo "== fuzz-regress $$p ($$# inputs)"; \
		$$f -timeout=10 "$$@" 2>build-fuzz/regress-$$p.log || { cat build-fuzz/regress-$$p.log >&2; exit 1; }; done

# timings against git and docker, into bench/RESULTS (BENCH_RUNS=n)
bench: all
	rm -rf $(BUILD)/bench-inst
	$(MAKE) install DESTDIR= PREFIX=$(CURDIR)/$(BUILD)/bench-inst SANITIZE=$(SANITIZE)
	sh bench/bench.sh $(BUILD)/bench-inst bench/RESULTS

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(ZSHCOMPLETIONDIR)
	cp -f $(PROG) $(DESTDIR)$(BINDIR)/git-sandbox
	chmod 755 $(DESTDIR)$(BINDIR)/git-sandbox
	for c in $(CMDNAMES); do ln -f $(DESTDIR)$(BINDIR)/git-sandbox $(DESTDIR)$(BINDIR)/git-sandbox-$$c; done
	for m in $(MAN1); do sed "s/@VERSION@/$(VERSION)/g" $$m > $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; done
	for m in $(MAN5); do sed "s/@VERSION@/$(VERSION)/g" $$m > $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; done
	cp -f contrib/completion/git-sandbox.bash $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	chmod 644 $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	cp -f contrib/completion/_git-sandbox $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox
	chmod 644 $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/git-sandbox
	for c in $(CMDNAMES); do rm -f $(DESTDIR)$(BINDIR)/git-sandbox-$$c; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; done
	rm -f $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	rm -f $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox

clean:
	rm -rf build build-san build-test build-san-test build-fuzz

.PHONY: all check unit-check shell-check check-compose-v2 valgrind unit-valgrind fuzz fuzz-cc fuzz-regress bench install uninstall clean
