; The console font, built into the kernel: the PSF file that
; drivers/video/Makefile unpacks from the console-setup package into
; build/font.psf, between font_psf_start and font_psf_end. fbcon.c parses
; it at boot (PSF1 or PSF2), so any PSF font can be swapped in with
; `make FBCON_FONT=/usr/share/consolefonts/<name>.psf.gz`.

%ifndef FONT_FILE
%define FONT_FILE "build/font.psf"
%endif

section .rodata progbits alloc noexec nowrite align=16

global font_psf_start
global font_psf_end

font_psf_start:
	incbin FONT_FILE
font_psf_end:

section .note.GNU-stack noalloc noexec nowrite progbits
