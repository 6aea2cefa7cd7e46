/* Build test: a header of the hdrdep module; touching it must rebuild
 * hdrdep.c in `make M=`. */
#define HDRDEP_GREETING "hdrdep: loaded\n"
