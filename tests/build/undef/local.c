/* Build test: the second file of the undef module; ld -r resolves its
 * function for undef.c, so modpost must not report it. */
int undef_local(void);

int undef_local(void)
{
	return 1;
}
