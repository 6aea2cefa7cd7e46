; Context switch and the syscall entry.
;
; switch_stack saves the callee-saved registers of the running task on its
; kernel stack, stores its rsp, loads the next task's and pops that task's
; registers: the C scheduler never sees half-switched state.
;
; syscall_entry is where the SYSCALL instruction lands (MSR_LSTAR): user
; rip in rcx, rflags in r11, still on the user stack. It switches to the
; task's kernel stack through the per-CPU block at GS, builds the same
; struct pt_regs the interrupt stubs build (syscall number in .vector), and
; calls x86_syscall(). Returns use SYSRET when x86_syscall says it is safe
; (canonical rip, unchanged rcx/r11 semantics), IRETQ otherwise.

PERCPU_KERNEL_RSP	equ 8
PERCPU_USER_RSP		equ 16
USER_DS			equ 0x23
USER_CS			equ 0x2b

%include "regs.inc"

section .text
global switch_stack, syscall_entry, ret_from_fork, kthread_entry, arch_enter_user
extern x86_syscall, isr_return, schedule_tail, kthread_main

; void switch_stack(uint64_t *save_rsp, uint64_t new_rsp)
switch_stack:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; First run of a forked task: its kernel stack holds a struct pt_regs copy.
ret_from_fork:
	call schedule_tail
	mov rsp, r12			; the child's pt_regs
	jmp isr_return

; void arch_enter_user(struct pt_regs *regs): leave for user mode via iretq
arch_enter_user:
	cli
	mov rsp, rdi
	jmp isr_return

; First run of a kernel thread: r12 = fn, r13 = arg.
kthread_entry:
	call schedule_tail
	mov rdi, r12
	mov rsi, r13
	call kthread_main
.hang:
	hlt
	jmp .hang

syscall_entry:
	swapgs
	mov [gs:PERCPU_USER_RSP], rsp
	mov rsp, [gs:PERCPU_KERNEL_RSP]
	push USER_DS			; ss
	push qword [gs:PERCPU_USER_RSP]	; rsp
	push r11			; rflags
	push USER_CS			; cs
	push rcx			; rip
	push -1				; error code -1 marks a syscall frame
	push rax			; .vector = syscall number
	PUSH_GPRS
	xor ebp, ebp			; end of the kernel backtrace
	mov rdi, rsp
	sti
	call x86_syscall
	cli
	test eax, eax
	jz .slow
	POP_GPRS
	mov rsp, [rsp + 5 * 8]		; the user rsp slot
	swapgs
	o64 sysret
.slow:
	jmp isr_return
