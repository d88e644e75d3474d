# git-sandbox - worktrees, port slots and compose stacks for parallel work
# See LICENSE file for copyright and license details.

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

CMDSRC = $(wildcard git-sandbox/*.c)
CMDS = $(CMDSRC:git-sandbox/%.c=$(BUILD)/bin/%)

UNITSRC = $(wildcard t/unit/*.c)
UNITS = $(UNITSRC:t/unit/%.c=$(BUILD)/t/%)

MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)

all: $(CMDS)

$(BUILD)/lib/%.o: lib/%.c $(HDR) config.mk
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BUILD)/bin/%: git-sandbox/%.c $(LIBA) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CFLAGS) -o $@ $< $(LIBA) $(SB_LDFLAGS) $(LDFLAGS)

$(BUILD)/t/%: t/unit/%.c $(LIBA) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(SB_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -o $@ $< $(LIBA) $(SB_LDFLAGS) $(CHECK_LIBS) $(LDFLAGS)

# unit tests (Check), then the shell tests against a private install, all
# built with the test hooks
check:
	$(MAKE) unit-check shell-check TEST_HOOKS=1 SANITIZE=$(SANITIZE)

unit-check: $(UNITS)
	@set -e; for u in $(UNITS); do echo "== $$u"; $$u; done

shell-check: all
	rm -rf $(BUILD)/inst
	$(MAKE) install DESTDIR= PREFIX=$(CURDIR)/$(BUILD)/inst SANITIZE=$(SANITIZE) TEST_HOOKS=$(TEST_HOOKS)
	cd t && GIT_SANDBOX_PREFIX=$(CURDIR)/$(BUILD)/inst ./run-tests $(T)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(ZSHCOMPLETIONDIR)
	for c in $(CMDS); do cp -f $$c $(DESTDIR)$(BINDIR)/ && chmod 755 $(DESTDIR)$(BINDIR)/$${c##*/}; done
	for m in $(MAN1); do sed "s/@VERSION@/$(VERSION)/g" $$m > $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; done
	for m in $(MAN5); do sed "s/@VERSION@/$(VERSION)/g" $$m > $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; done
	cp -f contrib/completion/git-sandbox.bash $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	chmod 644 $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	cp -f contrib/completion/_git-sandbox $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox
	chmod 644 $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(BINDIR)/$${c##*/}; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; done
	rm -f $(DESTDIR)$(COMPLETIONDIR)/git-sandbox
	rm -f $(DESTDIR)$(ZSHCOMPLETIONDIR)/_git-sandbox

clean:
	rm -rf build build-san build-test build-san-test

.PHONY: all check unit-check shell-check install uninstall clean
