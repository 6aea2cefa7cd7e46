; First instructions: GRUB enters here in 32-bit protected mode, paging off,
; EAX = Multiboot2 magic, EBX = physical address of the boot information.
; We check the magic and the CPU, build temporary page tables (identity map
; of the low 4 GiB plus the kernel at -2 GiB), enable long mode with NX,
; and jump to the higher half, where x86_boot_main() takes over.

KERNEL_VMA	equ 0xffffffff80000000
MB2_BOOT_MAGIC	equ 0x36d76289
COM1		equ 0x3f8

section .boot.text progbits alloc exec nowrite
bits 32
global _start
_start:
	cli
	cld
	mov esp, boot32_stack_top
	cmp eax, MB2_BOOT_MAGIC
	jne .not_multiboot2
	mov edi, eax			; magic and info survive in edi/esi
	mov esi, ebx

	; long mode (and NX, which the page tables use) must be there
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	mov ebp, edx			; remember the NX bit (edx bit 20)

	call build_early_tables

	mov eax, early_pml4
	mov cr3, eax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov ecx, 0xc0000080		; EFER
	rdmsr
	or eax, 1 << 8			; LME
	test ebp, 1 << 20
	jz .no_nx
	or eax, 1 << 11			; NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)	; PG, WP
	mov cr0, eax
	lgdt [early_gdt_ptr]
	jmp 0x08:long_mode_entry

.not_multiboot2:
	mov edx, eax
	mov esi, msg_not_mb2
	call early_print
	mov eax, edx
	call early_print_hex
	mov esi, msg_halt
	call early_print
	jmp early_halt
.no_long_mode:
	mov esi, msg_no_lm
	call early_print
	jmp early_halt

early_halt:
	cli
	hlt
	jmp early_halt

; Identity-map 0-4 GiB with 2 MiB pages and alias the first 1 GiB at -2 GiB.
build_early_tables:
	mov eax, early_pdpt_low
	or eax, 3
	mov [early_pml4], eax
	mov eax, early_pdpt_high
	or eax, 3
	mov [early_pml4 + 511 * 8], eax
	; four page directories for the low 4 GiB
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, early_pd
	or eax, 3
	mov [early_pdpt_low + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .pdpt
	mov eax, early_pd
	or eax, 3
	mov [early_pdpt_high + 510 * 8], eax
	; 2048 entries of 2 MiB
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, 0x83			; present, writable, huge
	mov [early_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11			; high dword: bits 32+ of the address
	mov [early_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jne .pd
	ret

; Print the NUL-terminated string at esi on COM1 and the VGA text screen.
early_print:
	push eax
	push ebx
	push edx
	mov ebx, [vga_pos]
.next:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	cmp al, 10
	je .next
	mov byte [0xb8000 + ebx * 2], al
	mov byte [0xb8000 + ebx * 2 + 1], 0x4f
	inc ebx
	jmp .next
.done:
	mov [vga_pos], ebx
	pop edx
	pop ebx
	pop eax
	ret

; Print eax as 8 hex digits.
early_print_hex:
	push ecx
	push esi
	mov ecx, 8
.digit:
	rol eax, 4
	push eax
	and eax, 0xf
	mov al, [hex_digits + eax]
	mov [hex_buf], al
	mov esi, hex_buf
	call early_print
	pop eax
	dec ecx
	jnz .digit
	pop esi
	pop ecx
	ret

bits 64
long_mode_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, higher_half_entry
	jmp rax

section .boot.data progbits alloc noexec write
align 8
early_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code
	dq 0x00cf92000000ffff		; 0x10: data
early_gdt_ptr:
	dw early_gdt_ptr - early_gdt - 1
	dq early_gdt
vga_pos:	dd 0
hex_digits:	db "0123456789abcdef"
hex_buf:	db 0, 0
msg_not_mb2:	db "Basalt: not started by a Multiboot2 boot loader (eax=0x", 0
msg_halt:	db ", expected 0x36d76289); use GRUB's multiboot2 command. Halting.", 10, 0
msg_no_lm:	db "Basalt: this CPU has no 64-bit long mode; Basalt needs x86-64. Halting.", 10, 0

section .boot.bss nobits alloc noexec write
alignb 4096
early_pml4:	resb 4096
early_pdpt_low:	resb 4096
early_pdpt_high: resb 4096
early_pd:	resb 4 * 4096
boot32_stack:	resb 4096
boot32_stack_top:

; The boot stack, in the higher half, with an unmapped guard page below it
; (paging_init leaves boot_stack_guard out of the kernel mapping).
section .bss
alignb 4096
global boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard: resb 4096
boot_stack:	resb 16384
boot_stack_top:

section .text
extern x86_boot_main
higher_half_entry:
	mov rsp, boot_stack_top
	xor ebp, ebp
	mov edi, edi			; magic (upper halves are undefined)
	mov esi, esi			; boot info physical address
	call x86_boot_main
.hang:
	cli
	hlt
	jmp .hang
