# Basalt top-level Makefile: non-recursive. Each folder contributes a
# Makefile fragment that appends objects to obj-y (or obj-$(CONFIG_X));
# everything is built into build/. `make V=1` shows full commands.

VERSION      := 0.1.0
KERNELRELEASE := $(VERSION)
PYTHON       := /usr/bin/python3
CC           ?= gcc
ifeq ($(origin CC),default)
CC           := gcc
endif
LD           := ld
NASM         := nasm
OBJCOPY      := objcopy
NM           := nm
B            := build

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

.DEFAULT_GOAL := all

# e2fsprogs (mke2fs, e2fsck, debugfs) live in /sbin, which a user's PATH may lack
export PATH := $(PATH):/usr/sbin:/sbin

# --- dependencies ------------------------------------------------------------
# On a fresh Debian machine the first make installs what is missing (the
# configuration step below already needs python3-kconfiglib).
DEPS_MISSING := $(shell for t in nasm grub-mkrescue xorriso mformat qemu-system-x86_64 musl-gcc \
	cpio openssl mke2fs e2fsck debugfs cppcheck; do command -v $$t >/dev/null || echo $$t; done; \
	[ -x /bin/busybox ] || echo busybox-static; \
	$(PYTHON) -c 'import kconfiglib' 2>/dev/null || echo python3-kconfiglib; \
	[ -e /usr/share/OVMF/OVMF_CODE.fd ] || echo ovmf)
ifneq ($(strip $(DEPS_MISSING)),)
ifneq ($(filter-out clean distclean,$(or $(MAKECMDGOALS),all)),)
$(info make: missing $(strip $(DEPS_MISSING)); running scripts/install-deps.sh)
DEPS_STATUS := $(shell sh scripts/install-deps.sh >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error scripts/install-deps.sh failed; install the packages it names and retry)
endif
endif
endif

# --- configuration ---------------------------------------------------------
# A fresh checkout builds with no config step: the first build copies the
# defconfig. Generated header and make-readable config live in build/.
# KCONFIG_CONFIG and B may name another configuration and build folder
# (make bench-smp-cost builds a CONFIG_SMP=n kernel beside the usual one).
KCONFIG_CONFIG ?= .config
KCONFIG_ENV := KCONFIG_CONFIG=$(KCONFIG_CONFIG) srctree=. KERNELVERSION=$(VERSION)
DEFCONFIG   := arch/x86/configs/defconfig

$(KCONFIG_CONFIG):
	$(quiet) DEFCONFIG $(DEFCONFIG)
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig $(DEFCONFIG) >/dev/null

$(B)/include/generated/autoconf.h $(B)/config.mk: $(KCONFIG_CONFIG) $(shell find . -name Kconfig -not -path './build/*')
	$(quiet) GEN autoconf.h
	@mkdir -p $(B)/include/generated
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig >/dev/null
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m genconfig Kconfig \
		--header-path $(B)/include/generated/autoconf.h \
		--config-out $(B)/config.mk
	@touch $(B)/include/generated/autoconf.h $(B)/config.mk

.PHONY: defconfig menuconfig olddefconfig savedefconfig
defconfig:
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig $(DEFCONFIG)
menuconfig:
	$(Q)$(KCONFIG_ENV) MENUCONFIG_STYLE=aquatic $(PYTHON) -m menuconfig Kconfig
olddefconfig:
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig
savedefconfig:
	$(Q)$(KCONFIG_ENV) $(PYTHON) -m savedefconfig --kconfig Kconfig --out $(DEFCONFIG)

# Targets that don't need the config (so `make clean` never creates one).
NOCONFIG_GOALS := clean distclean defconfig menuconfig olddefconfig savedefconfig deps host-tests
ifneq ($(filter-out $(NOCONFIG_GOALS),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all)),)
-include $(B)/config.mk
endif

# --- flags -----------------------------------------------------------------
WERROR ?= $(if $(CI),-Werror,)
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf -nostdlib \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fno-common -ffunction-sections \
	-Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla $(WERROR) \
	-I. -Iarch/x86/include -I$(B)/include \
	-include $(B)/include/generated/autoconf.h \
	-DBASALT_VERSION='"$(VERSION)"' -MMD -MP -fdebug-prefix-map=$(CURDIR)=.
