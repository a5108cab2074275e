#ifndef HARDEN_CYAML_SHIM_H
#define HARDEN_CYAML_SHIM_H
#include <yaml.h>
#endif
