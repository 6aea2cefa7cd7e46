; Interrupt and exception entry stubs. Each of the 256 vectors pushes an
; error code (a zero where the CPU pushes none) and its vector number, then
; the common path saves the general registers as a struct pt_regs (see
; asm/ptrace.h), switches GS when coming from user mode, and calls
; x86_interrupt(regs).

%include "regs.inc"

section .text
extern x86_interrupt

; vectors for which the CPU pushes an error code
%define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro ISR 1
align 16
isr_%1:
%if HAS_ERR(%1) == 0
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 256
ISR v
%assign v v + 1
%endrep

isr_common:
	test byte [rsp + 24], 3		; CS of the interrupted context
	jz .from_kernel
	swapgs
.from_kernel:
	PUSH_GPRS
	cld
	mov rdi, rsp
	call x86_interrupt
global isr_return
isr_return:
	POP_GPRS
	test byte [rsp + 24], 3
	jz .to_kernel
	swapgs
.to_kernel:
	add rsp, 16			; vector and error code
	iretq

section .rodata
global isr_table
align 8
isr_table:
%assign v 0
%rep 256
	dq isr_%+v
%assign v v + 1
%endrep
