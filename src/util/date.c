/* date.c - placeholder, being written. */
#include "util/date.h"
