/*
 * Host tests of the module linker core (kernel/module/elf.c): a small
 * module is compiled here with the kernel's code model, then parsed,
 * laid out, linked at a kernel-like address and checked relocation by
 * relocation; malformed and out-of-range inputs must be refused, every
 * unresolved symbol named once, and a bounded random mutation fuzz must
 * never crash (ASan/UBSan watch).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "tests/host/test.h"
#include "../../kernel/module/elf.c"

#define BASE		0xffffffffa0000000ULL
#define FAKE_PRINTK	0xffffffff80123450ULL
#define FAKE_DATA	0xffffffff80200000ULL

static uint8_t *obj;
static size_t obj_len;

static const char *module_src =
	"extern int printk(const char *fmt, ...);\n"
	"extern int kernel_counter;\n"
	"static const char msg[] = \"hello %d\\n\";\n"
	"int counter = 5;\n"
	"int *counter_ptr = &counter;\n"
	"int *kernel_counter_ptr = &kernel_counter;\n"
	"const char *msg_ptr = msg;\n"
	"__attribute__((section(\".modinfo\"))) const char info[] = \"name=t\";\n"
	"int hello_init(void) { kernel_counter++; return printk(msg, counter); }\n"
	"int init_module(void) __attribute__((alias(\"hello_init\")));\n";

static uint64_t resolve_ok(const char *name, void *ctx)
{
	if (!strcmp(name, "printk"))
		return FAKE_PRINTK;
	if (!strcmp(name, "kernel_counter"))
		return FAKE_DATA;
	return 0;
}

static uint64_t resolve_none(const char *name, void *ctx)
{
	return 0;
}

static uint64_t resolve_printk(const char *name, void *ctx)
{
	return strcmp(name, "printk") ? 0 : FAKE_PRINTK;
}

/* What modelf_unresolved reported: how often each name came up. */
struct reported {
	unsigned int printk, kernel_counter, other;
};

static void note_unresolved(const char *name, void *ctx)
{
	struct reported *r = ctx;

	if (!strcmp(name, "printk"))
		r->printk++;
	else if (!strcmp(name, "kernel_counter"))
		r->kernel_counter++;
	else
		r->other++;
}

