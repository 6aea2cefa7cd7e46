; The application processors' first code. smp.c copies this page to
; TRAMPOLINE_PHYS (below 1 MiB) and starts each AP there with INIT-SIPI-SIPI:
; the AP wakes in real mode, loads a small GDT, enters protected mode, turns
; on PAE, long mode and NX with the boot page table smp.c filled in (the
; trampoline identity-mapped, the kernel's higher half shared), and jumps to
; ap_entry() on the stack smp.c left in the parameter block at the end.

TRAMPOLINE_PHYS	equ 0x8000
%define T(label) (TRAMPOLINE_PHYS + (label) - trampoline_start)

section .rodata
bits 16
global trampoline_start, trampoline_end
trampoline_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [T(tgdt_ptr)]
	mov eax, cr0
	or eax, 1			; PE
	mov cr0, eax
	jmp dword 0x18:T(pm32)

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, [T(tramp_cr3)]
	mov cr3, eax
	mov ecx, 0xc0000080		; EFER: long mode, NX
	rdmsr
	or eax, (1 << 8) | (1 << 11)
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1	; PG, WP, PE
	mov cr0, eax
	jmp 0x08:T(lm64)

bits 64
lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [T(tramp_stack)]
	mov rdi, [T(tramp_cpu)]
	mov rax, [T(tramp_entry)]
	call rax			; ap_entry(cpu) never returns
.halt:	cli
	hlt
	jmp .halt

align 16
tgdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code
	dq 0x00cf92000000ffff		; 0x10: data
	dq 0x00cf9a000000ffff		; 0x18: 32-bit code
tgdt_ptr:
	dw tgdt_ptr - tgdt - 1
	dd T(tgdt)

; the parameter block, filled by smp.c in the copy
align 8
global trampoline_params
trampoline_params:
tramp_cr3:	dq 0
tramp_stack:	dq 0
tramp_entry:	dq 0
tramp_cpu:	dq 0
trampoline_end:
