#define _GNU_SOURCE
#include "CHardenSys.h"
#include <unistd.h>

int harden_syncfs(int fd) { return syncfs(fd); }
