; Context switch and the syscall entry.
;
; switch_stack saves the callee-saved registers of the running task on its
; kernel stack, stores its rsp, loads the next task's and pops that task's
; registers: the C scheduler never sees half-switched state.
;
; ipc_handoff is the IPC fast path's direct hand-off (kernel/sched.c's
; sched_handoff): the task going to sleep gives its kernel stack up, the
; one switched to returns to user mode from its saved registers at once.
;
; syscall_entry is where the SYSCALL instruction lands (MSR_LSTAR): user
; rip in rcx, rflags in r11, still on the user stack. It switches to the
; task's kernel stack through the per-CPU block at GS, builds the same
; struct pt_regs the interrupt stubs build (syscall number in .vector), and
; calls the handler from the table itself when no BKL is needed, else
; x86_syscall(). Returns use SYSRET when nothing is left to do on the way
; out (no signal, no reschedule, no restart, rip and rflags as SYSCALL left
; them), else x86_syscall_work() looks and says whether SYSRET is safe;
; IRETQ otherwise.

PERCPU_KERNEL_RSP	equ 8
PERCPU_USER_RSP		equ 16
PERCPU_CURR		equ 32
; checked against the C structures in arch/x86/kernel/syscall.c
PERCPU_NEED_RESCHED	equ 0x54
PERCPU_SYSCALL_SLOW	equ 0x55
TASK_COSTS_SYSCALLS	equ 0x90
TASK_SIG_PENDING	equ 0x788
TASK_SIG_RESTORE_MASK	equ 0x7a0
PT_RAX			equ 14 * 8
USER_DS			equ 0x23
USER_CS			equ 0x2b

%include "regs.inc"

section .text
global switch_stack, syscall_entry, ret_from_fork, kthread_entry, arch_enter_user
global ipc_handoff, ipc_handoff_stack, ipc_fast_resume
extern x86_syscall, x86_syscall_work, isr_return, schedule_tail, kthread_main
extern ipc_fast_continue
extern syscall_table, syscall_count

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
switch_stack_pop:			; ipc_handoff_stack enters here
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
	; The common case in line: a number in the table and no BKL to take
	; (one CPU, or CONFIG_SMP=n). Everything else is x86_syscall's.
	cmp rax, [rel syscall_count]
	jae .c_path
	; the BKL is on (several CPUs), or the task is in the microkernel
	; personality (kernel/mk.c): kernel/sched.c keeps this byte per CPU
	cmp byte [gs:PERCPU_SYSCALL_SLOW], 0
	jne .c_path
	mov rcx, [gs:PERCPU_CURR]
	add qword [rcx + TASK_COSTS_SYSCALLS], 1	; kernel/costs.h
	call [syscall_table + rax * 8]	; every slot has a handler (sys_ni_syscall)
	mov [rsp + PT_RAX], rax
	cli
	; exit_work_pending() and iret_needed, as syscall.c's do_syscall tests them
	cmp byte [gs:PERCPU_NEED_RESCHED], 0
	jne .work
	mov rcx, [gs:PERCPU_CURR]
	cmp qword [rcx + TASK_SIG_PENDING], 0
	jne .work
	cmp word [rcx + TASK_SIG_RESTORE_MASK], 0	; and iret_needed, the next byte
	jne .work
	cmp rax, -512			; -ERESTARTSYS
	je .work
	; rbx is still the user's (the C code preserves it, and only paths
	; that set iret_needed rewrite its slot) and rax is the result, so
	; their slots are skipped with the rest of the frame
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	mov rsp, [rsp + 7 * 8]		; the user rsp slot
	swapgs
	o64 sysret
.work:
	sti
	mov rdi, rsp			; regs
	call x86_syscall_work
	jmp .exit
.c_path:
	call x86_syscall
.exit:
	cli
	test eax, eax
	jz .slow
	POP_GPRS
	mov rsp, [rsp + 5 * 8]		; the user rsp slot
	swapgs
	o64 sysret
.slow:
	jmp isr_return

; The sleeper's frame below its pt_regs (rdx), stored in *rdi.
%macro RESUME_FRAME 0
	lea rax, [rdx - 8 * 8]		; six registers, a return address, padding
	lea rcx, [rel ipc_fast_resume]
	mov [rax + 6 * 8], rcx
	mov qword [rax + 5 * 8], 0	; rbp: the end of a backtrace
	mov [rdi], rax
%endmacro

; void ipc_handoff(uint64_t *save_rsp, struct pt_regs *next_regs, struct pt_regs *prev_regs)
; Interrupts are off. The sleeping task's kernel frames are dropped: below
; its pt_regs goes a frame switch_stack can pop, whose return address is
; ipc_fast_resume. The next task slept the same way, and returns to user
; mode from its pt_regs.
ipc_handoff:
	mov rsp, rsi
	RESUME_FRAME
	POP_GPRS			; the answer is in them; rcx/r11 = rip/rflags
	mov rsp, [rsp + 5 * 8]		; the user rsp slot
	swapgs
	o64 sysret

; void ipc_handoff_stack(uint64_t *save_rsp, uint64_t next_rsp, struct pt_regs *prev_regs)
; The same sleep, switching to a task that slept the ordinary way: the
; second half of switch_stack (it goes on in its switch_to(), whose
; finish_switch() releases sched_lock).
ipc_handoff_stack:
	mov rsp, rsi
	RESUME_FRAME
	jmp switch_stack_pop

; A task that slept in ipc_handoff, scheduled the ordinary way: switch_stack
; returned here with rsp 8 below its pt_regs (16-byte aligned).
ipc_fast_resume:
	sub rsp, 8
	call ipc_fast_continue		; finishes the call; nonzero if SYSRET is safe
	add rsp, 16			; the pt_regs
	cli
	test eax, eax
	jz .iret
	POP_GPRS
	mov rsp, [rsp + 5 * 8]
	swapgs
	o64 sysret
.iret:
	jmp isr_return
