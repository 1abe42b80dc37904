// The C interfaces of COIN-OR Cbc (MILP) and Clp (LP), the only part of COIN-OR Switchyard sees.
// Only the Solver module imports this; no C type escapes it.
#ifndef SWITCHYARD_CCOINOR_SHIM_H
#define SWITCHYARD_CCOINOR_SHIM_H
#include <coin/Cbc_C_Interface.h>
#include <coin/Clp_C_Interface.h>
#endif
