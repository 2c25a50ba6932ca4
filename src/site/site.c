/* placeholder, being written. */
#include "util/err.h"
