; Boot loader headers. The Multiboot2 header is what GRUB looks for; it asks
; for a linear framebuffer (optional: GRUB may give text mode instead). A
; Multiboot1 header is present too, only so that an old-protocol loader
; reaches our entry and gets a clear "not Multiboot2" message, not silence.

MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0
MB1_MAGIC	equ 0x1badb002

section .multiboot
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; console flags: type 4, optional; we can drive EGA text mode too
	align 8
	dw 4, 0
	dd 12
	dd 2

	; framebuffer request: type 5, flags 1 (optional), 1024x768x32
	align 8
	dw 5, 1
	dd 20
	dd 1024, 768, 32

	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

align 4
mb1_header:
	dd MB1_MAGIC
	dd 0
	dd -MB1_MAGIC