ifeq ($(CONFIG_STACKPROTECTOR),y)
CFLAGS += -fstack-protector-strong -mstack-protector-guard=global
else
CFLAGS += -fno-stack-protector
endif
NASMFLAGS := -f elf64 -g -F dwarf -Iarch/x86/include/asm/
# the syscall entry's inline dispatch tests the BKL only when SMP is built in
NASMFLAGS += $(if $(filter y,$(CONFIG_SMP)),-DCONFIG_SMP)
LIBGCC    := $(shell $(CC) -print-libgcc-file-name)
LDFLAGS   := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# --- objects ---------------------------------------------------------------
SIGN_KEY   := keys/signing_key.pem
THIRDPARTY_KEY := keys/thirdparty_key.pem
# (the quotes of Kconfig strings dropped; subst, since a list has several words)
THIRDPARTY_GRANTS := $(subst ",,$(CONFIG_MODULE_SIG_THIRDPARTY_GRANTS))
EXTRA_KEYS := $(subst ",,$(CONFIG_MODULE_SIG_EXTRA_KEYS))
obj-y :=
include arch/x86/Makefile
include kernel/Makefile
include mm/Makefile
include lib/Makefile
include drivers/Makefile
include fs/Makefile
include modules/Makefile
include user/Makefile

OBJS := $(addprefix $(B)/,$(obj-y))
DEPS := $(OBJS:.o=.d)
-include $(DEPS)

$(B)/%.o: %.c $(B)/include/generated/autoconf.h
	$(quiet) CC $<
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.asm $(B)/include/generated/autoconf.h
	$(quiet) AS $<
	@mkdir -p $(dir $@)
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MT $@ $< -o $@

# --- link: two passes so the kernel carries its own symbol table ----------
# Pass 1 links with an empty table; its text symbols become build/ksyms.c,
# which lands in .ksyms after everything else, so no symbol moves in pass 2
# (scripts/gen-ksyms checks that).
LDSCRIPT := arch/x86/kernel.ld

# The syscall dispatch and name tables, from the one list in kernel/syscalls.tbl.
$(B)/syscall_table.c $(B)/include/generated/syscall_count.h: kernel/syscalls.tbl scripts/gen-syscalls
	$(quiet) GEN $(B)/syscall_table.c
	@mkdir -p $(B)/include/generated
	$(Q)$(PYTHON) scripts/gen-syscalls $< $(B)/include/generated/syscall_count.h > $(B)/syscall_table.c

$(B)/arch/x86/kernel/syscall.o: $(B)/include/generated/syscall_count.h

# --- module signing keys and the kernel's build id ------------------------------
# The signing key is made on the first build, kept out of git (keys/) and out
# of the ISO; its public half is compiled in as a trusted key that grants
# every entitlement. The third-party key, made the same way, is for modules
# built by others: it (and every key in CONFIG_MODULE_SIG_EXTRA_KEYS) grants
# only CONFIG_MODULE_SIG_THIRDPARTY_GRANTS. The build id binds modules to
# this kernel build: sign-module writes it in the manifest.

$(SIGN_KEY) $(THIRDPARTY_KEY):
	$(quiet) GENKEY $@
	@mkdir -p keys
	$(Q)openssl genpkey -algorithm ed25519 -out $@ 2>/dev/null
	@chmod 600 $@

$(B)/build_id:
	@mkdir -p $(B)
	$(Q)openssl rand -hex 16 > $@

$(B)/kernel_build_id.c: $(B)/build_id
	$(quiet) GEN $@
	$(Q)printf '/* generated */\nconst char kernel_build_id[] = "%s";\n' "$$(cat $<)" > $@

$(B)/trusted_keys.c: $(SIGN_KEY) $(THIRDPARTY_KEY) $(EXTRA_KEYS) scripts/gen-trusted-keys \
		$(B)/config.mk
	$(quiet) GEN $@
	$(Q)$(PYTHON) scripts/gen-trusted-keys --grants all $(SIGN_KEY) \
		--grants "$(THIRDPARTY_GRANTS)" $(THIRDPARTY_KEY) $(EXTRA_KEYS) > $@.tmp && mv $@.tmp $@

$(B)/ksyms0.o $(B)/ksyms.o $(B)/syscall_table.o $(B)/kernel_build_id.o $(B)/trusted_keys.o: $(B)/%.o: $(B)/%.c
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/ksyms0.c:
	@mkdir -p $(B)
	$(Q)$(PYTHON) scripts/gen-ksyms --empty > $@

$(B)/basalt.pass1.elf: $(OBJS) $(B)/ksyms0.o $(LDSCRIPT)
	$(quiet) LD $@
	$(Q)$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(OBJS) $(EXTRA_OBJS) $(B)/ksyms0.o $(LIBGCC)

$(B)/ksyms.c: $(B)/basalt.pass1.elf scripts/gen-ksyms
	$(quiet) KSYMS $@
	$(Q)$(NM) -n -S --defined-only $< | $(PYTHON) scripts/gen-ksyms > $@

$(B)/basalt.elf: $(OBJS) $(B)/ksyms.o $(LDSCRIPT)
	$(quiet) LD $@
	$(Q)$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(OBJS) $(EXTRA_OBJS) $(B)/ksyms.o $(LIBGCC)
	$(Q)$(NM) -n -S --defined-only $@ | $(PYTHON) scripts/gen-ksyms --check $(B)/basalt.pass1.elf

# --- ISO -------------------------------------------------------------------
CMDLINE ?= $(CONFIG_DEFAULT_CMDLINE)
ISO_ROOT := $(B)/isoroot

$(B)/grub.cfg: scripts/mkgrubcfg $(B)/config.mk FORCE
	@mkdir -p $(B)
	$(Q)$(PYTHON) scripts/mkgrubcfg --cmdline "$(CMDLINE)" $(if $(INITRAMFS),--initramfs) > $@.tmp
	$(Q)cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(B)/basalt.iso: $(B)/basalt.elf $(B)/grub.cfg $(INITRAMFS)
	$(quiet) ISO $@
	@rm -rf $(ISO_ROOT) && mkdir -p $(ISO_ROOT)/boot/grub
	$(Q)$(OBJCOPY) --strip-debug $(B)/basalt.elf $(ISO_ROOT)/boot/basalt.elf	# gdb uses build/
	$(Q)$(if $(INITRAMFS),cp $(INITRAMFS) $(ISO_ROOT)/boot/initramfs.cpio)
	$(Q)cp $(B)/grub.cfg $(ISO_ROOT)/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(ISO_ROOT) >$(B)/grub-mkrescue.log 2>&1 || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

.PHONY: all kernel iso run debug test host-tests deps clean distclean FORCE
FORCE:
all: $(B)/basalt.iso
kernel: $(B)/basalt.elf
iso: $(B)/basalt.iso

# Install (or check) every Debian package the project uses.
deps:
	$(Q)sh scripts/install-deps.sh

# make run: serial console on this terminal; GUI=1 opens a window.
# SHARE=dir shares a host folder (default build/) as 9p mount tag "host";
# QEMU_ARGS='...' appends QEMU arguments; CPUS=N sets the virtual CPUs
# (default 2). run-qemu reads them from the environment, where make puts
# them whether given before or after "make".
export SHARE QEMU_ARGS CPUS IOMMU
run: all
	$(Q)$(PYTHON) scripts/run-qemu --iso $(B)/basalt.iso $(if $(GUI),--gui) $(if $(UEFI),--uefi)

debug: all
	$(Q)$(PYTHON) scripts/run-qemu --iso $(B)/basalt.iso --debug $(if $(GUI),--gui)

include tests/host/Makefile

test: all host-tests smp-n-kernel
	$(Q)$(PYTHON) scripts/run-tests

clean:
ifeq ($(M),)
	rm -rf $(B)
else
	rm -f $(patsubst %/,%,$(M))/*.o $(patsubst %/,%,$(M))/*.d $(patsubst %/,%,$(M))/*.ko $(patsubst %/,%,$(M))/*.unsigned
endif
distclean: clean
	rm -f .config .config.old

# make bench, make bench-linux
include bench.mk
