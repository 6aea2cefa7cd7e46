# bench.mk: the benchmark targets, included at the end of the top Makefile.
# Both boot the ISO's kernel and initramfs in QEMU through scripts/bench and
# write build/bench/results.{json,md,png}; docs/bench.md explains them.
#
#   make bench          syscall-lat and the macro workload (a busybox script
#                       on ext2) on Basalt, monolithic and under /bin/mkrun
#                       (n/a until this build has it), under plain TCG (times)
#                       and -icount (instruction counts, booted twice to check
#                       they repeat), plus Linux and Linux mitigations=off
#                       when a Debian kernel is already at hand, then the
#                       cost of confinement (as make bench-confinement)
#   make bench-linux    the same, fetching Debian's linux-image-amd64 kernel
#                       and its disk modules into build/linux/ if needed
#                       (nothing is installed)
#   make bench-scaling  N processes at -smp 1, 2 and 4 under multi-threaded
#                       TCG, speed-up over one CPU (build/bench/scaling.md);
#                       Linux too when a kernel is at hand
#   make bench-confinement  what confining DMA costs: edu DMA round trips and
#                       ext2/raw-disk throughput with QEMU's intel-iommu and
#                       without, under -icount and TCG (build/bench/confinement.md);
#   make bench-smp-cost what SMP support costs on one CPU: this kernel and the
#                       same sources with CONFIG_SMP=n (built in build/smp-n)
#                       under -icount -smp 1 (build/bench/smp-cost.md);
#   BENCH_ARGS=...      more scripts/bench options, e.g. --samples 5000

BENCH_ARGS ?=

.PHONY: bench bench-linux bench-scaling bench-smp-cost bench-confinement
bench-confinement: all
	$(Q)$(PYTHON) scripts/bench --confinement --linux=no $(BENCH_ARGS)

# make bench also measures the cost of confinement (build/bench/confinement.md)
bench: all
	$(Q)$(PYTHON) scripts/bench --linux=auto $(BENCH_ARGS)
	$(Q)$(PYTHON) scripts/bench --confinement --linux=no

bench-linux: all
	$(Q)$(PYTHON) scripts/bench --linux=yes $(BENCH_ARGS)

bench-scaling: all
	$(Q)$(PYTHON) scripts/bench --scaling --linux=auto $(BENCH_ARGS)

# The CONFIG_SMP=n twin: this configuration with SMP off, and this build's
# id, so the modules in the shared initramfs load into both kernels. The
# wanted configuration is kept apart (.want), since Kconfig rewrites the
# one it reads, and copied only when it changes, so nothing rebuilds twice.
SMPN := $(B)/smp-n
.PHONY: smp-n-kernel
smp-n-kernel: all
	@mkdir -p $(SMPN)
	$(Q)cmp -s $(B)/build_id $(SMPN)/build_id || cp $(B)/build_id $(SMPN)/build_id
	$(Q)(grep -v '^CONFIG_SMP=\|^# CONFIG_SMP is not set' $(KCONFIG_CONFIG); \
	     echo '# CONFIG_SMP is not set') > $(SMPN).want.new
	$(Q)if cmp -s $(SMPN).want.new $(SMPN).want; then rm $(SMPN).want.new; else \
	     mv $(SMPN).want.new $(SMPN).want && cp $(SMPN).want $(SMPN).config; fi
	$(Q)$(MAKE) --no-print-directory B=$(SMPN) KCONFIG_CONFIG=$(SMPN).config $(SMPN)/basalt.elf

bench-smp-cost: smp-n-kernel
	$(Q)$(PYTHON) scripts/bench --smp-cost $(SMPN)/basalt.elf --linux=no $(BENCH_ARGS)
