#ifndef EXAM_CHIREDIS_SHIM_H
#define EXAM_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
