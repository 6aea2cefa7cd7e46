; User memory access with fault recovery. Each instruction that touches
; user memory has an entry in __ex_table: if it faults and the page-fault
; handler cannot make the page present, execution resumes at the fixup,
; which reports how much was not copied. SMAP is opened (stac) only around
; the access itself when the CPU enforces it.

section .text
global __copy_user, __clear_user, __strncpy_user
extern smap_enabled

%macro SMAP_OPEN 0
	cmp byte [rel smap_enabled], 0
	je %%skip
	stac
%%skip:
%endmacro

%macro SMAP_CLOSE 0
	cmp byte [rel smap_enabled], 0
	je %%skip
	clac
%%skip:
%endmacro

; size_t __copy_user(void *dst, const void *src, size_t n): bytes NOT copied
__copy_user:
	SMAP_OPEN
	mov rcx, rdx
.copy:
	rep movsb
.done:
	SMAP_CLOSE
	mov rax, rcx
	ret

; size_t __clear_user(void *dst, size_t n): bytes NOT cleared
__clear_user:
	SMAP_OPEN
	mov rcx, rsi
	xor eax, eax
.fill:
	rep stosb
.cdone:
	SMAP_CLOSE
	mov rax, rcx
	ret

; long __strncpy_user(char *dst, const char *src, size_t n):
; length of the string copied (without NUL), n if no NUL within n, -1 on fault
__strncpy_user:
	SMAP_OPEN
	xor eax, eax
.next:
	cmp rax, rdx
	je .sdone
.load:
	mov cl, [rsi + rax]
	mov [rdi + rax], cl
	test cl, cl
	jz .sdone
	inc rax
	jmp .next
.sfault:
	mov rax, -1
.sdone:
	SMAP_CLOSE
	ret

section __ex_table progbits alloc noexec nowrite align=8
	dq __copy_user.copy, __copy_user.done
	dq __clear_user.fill, __clear_user.cdone
	dq __strncpy_user.load, __strncpy_user.sfault
