/*
 * Module signature robustness, in QEMU as root: the signed hello module
 * truncated at every length, and with one byte flipped anywhere in the
 * manifest, signature and trailer (and at a sample of payload offsets),
 * must be refused by init_module; the intact file must load and unload.
 * Not part of "all" (it needs Basalt's modules): run as basalt.test=modsig.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tap.h"

#define MODULE "/lib/modules/hello.ko"
#define TAIL 1024			/* covers manifest + signature + trailer */

static unsigned char *data;
static size_t len;

static long load(const void *p, size_t n)
{
	return syscall(SYS_init_module, p, n, "");
}

static void read_module(void)
{
	FILE *f = fopen(MODULE, "rb");

	REQUIRE(f != NULL);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	data = malloc(len);
	REQUIRE(data && fread(data, 1, len, f) == len);
	fclose(f);
}

static void every_truncation_refused(void)
{
	size_t accepted = 0;

	for (size_t n = 0; n < len; n++) {
		if (load(data, n) == 0) {
			accepted++;
			syscall(SYS_delete_module, "hello", 0);
		}
	}
	CHECK_EQ(accepted, 0);
}

static void every_flip_refused(void)
{
	size_t accepted = 0, tried = 0;

	for (size_t i = 0; i < len; i += (i + TAIL >= len ? 1 : 97)) {
		data[i] ^= 0x01;
		if (load(data, len) == 0) {
			accepted++;
			fprintf(stderr, "# flip at %zu accepted\n", i);
			syscall(SYS_delete_module, "hello", 0);
		}
		data[i] ^= 0x01;
		tried++;
	}
	printf("# %zu single-byte flips tried\n", tried);
	CHECK_EQ(accepted, 0);
}

static void intact_loads(void)
{
	CHECK_EQ(load(data, len), 0);
	CHECK_EQ(syscall(SYS_delete_module, "hello", 0), 0);
	/* and only root may load */
}

int main(int argc, char **argv)
{
	tap_init("modsig", argv[0], 0);
	read_module();
	klogctl(8, NULL, 1);		/* thousands of refusals: keep the console quiet */
	RUN(every_truncation_refused);
	RUN(every_flip_refused);
	klogctl(8, NULL, 7);
	RUN(intact_loads);
	return tap_done();
}
