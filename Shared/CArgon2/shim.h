#ifndef EXAM_CARGON2_SHIM_H
#define EXAM_CARGON2_SHIM_H
#include <argon2.h>
#endif
