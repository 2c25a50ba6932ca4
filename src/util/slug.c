/* slug.c - placeholder, being written. */
#include "util/slug.h"
