/*
 * What the hello module exports to other modules (hello_dep uses it).
 */
#ifndef MODULES_HELLO_HELLO_H
#define MODULES_HELLO_HELLO_H

/* Greet @who in the kernel log; returns how many greetings hello has given. */
int hello_greet(const char *who);

#endif
