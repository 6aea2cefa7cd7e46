/*
 * Intrusive circular doubly linked lists.
 *
 * A struct list_head is embedded in each object; a list is a head whose
 * next/prev point back at itself when empty. Insertion and removal check
 * that the neighbours still point at each other and report a broken list
 * through list_corruption() instead of silently spreading the damage.
 * Removed entries are poisoned with non-canonical addresses so any later
 * use through them faults at once.
 */
#ifndef BASALT_LIB_LIST_H
#define BASALT_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

/* Non-canonical on x86-64, so a dereference faults instead of reading. */
#define LIST_POISON_NEXT ((struct list_head *)0xdead000000000100ULL)
#define LIST_POISON_PREV ((struct list_head *)0xdead000000000122ULL)

/*
 * Called when an insertion or removal finds inconsistent links. @what names
 * the check that failed, @entry is the entry being added or removed. The
 * kernel panics; host tests record the report. If it returns, the list is
 * left untouched.
 */
void list_corruption(const char *what, void *entry);

/* Pointer to the structure of type @type whose member @member is at @ptr. */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* Link @entry between two entries known to be adjacent, after checking so. */
static inline void list_insert_between(struct list_head *entry, struct list_head *prev,
				       struct list_head *next)
{
	if (next->prev != prev) {
		list_corruption("list_add: next->prev != prev", entry);
		return;
	}
	if (prev->next != next) {
		list_corruption("list_add: prev->next != next", entry);
		return;
	}
	if (entry == prev || entry == next) {
		list_corruption("list_add: entry already on the list", entry);
		return;
	}
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

/* Insert @entry right after @head (stack order). */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	list_insert_between(entry, head, head->next);
}

/* Insert @entry right before @head, i.e. at the end of the list (queue order). */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	list_insert_between(entry, head->prev, head);
}

/*
 * Unlink @entry from its list and poison its links. Removing an entry that
 * was already removed, or whose neighbours no longer point at it, is
 * reported through list_corruption().
 */
static inline void list_del(struct list_head *entry)
{
	struct list_head *next = entry->next;
	struct list_head *prev = entry->prev;

	if (next == LIST_POISON_NEXT || prev == LIST_POISON_PREV) {
		list_corruption("list_del: entry already deleted", entry);
		return;
	}
	if (next->prev != entry) {
		list_corruption("list_del: next->prev != entry", entry);
		return;
	}
	if (prev->next != entry) {
		list_corruption("list_del: prev->next != entry", entry);
		return;
	}
	next->prev = prev;
	prev->next = next;
	entry->next = LIST_POISON_NEXT;
	entry->prev = LIST_POISON_PREV;
}

/* Unlink @entry and make it an empty list, so it may be deleted again. */
static inline void list_del_init(struct list_head *entry)
{
	list_del(entry);
	list_init(entry);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* First entry of a list that must not be empty. */
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)

#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Iterate over the entries of @head; the body must not remove @pos. */
#define list_for_each_entry(pos, head, member)                            \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member);  \
	     &(pos)->member != (head);                                     \
	     (pos) = list_next_entry(pos, member))

/* Iterate over the entries of @head; the body may remove @pos. */
#define list_for_each_entry_safe(pos, tmp, head, member)                  \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),  \
	     (tmp) = list_next_entry(pos, member);                         \
	     &(pos)->member != (head);                                     \
	     (pos) = (tmp), (tmp) = list_next_entry(tmp, member))

#endif
