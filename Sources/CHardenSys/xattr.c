#define _GNU_SOURCE
#include "CHardenSys.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

long harden_flistxattr(int fd, char *list, unsigned long size) { return flistxattr(fd, list, size); }

long harden_fgetxattr(int fd, const char *name, void *value, unsigned long size) {
    return fgetxattr(fd, name, value, size);
}

int harden_fsetxattr(int fd, const char *name, const void *value, unsigned long size) {
    return fsetxattr(fd, name, value, size, 0);
}

long harden_llistxattr_at(int dirfd, const char *name, char *list, unsigned long size) {
    char path[64];
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = llistxattr(path, list, size);
    close(fd);
    return n;
}

long harden_llistxattr(const char *path, char *list, unsigned long size) { return llistxattr(path, list, size); }

long harden_lgetxattr(const char *path, const char *name, void *value, unsigned long size) {
    return lgetxattr(path, name, value, size);
}
