; The kernel's memcpy and memset (lib/string.c has the portable ones, which
; the host tests use): rep movsq for the whole words, rep movsb for the last few
; bytes. Kernel copies of a page (tmpfs to and from the read/write bounce
; buffer, the page cache) are the common case, and the string move does
; them in one instruction where the C loop runs one iteration a word.
; Both pointers may be misaligned: x86 allows it, at some cost in speed.

section .text
global memcpy, memset

; void *memcpy(void *dst, const void *src, size_t n)
memcpy:
	mov rax, rdi
	mov rcx, rdx
	shr rcx, 3
	rep movsq
	mov ecx, edx
	and ecx, 7
	rep movsb
	ret

; void *memset(void *dst, int c, size_t n): the same with string stores
; (kmalloc poisons every object it frees, a page at a time for io buffers)
memset:
	mov r9, rdi
	movzx eax, sil
	mov r8, 0x0101010101010101
	imul rax, r8
	mov rcx, rdx
	shr rcx, 3
	rep stosq
	mov ecx, edx
	and ecx, 7
	rep stosb
	mov rax, r9
	ret
