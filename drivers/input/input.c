/*
 * The console input queue: a ring of bytes with one producer side and one
 * consumer side. Producers are interrupt handlers (on CPU 0) and the vt's
 * answer to ESC[6n, queued while the TTY layer writes on any CPU, so they
 * take input_lock; the consumer (the TTY layer, under its own lock) only
 * moves the tail and the producers only move the head, and acquire/release
 * ordering makes a byte visible before the index that publishes it. A
 * byte's source is kept beside it.
 */
#include "drivers/input/input.h"

#include <stdint.h>

#ifdef BASALT_HOST_TEST
#define input_lock_irqsave()		0UL
#define input_unlock_irqrestore(f)	((void)(f))
#else
#include "kernel/lock.h"
static DEFINE_RAW_SPINLOCK(input_lock);	/* producers against each other; a leaf */
#define input_lock_irqsave()		raw_spin_lock_irqsave(&input_lock)
#define input_unlock_irqrestore(f)	raw_spin_unlock_irqrestore(&input_lock, (f))
#endif

#define INPUT_BUF_SIZE	INPUT_QUEUE_SIZE

static char input_buf[INPUT_BUF_SIZE];
static uint8_t input_src[INPUT_BUF_SIZE];
static unsigned int input_head;		/* next slot to fill; written by producers */
static unsigned int input_tail;		/* next slot to read; written by the consumer */
static unsigned long input_lost;
static void (*input_handler)(void);
static void (*input_unthrottle_fn)(void);

static void input_store(unsigned int src, char c)
{
	unsigned long flags = input_lock_irqsave();
	unsigned int head = __atomic_load_n(&input_head, __ATOMIC_RELAXED);
	unsigned int tail = __atomic_load_n(&input_tail, __ATOMIC_ACQUIRE);

	if (head - tail >= INPUT_BUF_SIZE) {
		input_lost++;
	} else {
		input_buf[head % INPUT_BUF_SIZE] = c;
		input_src[head % INPUT_BUF_SIZE] = (uint8_t)src;
		__atomic_store_n(&input_head, head + 1, __ATOMIC_RELEASE);
	}
	input_unlock_irqrestore(flags);
}

static void input_notify(void)
{
	void (*fn)(void) = __atomic_load_n(&input_handler, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
}

void input_push_from(unsigned int src, char c)
{
	input_store(src, c);
	input_notify();
}

void input_push(char c)
{
	input_push_from(INPUT_KBD, c);
}

void input_push_buf(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		input_store(INPUT_KBD, s[i]);
	input_notify();
}

int input_get(unsigned int *src)
{
	unsigned int tail = __atomic_load_n(&input_tail, __ATOMIC_RELAXED);
	unsigned int head = __atomic_load_n(&input_head, __ATOMIC_ACQUIRE);
	unsigned char c;

	if (tail == head)
		return -1;
	c = (unsigned char)input_buf[tail % INPUT_BUF_SIZE];
	if (src)
		*src = input_src[tail % INPUT_BUF_SIZE];
	__atomic_store_n(&input_tail, tail + 1, __ATOMIC_RELEASE);
	return c;
}

int input_getc(void)
{
	return input_get(NULL);
}

unsigned long input_dropped(void)
{
	return input_lost;
}

unsigned int input_room(void)
{
	unsigned int head = __atomic_load_n(&input_head, __ATOMIC_ACQUIRE);
	unsigned int tail = __atomic_load_n(&input_tail, __ATOMIC_ACQUIRE);

	return INPUT_BUF_SIZE - (head - tail);
}

void input_set_unthrottle(void (*fn)(void))
{
	__atomic_store_n(&input_unthrottle_fn, fn, __ATOMIC_RELEASE);
}

void input_unthrottle(void)
{
	void (*fn)(void) = __atomic_load_n(&input_unthrottle_fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
}

void input_set_handler(void (*fn)(void))
{
	__atomic_store_n(&input_handler, fn, __ATOMIC_RELEASE);
	if (fn)
		fn();	/* take what arrived before */
}

bool input_has_handler(void)
{
	return __atomic_load_n(&input_handler, __ATOMIC_ACQUIRE) != NULL;
}