static int build_object(void)
{
	char dir[] = "/tmp/modelf.XXXXXX", cmd[512], path[256];
	FILE *f;
	long n;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/m.c", dir);
	f = fopen(path, "w");
	fputs(module_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "gcc -c -O2 -ffreestanding -mcmodel=kernel -mno-red-zone -fno-pic "
		 "-fno-common -fno-stack-protector %s/m.c -o %s/m.o", dir, dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/m.o", dir);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	obj = malloc(n);
	obj_len = fread(obj, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	return obj_len == (size_t)n ? 0 : -1;
}

static void parses_and_lays_out(void)
{
	struct modelf m;
	char err[128];

	CHECK_EQ(modelf_parse(&m, obj, obj_len, err, sizeof(err)), 0);
	CHECK(m.layout.text_size > 0 && m.layout.text_size % 4096 == 0);
	CHECK(m.layout.data_size > 0);
	CHECK_EQ(m.layout.rodata_off, m.layout.text_size);
	CHECK_EQ(m.layout.total, m.layout.text_size + m.layout.rodata_size + m.layout.data_size);
}

static void links_and_relocates(void)
{
	struct modelf m;
	char err[128];
	uint8_t *img;
	uint64_t init, ptr, cptr, counter, msg;
	size_t n;

	CHECK_EQ(modelf_parse(&m, obj, obj_len, err, sizeof(err)), 0);
	img = calloc(1, m.layout.total);
	CHECK_EQ(modelf_link(&m, img, BASE, resolve_ok, NULL, err, sizeof(err)), 0);
	init = modelf_symbol(&m, "init_module");
	counter = modelf_symbol(&m, "counter");
	CHECK(init >= BASE && init < BASE + m.layout.text_size);
	CHECK(counter >= BASE + m.layout.data_off);
	CHECK_EQ(init, modelf_symbol(&m, "hello_init"));
	/* R_X86_64_64 data pointers hold run-time addresses */
	memcpy(&cptr, img + (modelf_symbol(&m, "counter_ptr") - BASE), 8);
	CHECK_EQ(cptr, counter);
	memcpy(&ptr, img + (modelf_symbol(&m, "msg_ptr") - BASE), 8);
	msg = ptr;
	CHECK(msg >= BASE + m.layout.rodata_off && msg < BASE + m.layout.data_off);
	CHECK(!memcmp(img + (msg - BASE), "hello %d\n", 9));
	/* the call to printk is a PC-relative displacement to FAKE_PRINTK */
	{
		const uint8_t *code = img + (init - BASE);
		bool found = false;

		for (size_t i = 0; i + 5 <= m.layout.text_size - (init - BASE) && i < 64; i++) {
			int32_t d;

			if (code[i] != 0xe8 && code[i] != 0xe9)
				continue;
			memcpy(&d, code + i + 1, 4);
			if (init + i + 5 + (int64_t)d == FAKE_PRINTK)
				found = true;
		}
		CHECK(found);
	}
	CHECK(modelf_section(&m, ".modinfo", &n, NULL) != NULL);
	free(img);
}

static void unresolved_symbol_named(void)
{
	struct modelf m;
	char err[128];
	uint8_t *img;

	CHECK_EQ(modelf_parse(&m, obj, obj_len, err, sizeof(err)), 0);
	img = calloc(1, m.layout.total);
	CHECK_EQ(modelf_link(&m, img, BASE, resolve_none, NULL, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "unresolved symbol") != NULL);
	CHECK(strstr(err, "printk") || strstr(err, "kernel_counter"));
	free(img);
}

/* Every missing symbol once, though kernel_counter is used from text and data. */
static void unresolved_each_named_once(void)
{
	struct reported none = { 0 }, some = { 0 }, all = { 0 };
	struct modelf m;
	char err[128];

	CHECK_EQ(modelf_parse(&m, obj, obj_len, err, sizeof(err)), 0);
	CHECK_EQ(modelf_unresolved(&m, resolve_none, &none, note_unresolved), 2);
	CHECK_EQ(none.printk, 1);
	CHECK_EQ(none.kernel_counter, 1);
	CHECK_EQ(none.other, 0);
	CHECK_EQ(modelf_unresolved(&m, resolve_printk, &some, note_unresolved), 1);
	CHECK_EQ(some.printk, 0);
	CHECK_EQ(some.kernel_counter, 1);
	CHECK_EQ(modelf_unresolved(&m, resolve_ok, &all, note_unresolved), 0);
	CHECK_EQ(all.printk + all.kernel_counter + all.other, 0);
}

static void out_of_range_refused(void)
{
	struct modelf m;
	char err[128];
	uint8_t *img;

	/* loaded far from the kernel: 32-bit relocations cannot reach */
	CHECK_EQ(modelf_parse(&m, obj, obj_len, err, sizeof(err)), 0);
	img = calloc(1, m.layout.total);
	CHECK_EQ(modelf_link(&m, img, 0x0000100000000000ULL, resolve_ok, NULL, err, sizeof(err)),
		 -ERANGE);
	CHECK(strstr(err, "out of range") != NULL);
	free(img);
}

static void malformed_refused(void)
{
	struct modelf m;
	char err[128];
	uint8_t *bad = malloc(obj_len);

	CHECK_EQ(modelf_parse(&m, obj, 10, err, sizeof(err)), -ENOEXEC);
	memcpy(bad, obj, obj_len);
	bad[0] = 'X';
	CHECK_EQ(modelf_parse(&m, bad, obj_len, err, sizeof(err)), -ENOEXEC);
	memcpy(bad, obj, obj_len);
	bad[16] = 2;					/* ET_EXEC */
	CHECK_EQ(modelf_parse(&m, bad, obj_len, err, sizeof(err)), -ENOEXEC);
	memcpy(bad, obj, obj_len);
	memset(bad + 0x28, 0xff, 8);			/* e_shoff far away */
	CHECK_EQ(modelf_parse(&m, bad, obj_len, err, sizeof(err)), -ENOEXEC);
	for (size_t cut = 0; cut < obj_len; cut += 7)
		CHECK(modelf_parse(&m, obj, cut, err, sizeof(err)) != 0 ||
		      cut >= ((struct ehdr *)obj)->shoff);
	free(bad);
}

/* Random byte mutations: parse and link must fail cleanly or succeed. */
static void fuzz_bounded(void)
{
	uint8_t *buf = malloc(obj_len);
	uint64_t seed = 0x5eed;
	unsigned int ok = 0, rejected = 0;

	for (int round = 0; round < 20000; round++) {
		struct modelf m;
		char err[128];
		int nmut;

		memcpy(buf, obj, obj_len);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		nmut = 1 + (seed >> 60);
		for (int k = 0; k < nmut; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[(seed >> 33) % obj_len] = (uint8_t)(seed >> 17);
		}
		if (modelf_parse(&m, buf, obj_len, err, sizeof(err))) {
			rejected++;
			continue;
		}
		{
			struct reported r = { 0 };

			modelf_unresolved(&m, resolve_none, &r, note_unresolved);
		}
		if (m.layout.total > (64UL << 20)) {
			rejected++;
			continue;
		}
		uint8_t *img = calloc(1, m.layout.total);

		if (modelf_link(&m, img, BASE, resolve_ok, NULL, err, sizeof(err)) == 0)
			ok++;
		else
			rejected++;
		free(img);
	}
	printf("# fuzz: 20000 mutants, %u linked, %u rejected\n", ok, rejected);
	CHECK(ok + rejected == 20000);
	CHECK(rejected > 0);
	free(buf);
}

int main(void)
{
	test_suite = "modelf";
	if (build_object()) {
		printf("not ok - host/modelf/build_object # gcc could not build the test module\n");
		return 1;
	}
	RUN(parses_and_lays_out);
	RUN(links_and_relocates);
	RUN(unresolved_symbol_named);
	RUN(unresolved_each_named_once);
	RUN(out_of_range_refused);
	RUN(malformed_refused);
	RUN(fuzz_bounded);
	TEST_EXIT();
}
