# Kernel crypto for signed modules: SHA-512 and Ed25519 verification.
obj-y += lib/sha512.o lib/ed25519.o
