# git-sandbox version
VERSION = 0.1.0

# paths
PREFIX ?= /usr/local
MANPREFIX ?= $(PREFIX)/share/man
BINDIR = $(PREFIX)/bin
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPLETIONDIR = $(PREFIX)/share/zsh/site-functions

# tools
CC ?= cc
AR ?= ar
PKG_CONFIG ?= pkg-config

# dependencies
PKGS = libgit2 inih libsodium jansson yaml-0.1
DEPS_CFLAGS = `$(PKG_CONFIG) --cflags $(PKGS)`
# http-parser and mbedTLS have no pkg-config file in Debian 12; libgit2
# loads both already, so talking to the engine costs no start-up time
API_LIBS = -lhttp_parser -lmbedtls -lmbedx509 -lmbedcrypto
DEPS_LIBS = `$(PKG_CONFIG) --libs $(PKGS)` $(API_LIBS)
CHECK_CFLAGS = `$(PKG_CONFIG) --cflags check`
CHECK_LIBS = `$(PKG_CONFIG) --libs check`

# flags: the project's own; CFLAGS, CPPFLAGS and LDFLAGS from the user add to them
SB_CPPFLAGS = -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" -Ilib
SB_CFLAGS = -std=c11 -Wall -Wextra -O2 -g $(DEPS_CFLAGS)
# --as-needed: each program loads only the libraries it uses (the dispatcher
# needs none of libgit2's fifteen)
SB_LDFLAGS = -Wl,--as-needed $(DEPS_LIBS)

# make check SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer
SANITIZE =
TEST_HOOKS =
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# make fuzz: libFuzzer harnesses (clang only), built in build-fuzz/, each run
# for FUZZ_TIME seconds
FUZZ_CC = clang
FUZZ_TIME = 60
FUZZ_CFLAGS = -std=c11 -Wall -Wextra -g -O1 -fno-omit-frame-pointer $(DEPS_CFLAGS)
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined

# make valgrind: the unit tests under valgrind
VALGRIND = valgrind
VALGRIND_FLAGS = -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
