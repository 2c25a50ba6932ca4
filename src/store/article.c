/* article.c - placeholder, being written. */
#include "store/store.h"
