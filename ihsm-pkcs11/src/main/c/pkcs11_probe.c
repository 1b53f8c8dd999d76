/*
 * pkcs11-probe MODULE [COUNT]: what starting a PKCS#11 module costs a fresh process, for `ihsm bench`
 * (workload pkcs11-init) and for anyone comparing modules. Loads MODULE, then COUNT times (default
 * 1) calls C_Initialize and C_Finalize, timing each, and prints one line per round:
 *   initialize-us N finalize-us N rss-added-kb N
 * rss-added-kb is the process's resident memory after C_Initialize less before dlopen. Exits 1 when
 * a call fails (the line says which and its CK_RV).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ck.h"

static long resident_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double micros_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1e6 + (t1.tv_nsec - t0->tv_nsec) / 1e3;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: pkcs11-probe MODULE [COUNT]\n");
    return 2;
  }
  int count = argc > 2 ? atoi(argv[2]) : 1;
  long before = resident_kb();
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  CK_RV (*get_list)(CK_FUNCTION_LIST **) = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(lib, "C_GetFunctionList");
  CK_FUNCTION_LIST *f = NULL;
  if (!get_list || get_list(&f) != CKR_OK || !f) {
    fprintf(stderr, "%s has no function list\n", argv[1]);
    return 2;
  }
  for (int i = 0; i < count; i++) {
    CK_C_INITIALIZE_ARGS args = {0};
    args.flags = CKF_OS_LOCKING_OK;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CK_RV rv = f->C_Initialize(&args);
    double init = micros_since(&t0);
    long added = resident_kb() - before;
    if (rv != CKR_OK) {
      printf("C_Initialize failed: 0x%lx\n", (unsigned long)rv);
      return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rv = f->C_Finalize(NULL);
    double fin = micros_since(&t0);
    if (rv != CKR_OK) {
      printf("C_Finalize failed: 0x%lx\n", (unsigned long)rv);
      return 1;
    }
    printf("initialize-us %.0f finalize-us %.0f rss-added-kb %ld\n", init, fin, added);
  }
  return 0;
}
