/*
 * The kernel command line. GRUB passes one string; cmdline_parse() splits
 * it into words ("name" or "name=value") and hands each to the option that
 * claimed the name with CMDLINE_OPTION(). A word nobody claimed, or a value
 * an option rejects, is reported on the console and otherwise ignored.
 */
#define pr_fmt(fmt) "cmdline: " fmt

#include "kernel/kernel.h"
#include "lib/string.h"

extern const struct cmdline_option __cmdline_opts_start[], __cmdline_opts_end[];

char saved_command_line[BOOT_CMDLINE_SIZE];
static char words[BOOT_CMDLINE_SIZE];	/* NUL-separated copy */
static char *argv_name[64], *argv_value[64];
static unsigned int argc;

static const struct cmdline_option *find_option(const char *name)
{
	for (const struct cmdline_option *o = __cmdline_opts_start; o < __cmdline_opts_end; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Split and dispatch; safe to call once, early, before any allocator. */
void cmdline_parse(const char *cmdline)
{
	char *p;

	strlcpy(saved_command_line, cmdline, sizeof(saved_command_line));
	strlcpy(words, cmdline, sizeof(words));
	p = words;
	while (*p && argc < ARRAY_SIZE(argv_name)) {
		char *eq;

		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		argv_name[argc] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		eq = strchr(argv_name[argc], '=');
		argv_value[argc] = NULL;
		if (eq) {
			*eq = '\0';
			argv_value[argc] = eq + 1;
		}
		argc++;
	}
}

/* Apply each option; run after the console is up so complaints are seen. */
void cmdline_apply(void)
{
	for (unsigned int i = 0; i < argc; i++) {
		const struct cmdline_option *o = find_option(argv_name[i]);
		int err;

		if (!o) {
			pr_warn("unknown option '%s' ignored (see docs/cmdline.md)\n",
				argv_name[i]);
			continue;
		}
		err = o->set(argv_value[i]);
		if (err)
			pr_warn("bad value '%s' for option '%s' ignored (error %d)\n",
				argv_value[i] ? argv_value[i] : "", argv_name[i], err);
	}
}

const char *cmdline_get(const char *name)
{
	for (unsigned int i = 0; i < argc; i++)
		if (!strcmp(argv_name[i], name))
			return argv_value[i] ? argv_value[i] : "";
	return NULL;
}
