# SPDX-License-Identifier: GPL-2.0-or-later
# Build one static binary, passt; pasta is a link to it.

CC ?= gcc
prefix ?= /usr/local
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
mandir ?= $(prefix)/share/man
man1dir ?= $(mandir)/man1

# Version: the most recent tag (with commits since and hash if past it),
# else the commit's date and short hash, 2026_12_04.24bf1ca; without git, a
# fixed date-shaped string that sorts before any real one. Packagers may set
# VERSION themselves.
ifeq ($(origin VERSION),undefined)
VERSION := $(shell (git describe --tags 2>/dev/null || \
		    git log -1 --format=%cd.%h --date=format:%Y_%m_%d \
		    2>/dev/null) | grep . || echo 0000_00_00.unknown)
endif

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(CI),true)
WARNINGS += -Werror
endif
ifneq ($(WERROR),)
WARNINGS += -Werror
endif
# SECCOMP_DEBUG=1: a blocked system call is named on stderr (SIGSYS) instead
# of killing the process silently
ifeq ($(SECCOMP_DEBUG),1)
WARNINGS += -DSECCOMP_DEBUG
endif

HASH := \#

# Kernel headers (linux/, asm/, asm-generic/): a C library other than glibc
# may come without them, as Debian's musl-gcc, which doesn't look in
# /usr/include. KERNEL_HEADERS=DIR names a directory holding the three; if
# unset and $(CC) can't find them, links to the build machine's own
# (linux-libc-dev) are made in .kernel-headers/, leaving out the rest of
# /usr/include: glibc's headers must not mix with another C library's.
ifeq ($(origin KERNEL_HEADERS),undefined)
ifneq ($(shell echo '$(HASH)include <linux/if_ether.h>' | \
	       $(CC) -E -x c - >/dev/null 2>&1 || echo missing),)
KHDR_ARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
ifeq ($(wildcard /usr/include/linux/if_ether.h \
		 /usr/include/$(KHDR_ARCH)/asm/types.h),)
$(warning $(CC) finds no kernel headers: install linux-libc-dev, or set \
	  KERNEL_HEADERS to a directory holding linux/, asm/, asm-generic/)
else
KERNEL_HEADERS := $(CURDIR)/.kernel-headers
$(shell mkdir -p .kernel-headers && \
	ln -sfn /usr/include/linux .kernel-headers/linux && \
	ln -sfn /usr/include/asm-generic .kernel-headers/asm-generic && \
	ln -sfn /usr/include/$(KHDR_ARCH)/asm .kernel-headers/asm)
endif
endif
endif
KHDR_CFLAGS := $(if $(KERNEL_HEADERS),-isystem $(KERNEL_HEADERS))

# Static PIE if the toolchain links one for real, else -static: cross C
# libraries without rcrt1.o can't, and Debian's musl-gcc gives a dynamically
# linked binary for -static-pie (it has a program interpreter). One trivial
# program is linked to tell; STATIC_LDFLAGS=... skips the test.
ifeq ($(origin STATIC_LDFLAGS),undefined)
ifeq ($(SANITIZE),)
STATIC_LDFLAGS := $(shell t=$$(mktemp) && \
	echo 'int main(void) { return 0; }' | \
	$(CC) -x c -fPIE -static-pie -o "$$t" - >/dev/null 2>&1 && \
	readelf -lW "$$t" 2>/dev/null | grep -q 'Program Headers' && \
	! readelf -lW "$$t" | grep -q INTERP && s=-static-pie || s=-static; \
	rm -f "$$t"; echo $$s)
