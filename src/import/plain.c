/* plain.c - placeholder, being written. */
#include "import/import.h"
