/* glibc's memmem (a GNU extension, so not in Swift's Glibc module) for the load generator. */
#ifndef BYTE_SEARCH_H
#define BYTE_SEARCH_H

#include <stddef.h>

/* The first occurrence of needle in haystack, or NULL. */
const void *byte_search_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

#endif
