#ifndef HARDEN_CHARDENSYS_H
#define HARDEN_CHARDENSYS_H
/* Thin wrappers for the few Linux calls Swift's Glibc module does not export. */
#include <sys/types.h>

/* Extended attributes on an open descriptor (works for O_PATH-less regular fds). */
long harden_flistxattr(int fd, char *list, unsigned long size);
long harden_fgetxattr(int fd, const char *name, void *value, unsigned long size);
int harden_fsetxattr(int fd, const char *name, const void *value, unsigned long size);
/* Extended attributes of a name under a directory descriptor, not following symlinks. */
long harden_llistxattr_at(int dirfd, const char *name, char *list, unsigned long size);
/* Path-based, not following symlinks (tests' manifests). */
long harden_llistxattr(const char *path, char *list, unsigned long size);
long harden_lgetxattr(const char *path, const char *name, void *value, unsigned long size);
/* syncfs(2): flush the whole file system holding fd (one call after many metadata changes). */
int harden_syncfs(int fd);
#endif