ifeq ($(STATIC_LDFLAGS),-static)
$(info note: $(CC) can't link a static PIE, linking -static instead)
endif
endif
endif

BASE_CFLAGS := -std=gnu11 -O2 -g -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
	       -fstack-protector-strong -fPIE -pipe \
	       -DPASST_VERSION='"$(VERSION)"' $(KHDR_CFLAGS)
override CFLAGS += $(BASE_CFLAGS) $(WARNINGS)
LDFLAGS += -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack

# SANITIZE=undefined or SANITIZE=address,undefined: instrumented build of the
# program and test binaries, linked dynamically (the sanitizer runtimes need
# it); PASST_SANITIZE tells the sandbox to leave out the seccomp filter.
# Run "make clean" when switching: objects don't record how they were built.
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer -DPASST_SANITIZE
LDFLAGS += -pie
else
LDFLAGS += $(STATIC_LDFLAGS)
endif

# passt-repair.c is a program of its own (passt-repair), not part of passt
SRCS := $(sort $(filter-out passt-repair.c,$(wildcard *.c)))
HDRS := $(sort $(wildcard *.h) seccomp.h)
OBJS := $(SRCS:.c=.o)
LIB_OBJS := $(filter-out passt.o,$(OBJS))

UNIT_SRCS := $(sort $(wildcard test/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:.c=)
HELPER_SRCS := $(sort $(wildcard test/helpers/*.c))
HELPER_BINS := $(HELPER_SRCS:.c=)

.PHONY: all clean install uninstall check unit lint layers bench seccomp-report \
	contrib-check fuzz sanitize-check

# libFuzzer targets (test/fuzz/): clang with sanitizers, objects of their own
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := test/fuzz/build
FUZZ_SRCS := $(sort $(wildcard test/fuzz/*.c))
FUZZ_BINS := $(patsubst test/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(SRCS))
# Alignment is checked too (FUZZ_SAN_ALIGN=-fno-sanitize=alignment to not)
FUZZ_SAN_ALIGN ?=
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    $(FUZZ_SAN_ALIGN)
FUZZ_CFLAGS := -std=gnu11 -O1 -g -D_GNU_SOURCE -DPASST_VERSION='"fuzz"' \
	       -fno-omit-frame-pointer $(FUZZ_SAN) -Wall -Wextra \
	       -Wno-missing-field-initializers -I.

all: passt pasta passt-repair

passt: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDFLAGS)

pasta: passt
	ln -sf passt pasta

# The TCP_REPAIR helper for migration: built as passt is, static
passt-repair: passt-repair.c repair_proto.h
	$(CC) $(CFLAGS) -o $@ passt-repair.c $(LDFLAGS)

# The seccomp filters, from the #syscalls annotations next to the code
seccomp.h: seccomp.sh $(filter-out seccomp.h,$(HDRS)) $(SRCS)
	CC="$(CC) $(KHDR_CFLAGS)" sh seccomp.sh $@ $(SRCS) $(filter-out seccomp.h,$(HDRS))

seccomp-report: seccomp.sh
	@CC="$(CC) $(KHDR_CFLAGS)" sh seccomp.sh --report $(SRCS) $(filter-out seccomp.h,$(HDRS))

%.o: %.c $(HDRS)
	$(CC) $(CFLAGS) -c -o $@ $<

# Unit tests are linked as the program is (static): on other architectures
# they run under qemu-user, without the target's dynamic loader at hand.
# Helpers stay dynamic: some resolve names, which static glibc can't.
test/unit/%: test/unit/%.c $(wildcard test/unit/*.h) $(LIB_OBJS) $(HDRS)
	$(CC) $(CFLAGS) -I. -o $@ $< $(LIB_OBJS) $(LDFLAGS)

test/helpers/%: test/helpers/%.c $(LIB_OBJS) $(HDRS)
	$(CC) $(CFLAGS) -I. -o $@ $< $(LIB_OBJS)

unit: $(UNIT_BINS)

.SECONDARY: $(FUZZ_OBJS)

# main() of passt.c gives way to libFuzzer's
$(FUZZ_BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Dmain=passt_main \
		-c -o $@ $<

# conf() exits on bad options: that target catches exit() at link time
$(FUZZ_BUILD)/conf: FUZZ_LDFLAGS := -Wl,--wrap=exit

$(FUZZ_BUILD)/%: test/fuzz/%.c test/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
		$(FUZZ_LDFLAGS)

fuzz: $(FUZZ_BINS)
	@bash test/fuzz/run.sh $(FUZZ_SECONDS) $(notdir $(FUZZ_BINS))

check: all $(UNIT_BINS) $(HELPER_BINS)
	@bash test/run.sh

lint: seccomp.h
	@bash test/lint.sh $(SRCS)
	@sh test/includes.sh -q

# The include graph: floors, cycles, back-up arrows, oversized files
layers:
	@sh test/includes.sh

contrib-check:
	@bash test/contrib_check.sh

# Instrumented build (ASan, UBSan), then the tests that feed it guest input
sanitize-check:
	@bash test/sanitize.sh

bench: all $(HELPER_BINS)
	@bash test/perf/bench.sh

# pasta is installed as a copy, not a link: AppArmor profiles attach to
# the path executed (a symbolic link resolves to passt), SELinux labels
# the inode (a hard link shares passt's): see contrib/README.md. The one
# manual, passt.1, serves pasta through a .so page, relative to the top of
# the manual tree as man(1) wants it once installed.
install: passt pasta passt.1 passt-repair passt-repair.1
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(man1dir)
	install -m 755 passt $(DESTDIR)$(bindir)/passt
	rm -f $(DESTDIR)$(bindir)/pasta
	install -m 755 passt $(DESTDIR)$(bindir)/pasta
	install -m 644 passt.1 $(DESTDIR)$(man1dir)
	install -m 755 passt-repair $(DESTDIR)$(bindir)/passt-repair
	install -m 644 passt-repair.1 $(DESTDIR)$(man1dir)
	rm -f $(DESTDIR)$(man1dir)/pasta.1
	echo '.so man1/passt.1' > $(DESTDIR)$(man1dir)/pasta.1
	chmod 644 $(DESTDIR)$(man1dir)/pasta.1

uninstall:
	rm -f $(DESTDIR)$(bindir)/passt $(DESTDIR)$(bindir)/pasta
	rm -f $(DESTDIR)$(man1dir)/passt.1 $(DESTDIR)$(man1dir)/pasta.1
	rm -f $(DESTDIR)$(bindir)/passt-repair \
	      $(DESTDIR)$(man1dir)/passt-repair.1

clean:
	rm -f passt pasta passt-repair *.o seccomp.h $(UNIT_BINS) $(HELPER_BINS)
	rm -rf $(FUZZ_BUILD) .kernel-headers
