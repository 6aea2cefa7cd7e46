# bench.mk: the benchmark targets, included at the end of the top Makefile.
# Both boot the ISO's kernel and initramfs in QEMU through scripts/bench and
# write build/bench/results.{json,md,png}; docs/bench.md explains them.
#
#   make bench          Basalt under plain TCG (times) and -icount (instruction
#                       counts, booted twice to check they repeat), plus Linux
#                       when a Debian kernel is already at hand
#   make bench-linux    the same, fetching Debian's linux-image-amd64 kernel
#                       into build/linux/ if needed (nothing is installed)
#   make bench-scaling  N processes at -smp 1, 2 and 4 under multi-threaded
#                       TCG, speed-up over one CPU (build/bench/scaling.md);
#                       Linux too when a kernel is at hand
#   BENCH_ARGS=...      more scripts/bench options, e.g. --samples 5000

BENCH_ARGS ?=

.PHONY: bench bench-linux bench-scaling
bench: all
	$(Q)$(PYTHON) scripts/bench --linux=auto $(BENCH_ARGS)

bench-linux: all
	$(Q)$(PYTHON) scripts/bench --linux=yes $(BENCH_ARGS)

bench-scaling: all
	$(Q)$(PYTHON) scripts/bench --scaling --linux=auto $(BENCH_ARGS)
