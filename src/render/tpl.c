/* tpl.c - placeholder, being written. */
#include "render/render.h"
