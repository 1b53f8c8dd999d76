/*
 * libihsm-pkcs11.so: the PKCS#11 3.0 module of ihsm. It only marshals: each call is flattened into
 * a frame and sent to the Java bridge (io.ihsm.pkcs11.Bridge), which holds all the logic and talks
 * to the daemon through the SDK. The bridge is a long-lived service of the user's, one per launcher,
 * listening on a Unix socket in a directory only the user can enter; C_Initialize connects to it
 * (starting it when none answers), and each connection is an application of its own. A global lock
 * makes calls one at a time (CKF_OS_LOCKING_OK). A forked child sees the module uninitialized and
 * makes its own connection on C_Initialize. Wire format and service: docs/pkcs11.md.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "ck.h"

_Static_assert(sizeof(CK_ULONG) == 8, "the bridge protocol assumes an LP64 platform");

#define EXPORT __attribute__((visibility("default")))
#define MAX_TEMPLATE 4096
#define REPLY_TIMEOUT_SECONDS 120
/* How long C_Initialize waits for a service it started to listen (a JVM starting on a busy host). */
#define START_TIMEOUT_MS 60000

extern char **environ;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int bridge_fd = -1;
static pid_t owner_pid = -1; /* the process that initialized; a forked child is not it */

/* ---- frames: a growing request buffer and a bounded reply reader */

struct out {
  unsigned char *p;
  size_t len, cap;
  int failed;    /* no memory, or too large: the call is not sent */
  int too_large; /* more than a frame holds */
};

struct in {
  const unsigned char *p;
  size_t len, at;
  int bad;
};

static void put_raw(struct out *o, const void *data, size_t n) {
  if (o->failed) return;
  if (o->len + n > IHSM_MAX_FRAME) { o->failed = o->too_large = 1; return; }
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n) cap *= 2;
    /* Grown by hand, not realloc: the old buffer is wiped before it is freed. */
    unsigned char *q = malloc(cap);
    if (!q) { o->failed = 1; return; }
    if (o->p) {
      memcpy(q, o->p, o->len);
      explicit_bzero(o->p, o->cap);
      free(o->p);
    }
    o->p = q;
    o->cap = cap;
  }
  if (n) memcpy(o->p + o->len, data, n);
  o->len += n;
}

static void put_u8(struct out *o, unsigned v) { unsigned char b = (unsigned char)v; put_raw(o, &b, 1); }

static void put_u32(struct out *o, uint32_t v) {
  unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
  put_raw(o, b, 4);
}

static void put_u64(struct out *o, uint64_t v) {
  put_u32(o, (uint32_t)(v >> 32));
  put_u32(o, (uint32_t)v);
}

/*
 * A byte array: present flag, length, bytes. A NULL pointer with a length is the caller's error.
 * An array larger than the bridge takes is not sent: flag 2 tells the bridge, which refuses the call
 * (CKR_DATA_LEN_RANGE) and so ends an operation the way any other error does.
 */
static int put_bytes(struct out *o, const void *p, CK_ULONG n) {
  if (!p && n) {
    /* A NULL array with a length: the bridge answers CKR_ARGUMENTS_BAD itself, ending any
       operation the call belongs to (PKCS#11 §5: any such error ends the operation). */
    put_u8(o, 0);
    put_u32(o, 1);
    return 1;
  }
  if (n > IHSM_MAX_ARRAY) {
    put_u8(o, 2);
    put_u32(o, 0);
    return 1;
  }
  put_u8(o, p != NULL);
  put_u32(o, p ? (uint32_t)n : 0);
  if (p) put_raw(o, p, n);
  return 1;
}

/* An output buffer the caller gives (or not) and its capacity. */
static int put_output(struct out *o, const void *p, const CK_ULONG *len) {
  if (!len) {
    /* No length pointer: refused by the bridge (an invalid flag), so the operation ends there too. */
    put_u8(o, 2);
    put_u64(o, 0);
    return 1;
  }
  put_u8(o, p != NULL);
  put_u64(o, *len);
  return 1;
}

static int put_template(struct out *o, const CK_ATTRIBUTE *t, CK_ULONG n) {
  if ((!t && n) || n > MAX_TEMPLATE) return 0;
  put_u32(o, (uint32_t)n);
  for (CK_ULONG i = 0; i < n; i++) {
    put_u64(o, t[i].type);
    if (!put_bytes(o, t[i].pValue, t[i].ulValueLen)) return 0;
  }
  return 1;
}

static int put_oaep(struct out *o, const CK_RSA_PKCS_OAEP_PARAMS *p) {
  put_u64(o, p->hashAlg);
  put_u64(o, p->mgf);
  put_u64(o, p->source);
  return put_bytes(o, p->pSourceData, p->ulSourceDataLen);
}

/* The mechanism and its parameter, flattened by kind (MechanismSpec.java reads the same). */
static CK_RV put_mechanism(struct out *o, const CK_MECHANISM *m) {
  if (!m) return CKR_ARGUMENTS_BAD;
  put_u64(o, m->mechanism);
  if (!m->pParameter) {
    if (m->ulParameterLen) return CKR_ARGUMENTS_BAD;
    put_u32(o, IHSM_PARAM_NONE);
    return CKR_OK;
  }
#define NEED(type) if (m->ulParameterLen != sizeof(type)) return CKR_MECHANISM_PARAM_INVALID
  switch (m->mechanism) {
  case CKM_RSA_PKCS_OAEP: {
    NEED(CK_RSA_PKCS_OAEP_PARAMS);
    put_u32(o, IHSM_PARAM_OAEP);
    return put_oaep(o, m->pParameter) ? CKR_OK : CKR_ARGUMENTS_BAD;
  }
  case CKM_AES_GCM: {
    NEED(CK_GCM_PARAMS);
    const CK_GCM_PARAMS *p = m->pParameter;
    put_u32(o, IHSM_PARAM_GCM);
    if (!put_bytes(o, p->pIv, p->ulIvLen)) return CKR_ARGUMENTS_BAD;
    put_u64(o, p->ulIvBits);
    if (!put_bytes(o, p->pAAD, p->ulAADLen)) return CKR_ARGUMENTS_BAD;
    put_u64(o, p->ulTagBits);
    return CKR_OK;
  }
  case CKM_ECDH1_DERIVE: {
    NEED(CK_ECDH1_DERIVE_PARAMS);
    const CK_ECDH1_DERIVE_PARAMS *p = m->pParameter;
    put_u32(o, IHSM_PARAM_ECDH);
    put_u64(o, p->kdf);
    if (!put_bytes(o, p->pSharedData, p->ulSharedDataLen)) return CKR_ARGUMENTS_BAD;
    return put_bytes(o, p->pPublicData, p->ulPublicDataLen) ? CKR_OK : CKR_ARGUMENTS_BAD;
  }
  case CKM_HKDF_DERIVE: {
    NEED(CK_HKDF_PARAMS);
    const CK_HKDF_PARAMS *p = m->pParameter;
    put_u32(o, IHSM_PARAM_HKDF);
    put_u8(o, p->bExtract != 0);
    put_u8(o, p->bExpand != 0);
    put_u64(o, p->prfHashMechanism);
    put_u64(o, p->ulSaltType);
    if (!put_bytes(o, p->pSalt, p->ulSaltLen)) return CKR_ARGUMENTS_BAD;
    put_u64(o, p->hSaltKey);
    return put_bytes(o, p->pInfo, p->ulInfoLen) ? CKR_OK : CKR_ARGUMENTS_BAD;
  }
  case CKM_SP800_108_COUNTER_KDF: {
    NEED(CK_SP800_108_KDF_PARAMS);
    const CK_SP800_108_KDF_PARAMS *p = m->pParameter;
    if ((!p->pDataParams && p->ulNumberOfDataParams) || p->ulNumberOfDataParams > 16) return CKR_MECHANISM_PARAM_INVALID;
    put_u32(o, IHSM_PARAM_KDF_108);
    put_u64(o, p->prfType);
    put_u32(o, (uint32_t)p->ulNumberOfDataParams);
    for (CK_ULONG i = 0; i < p->ulNumberOfDataParams; i++) {
      put_u64(o, p->pDataParams[i].type);
      if (!put_bytes(o, p->pDataParams[i].pValue, p->pDataParams[i].ulValueLen)) return CKR_ARGUMENTS_BAD;
    }
    put_u64(o, p->ulAdditionalDerivedKeys);
    return CKR_OK;
  }
  case CKM_RSA_AES_KEY_WRAP: {
    NEED(CK_RSA_AES_KEY_WRAP_PARAMS);
    const CK_RSA_AES_KEY_WRAP_PARAMS *p = m->pParameter;
    put_u32(o, IHSM_PARAM_RSA_AES);
    put_u64(o, p->ulAESKeyBits);
    put_u8(o, p->pOAEPParams != NULL);
    if (p->pOAEPParams && !put_oaep(o, p->pOAEPParams)) return CKR_ARGUMENTS_BAD;
    return CKR_OK;
  }
  case CKM_ML_DSA: {
    NEED(CK_SIGN_ADDITIONAL_CONTEXT);
    const CK_SIGN_ADDITIONAL_CONTEXT *p = m->pParameter;
    put_u32(o, IHSM_PARAM_SIGN_CONTEXT);
    put_u64(o, p->hedgeVariant);
    return put_bytes(o, p->pContext, p->ulContextLen) ? CKR_OK : CKR_ARGUMENTS_BAD;
  }
  default:
    /* Parameters without pointers (IVs, PSS parameters) go as they are in memory. */
    put_u32(o, IHSM_PARAM_RAW);
    return put_bytes(o, m->pParameter, m->ulParameterLen) ? CKR_OK : CKR_ARGUMENTS_BAD;
  }
#undef NEED
}

static unsigned get_u8(struct in *r) {
  if (r->bad || r->at + 1 > r->len) { r->bad = 1; return 0; }
  return r->p[r->at++];
}

static uint32_t get_u32(struct in *r) {
  if (r->bad || r->at + 4 > r->len) { r->bad = 1; return 0; }
  const unsigned char *b = r->p + r->at;
  r->at += 4;
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static uint64_t get_u64(struct in *r) {
  uint64_t hi = get_u32(r);
  return (hi << 32) | get_u32(r);
}

/* A byte array of the reply: points into the reply; *present says whether it was sent. */
static const unsigned char *get_bytes(struct in *r, uint32_t *n, int *present) {
  *present = (int)get_u8(r);
  *n = get_u32(r);
  if (r->bad || *n > r->len - r->at) { r->bad = 1; *n = 0; *present = 0; return NULL; }
  const unsigned char *p = r->p + r->at;
  r->at += *n;
  return p;
}

/* ---- the bridge connection */

static void close_bridge(void) {
  if (bridge_fd >= 0) close(bridge_fd);
  bridge_fd = -1;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return 0;
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

/*
 * Waits up to 50 µs for the reply to start, yielding the CPU, before the blocking read: the bridge
 * usually answers within that, and a thread that never slept is not woken (which costs more than
 * the call on a virtual machine; docs/performance.md).
 */
static void poll_briefly(int fd) {
  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned char b;
  do {
    ssize_t r = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (r != -1 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return;
    sched_yield();
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) < 50000L);
}

static int read_all(int fd, unsigned char *p, size_t n) {
  while (n) {
    ssize_t r = recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    p += r;
    n -= (size_t)r;
  }
  return 1;
}

/*
 * Sends one request (its function number first) and reads the reply into *reply (malloc'd; the
 * caller frees it). Returns the reply's CK_RV, or CKR_DEVICE_REMOVED when the bridge is gone or
 * does not answer in time (it is then stopped, so no later call hangs on it either).
 */
static CK_RV exchange(struct out *req, struct in *reply, unsigned char **buffer) {
  *buffer = NULL;
  if (req->failed) return req->too_large ? CKR_DATA_LEN_RANGE : CKR_HOST_MEMORY;
  if (bridge_fd < 0) return CKR_DEVICE_REMOVED;
  unsigned char head[4] = {(unsigned char)(req->len >> 24), (unsigned char)(req->len >> 16),
                           (unsigned char)(req->len >> 8), (unsigned char)req->len};
  if (!write_all(bridge_fd, head, 4) || !write_all(bridge_fd, req->p, req->len)) {
    close_bridge();
    return CKR_DEVICE_REMOVED;
  }
  poll_briefly(bridge_fd);
  if (!read_all(bridge_fd, head, 4)) {
    close_bridge();
    return CKR_DEVICE_REMOVED;
  }
  uint32_t n = ((uint32_t)head[0] << 24) | ((uint32_t)head[1] << 16) | ((uint32_t)head[2] << 8) | head[3];
  if (n < 8 || n > IHSM_MAX_FRAME || !(*buffer = malloc(n))) {
    close_bridge();
    return n < 8 || n > IHSM_MAX_FRAME ? CKR_DEVICE_ERROR : CKR_HOST_MEMORY;
  }
  if (!read_all(bridge_fd, *buffer, n)) {
    close_bridge();
    return CKR_DEVICE_REMOVED;
  }
  reply->p = *buffer;
  reply->len = n;
  reply->at = 0;
  reply->bad = 0;
  return (CK_RV)get_u64(reply);
}

/* The value of "key = value" in the file IHSM_PKCS11_CONF names, or NULL. */
static char *config_value(const char *key) {
  const char *file = getenv("IHSM_PKCS11_CONF");
  if (!file || !*file) return NULL;
  FILE *f = fopen(file, "r");
  if (!f) return NULL;
  char line[4096];
  char *found = NULL;
  size_t klen = strlen(key);
  while (!found && fgets(line, sizeof line, f)) {
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (strncmp(s, key, klen) != 0) continue;
    s += klen;
    while (*s == ' ' || *s == '\t') s++;
    if (*s != '=' && *s != ':') continue;
    s++;
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    found = strndup(s, n);
  }
  fclose(f);
  return found;
}

/* A setting: the configuration file's key, else the environment variable, else NULL (malloc'd). */
static char *setting(const char *key, const char *env) {
  char *v = config_value(key);
  if (v) return v;
  const char *e = env ? getenv(env) : NULL;
  return e && *e ? strdup(e) : NULL;
}

/*
 * A line in the application's bridge log (config "log" or IHSM_PKCS11_LOG), for what goes wrong
 * before the bridge can say it: the service's directory refused, the service not starting.
 */
static void module_log(const char *format, ...) {
  char *path = setting("log", "IHSM_PKCS11_LOG");
  if (!path) return;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  free(path);
  if (fd < 0) return;
  char line[1024];
  time_t now = time(NULL);
  struct tm tm;
  size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ihsm-pkcs11 module: ", gmtime_r(&now, &tm));
  va_list args;
  va_start(args, format);
  int m = vsnprintf(line + n, sizeof line - n - 1, format, args);
  va_end(args);
  n += m < 0 ? 0 : (size_t)m < sizeof line - n - 1 ? (size_t)m : sizeof line - n - 2;
  line[n++] = '\n';
  ssize_t ignored = write(fd, line, n);
  (void)ignored;
  close(fd);
}

/* The bridge launcher: the config's "bridge", else ihsm-pkcs11-bridge beside this library. */
static char *bridge_command(void) {
  char *configured = config_value("bridge");
  if (configured) return configured;
  Dl_info info;
  if (!dladdr((void *)&bridge_command, &info) || !info.dli_fname) return NULL;
  const char *slash = strrchr(info.dli_fname, '/');
  size_t dir = slash ? (size_t)(slash - info.dli_fname) : 1;
  char *cmd = malloc(dir + 32);
  if (!cmd) return NULL;
  snprintf(cmd, dir + 32, "%.*s/ihsm-pkcs11-bridge", (int)dir, slash ? info.dli_fname : ".");
  return cmd;
}

/*
 * The service's directory: config "bridge-dir" or IHSM_PKCS11_BRIDGE_DIR, else
 * $XDG_RUNTIME_DIR/ihsm-pkcs11, else /tmp/ihsm-pkcs11-<uid>. Made 0700 when missing; used only when
 * it is a real directory (not a link) of this user that no one else can enter, since whoever can
 * put a socket there would be answering this application's calls (and seeing its PINs).
 */
static char *bridge_dir(void) {
  char *dir = setting("bridge-dir", "IHSM_PKCS11_BRIDGE_DIR");
  if (!dir) {
    const char *run = getenv("XDG_RUNTIME_DIR");
    char buf[4096];
    if (run && *run == '/') {
      snprintf(buf, sizeof buf, "%s/ihsm-pkcs11", run);
    } else {
      snprintf(buf, sizeof buf, "/tmp/ihsm-pkcs11-%u", (unsigned)getuid());
    }
    dir = strdup(buf);
    if (!dir) return NULL;
  }
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    module_log("cannot make the bridge directory %s: %s", dir, strerror(errno));
    free(dir);
    return NULL;
  }
  struct stat st;
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
    module_log("refusing the bridge directory %s: it must be a directory of this user's with mode 0700", dir);
    free(dir);
    return NULL;
  }
  return dir;
}

/*
 * The service's name in its directory: one per launcher, so a rebuilt or upgraded bridge (a new
 * launcher file) gets a service of its own and the old one leaves when idle.
 */
static void service_name(const char *cmd, char *name, size_t size) {
  struct stat st;
  char id[4352];
  if (stat(cmd, &st) != 0) memset(&st, 0, sizeof st);
  snprintf(id, sizeof id, "%s|%llu|%llu|%lld.%09ld", cmd, (unsigned long long)st.st_ino,
           (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 0x100000001b3ull;
  snprintf(name, size, "bridge-%016llx", (unsigned long long)h);
}

/* A connection to the service, or -1; only to a service running as this user (SO_PEERCRED). */
static int connect_service(const char *path) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) return -1;
  memcpy(a.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  struct ucred peer;
  socklen_t len = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != getuid()) {
    module_log("refusing the bridge at %s: it does not run as this user", path);
    close(fd);
    return -1;
  }
  struct timeval tv = {REPLY_TIMEOUT_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

/*
 * Runs the launcher with "--service DIR NAME [IDLE]": it starts the service detached (a session of
 * its own, not this process's child) and returns at once; its exit status says whether it could.
 * The service gets a small environment of its own, not the application's (which may hold secrets).
 */
static int spawn_service(const char *cmd, const char *dir, const char *name) {
  char log_path[4200];
  snprintf(log_path, sizeof log_path, "%s/%s.log", dir, name);
  char *idle = config_value("bridge-idle-seconds");
  if (idle) {
    /* Checked here too: a service that refuses it would leave C_Initialize waiting for nothing. */
    char *end;
    long seconds = strtol(idle, &end, 10);
    if (*idle == '\0' || *end != '\0' || seconds < 1 || seconds > 604800) {
      module_log("bridge-idle-seconds must be 1 to 604800, not %s", idle);
      free(idle);
      return 0;
    }
  }
  char *argv[] = {(char *)cmd, "--service", (char *)dir, (char *)name, idle, NULL};
  const char *keep[] = {"PATH", "HOME", "LANG", "TMPDIR", "IHSM_PKCS11_JAVA", NULL};
  char *envp[8];
  int n = 0;
  for (int i = 0; keep[i]; i++) {
    for (char **e = environ; e && *e; e++) {
      size_t k = strlen(keep[i]);
      if (strncmp(*e, keep[i], k) == 0 && (*e)[k] == '=') {
        envp[n++] = *e;
        break;
      }
    }
  }
  envp[n] = NULL;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int ok = 0;
  if (posix_spawn_file_actions_init(&actions) != 0) goto no_actions;
  if (posix_spawnattr_init(&attr) != 0) goto no_attr;
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  /* The application's other descriptors (files, sockets, pipes) are not the service's business. */
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  int status = 0;
  if (posix_spawn(&pid, cmd, &actions, &attr, argv, envp) == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!ok) module_log("the bridge launcher %s did not start the service (see %s)", cmd, log_path);
  posix_spawnattr_destroy(&attr);
no_attr:
  posix_spawn_file_actions_destroy(&actions);
no_actions:
  free(idle);
  return ok;
}

/*
 * Connects to the user's bridge service, starting it when none answers, and waits for it to
 * listen. CKR_DEVICE_ERROR when there is no service and none can be started (no Java, no
 * launcher, a refused directory): the log says which.
 */
static CK_RV connect_bridge(void) {
  CK_RV rv = CKR_DEVICE_ERROR;
  char *cmd = bridge_command();
  char *dir = bridge_dir();
  char name[64], path[4200];
  if (!cmd || !dir) goto done;
  service_name(cmd, name, sizeof name);
  snprintf(path, sizeof path, "%s/%s.sock", dir, name);
  if (strlen(path) >= sizeof ((struct sockaddr_un *)0)->sun_path) {
    module_log("the bridge socket path %s is too long for a Unix socket", path);
    goto done;
  }
  bridge_fd = connect_service(path);
  if (bridge_fd < 0) {
    if (!spawn_service(cmd, dir, name)) goto done;
    for (int waited = 0; bridge_fd < 0 && waited < START_TIMEOUT_MS; waited += 5) {
      struct timespec pause = {0, 5 * 1000 * 1000};
      nanosleep(&pause, NULL);
      bridge_fd = connect_service(path);
    }
    if (bridge_fd < 0) module_log("the bridge service did not listen on %s in time", path);
  }
  if (bridge_fd >= 0) rv = CKR_OK;
done:
  free(cmd);
  free(dir);
  return rv;
}

/* In a forked child the parent's connection is not ours: forget it (the parent keeps it). */
static void after_fork_in_child(void) {
  pthread_mutex_init(&lock, NULL);
  if (bridge_fd >= 0) close(bridge_fd);
  bridge_fd = -1;
  owner_pid = -1;
}

__attribute__((constructor)) static void on_load(void) { pthread_atfork(NULL, NULL, after_fork_in_child); }

static int initialized(void) { return owner_pid == getpid(); }

/* ---- calls: start a request, send it under the lock, read the outputs */

#define BEGIN(fn)                                   \
  struct out req = {0};                             \
  struct in reply = {0};                            \
  unsigned char *buffer = NULL;                     \
  CK_RV rv;                                         \
  put_u32(&req, fn)

#define SEND()                                       \
  do {                                               \
    pthread_mutex_lock(&lock);                       \
    rv = initialized() ? exchange(&req, &reply, &buffer) : CKR_CRYPTOKI_NOT_INITIALIZED; \
    pthread_mutex_unlock(&lock);                     \
  } while (0)

/* Requests and replies may hold PINs, plaintexts or results: wiped before they are freed. */
#define END()                                    \
  if (req.p) explicit_bzero(req.p, req.cap);     \
  if (buffer) explicit_bzero(buffer, reply.len); \
  free(req.p);                                   \
  free(buffer);                                  \
  return rv

#define BAD_ARGUMENTS()                      \
  do {                                       \
    if (req.p) explicit_bzero(req.p, req.cap); \
    free(req.p);                             \
    return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED; \
  } while (0)

/* Reads an output the bridge sent for a caller's buffer: the length always, the bytes when they fit. */
static CK_RV take_output(struct in *r, CK_RV rv, CK_BYTE_PTR p, CK_ULONG_PTR len) {
  if (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL) return rv;
  uint64_t n = get_u64(r);
  uint32_t got;
  int present;
  const unsigned char *data = get_bytes(r, &got, &present);
  if (r->bad) return CKR_DEVICE_ERROR;
  if (rv == CKR_OK && p && present) {
    if (got > *len) return CKR_DEVICE_ERROR;
    memcpy(p, data, got);
  }
  *len = (CK_ULONG)n;
  return rv;
}

static CK_RV take_handle(struct in *r, CK_RV rv, CK_OBJECT_HANDLE_PTR h) {
  if (rv != CKR_OK) return rv;
  CK_ULONG v = (CK_ULONG)get_u64(r);
  if (r->bad) return CKR_DEVICE_ERROR;
  *h = v;
  return rv;
}

/* A list answer (slots, mechanisms): count, then the items when the caller's array holds them. */
static CK_RV take_list(struct in *r, CK_RV rv, CK_ULONG_PTR items, CK_ULONG_PTR count) {
  if (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL) return rv;
  uint64_t total = get_u64(r);
  uint32_t sent = get_u32(r);
  if (r->bad || (sent && (!items || sent > *count || sent != total))) return CKR_DEVICE_ERROR;
  for (uint32_t i = 0; i < sent; i++) items[i] = (CK_ULONG)get_u64(r);
  if (r->bad) return CKR_DEVICE_ERROR;
  *count = (CK_ULONG)total;
  return rv;
}

static void take_text(struct in *r, CK_UTF8CHAR *field, size_t size) {
  uint32_t n;
  int present;
  const unsigned char *s = get_bytes(r, &n, &present);
  memset(field, ' ', size);
  if (!r->bad) memcpy(field, s, n < size ? n : size);
}

static CK_VERSION take_version(struct in *r) {
  CK_VERSION v;
  v.major = (CK_BYTE)get_u8(r);
  v.minor = (CK_BYTE)get_u8(r);
  return v;
}

/* A setting the handshake carries: a name and its value. */
static void put_setting(struct out *o, const char *key, const char *value) {
  put_bytes(o, key, strlen(key));
  put_bytes(o, value, strlen(value));
}

/*
 * The first call on a connection: INITIALIZE with this application's settings (the variables that
 * configure the module, its working directory to resolve relative paths, its pid for the log). The
 * answer: CKR_OK once the bridge is configured, CKR_GENERAL_ERROR when it is not (its log says why),
 * CKR_DEVICE_REMOVED when the connection dropped.
 */
static CK_RV handshake(void) {
  static const char *names[] = {"IHSM_PKCS11_CONF", "IHSM_SOCKET_DIR", "IHSM_HOME", "IHSM_PKCS11_LOG",
                                "IHSM_PKCS11_TRACE", NULL};
  struct out req = {0};
  struct in reply = {0};
  unsigned char *buffer = NULL;
  char cwd[4096], pid[32];
  int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
  uint32_t count = 1 + (uint32_t)have_cwd;
  for (int i = 0; names[i]; i++) count += getenv(names[i]) != NULL;
  put_u32(&req, IHSM_FN_INITIALIZE);
  put_u32(&req, count);
  for (int i = 0; names[i]; i++) {
    if (getenv(names[i])) put_setting(&req, names[i], getenv(names[i]));
  }
  if (have_cwd) put_setting(&req, "cwd", cwd);
  snprintf(pid, sizeof pid, "%ld", (long)getpid());
  put_setting(&req, "pid", pid);
  CK_RV rv = exchange(&req, &reply, &buffer);
  if (req.p) explicit_bzero(req.p, req.cap);
  free(req.p);
  free(buffer);
  return rv;
}

/* ---- general purpose */

static CK_FUNCTION_LIST function_list;
static CK_FUNCTION_LIST_3_0 function_list_3_0;
static CK_FUNCTION_LIST_3_2 function_list_3_2;

EXPORT CK_RV C_Initialize(CK_VOID_PTR pInitArgs) {
  if (pInitArgs) {
    CK_C_INITIALIZE_ARGS *a = pInitArgs;
    int some = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
    int all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
    if (a->pReserved || (some && !all)) return CKR_ARGUMENTS_BAD;
    if (all && !(a->flags & CKF_OS_LOCKING_OK)) return CKR_CANT_LOCK;
  }
  pthread_mutex_lock(&lock);
  CK_RV rv;
  if (initialized()) {
    rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
  } else {
    rv = connect_bridge();
    if (rv == CKR_OK) rv = handshake();
    if (rv == CKR_DEVICE_REMOVED) {
      /* The service closed as we came (it was leaving, idle): once more, starting a new one. */
      close_bridge();
      rv = connect_bridge();
      if (rv == CKR_OK) rv = handshake();
    }
    if (rv == CKR_DEVICE_REMOVED) rv = CKR_DEVICE_ERROR;
    if (rv == CKR_OK) {
      owner_pid = getpid();
    } else {
      close_bridge();
    }
  }
  pthread_mutex_unlock(&lock);
  return rv;
}

EXPORT CK_RV C_Finalize(CK_VOID_PTR pReserved) {
  if (pReserved) return CKR_ARGUMENTS_BAD;
  BEGIN(IHSM_FN_FINALIZE);
  pthread_mutex_lock(&lock);
  if (!initialized()) {
    rv = CKR_CRYPTOKI_NOT_INITIALIZED;
  } else {
    exchange(&req, &reply, &buffer); /* the bridge closes its sessions; its answer does not matter */
    close_bridge();
    owner_pid = -1;
    rv = CKR_OK;
  }
  pthread_mutex_unlock(&lock);
  END();
}

EXPORT CK_RV C_GetInfo(CK_INFO_PTR pInfo) {
  if (!initialized()) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!pInfo) return CKR_ARGUMENTS_BAD;
  memset(pInfo, 0, sizeof *pInfo);
  pInfo->cryptokiVersion.major = 3;
  pInfo->cryptokiVersion.minor = 2;
  memset(pInfo->manufacturerID, ' ', sizeof pInfo->manufacturerID);
  memcpy(pInfo->manufacturerID, "ihsm", 4);
  memset(pInfo->libraryDescription, ' ', sizeof pInfo->libraryDescription);
  memcpy(pInfo->libraryDescription, "ihsm PKCS#11 module", 19);
  pInfo->libraryVersion.major = 0;
  pInfo->libraryVersion.minor = 1;
  return CKR_OK;
}

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST **ppFunctionList) {
  if (!ppFunctionList) return CKR_ARGUMENTS_BAD;
  *ppFunctionList = &function_list;
  return CKR_OK;
}

/* The newest first: C_GetInterface without a version gives 3.2, whose list begins as 3.0's does. */
static CK_INTERFACE interfaces[] = {
    {(CK_CHAR *)"PKCS 11", &function_list_3_2, 0},
    {(CK_CHAR *)"PKCS 11", &function_list_3_0, 0},
    {(CK_CHAR *)"PKCS 11", &function_list, 0},
};

EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount) {
  if (!pulCount) return CKR_ARGUMENTS_BAD;
  CK_ULONG n = sizeof interfaces / sizeof interfaces[0];
  if (!pInterfacesList) {
    *pulCount = n;
    return CKR_OK;
  }
  if (*pulCount < n) {
    *pulCount = n;
    return CKR_BUFFER_TOO_SMALL;
  }
  memcpy(pInterfacesList, interfaces, sizeof interfaces);
  *pulCount = n;
  return CKR_OK;
}

EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion, CK_INTERFACE_PTR_PTR ppInterface,
                            CK_FLAGS flags) {
  if (!ppInterface) return CKR_ARGUMENTS_BAD;
  for (size_t i = 0; i < sizeof interfaces / sizeof interfaces[0]; i++) {
    const CK_VERSION *v = interfaces[i].pFunctionList; /* each list starts with its version */
    if (pInterfaceName && strcmp((const char *)pInterfaceName, "PKCS 11") != 0) continue;
    if (pVersion && (pVersion->major != v->major || pVersion->minor != v->minor)) continue;
    if ((flags & interfaces[i].flags) != flags) continue;
    *ppInterface = &interfaces[i];
    return CKR_OK;
  }
  return CKR_ARGUMENTS_BAD;
}

/* ---- slots and tokens */

EXPORT CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount) {
  BEGIN(IHSM_FN_GET_SLOT_LIST);
  put_u8(&req, tokenPresent != 0);
  if (!put_output(&req, pSlotList, pulCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_list(&reply, rv, pSlotList, pulCount);
  END();
}

EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo) {
  if (!pInfo) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GET_SLOT_INFO);
  put_u64(&req, slotID);
  SEND();
  if (rv == CKR_OK) {
    take_text(&reply, pInfo->slotDescription, sizeof pInfo->slotDescription);
    take_text(&reply, pInfo->manufacturerID, sizeof pInfo->manufacturerID);
    pInfo->flags = (CK_FLAGS)get_u64(&reply);
    pInfo->hardwareVersion = take_version(&reply);
    pInfo->firmwareVersion = take_version(&reply);
    if (reply.bad) rv = CKR_DEVICE_ERROR;
  }
  END();
}

EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo) {
  if (!pInfo) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GET_TOKEN_INFO);
  put_u64(&req, slotID);
  SEND();
  if (rv == CKR_OK) {
    take_text(&reply, pInfo->label, sizeof pInfo->label);
    take_text(&reply, pInfo->manufacturerID, sizeof pInfo->manufacturerID);
    take_text(&reply, pInfo->model, sizeof pInfo->model);
    take_text(&reply, pInfo->serialNumber, sizeof pInfo->serialNumber);
    pInfo->flags = (CK_FLAGS)get_u64(&reply);
    pInfo->ulMaxSessionCount = (CK_ULONG)get_u64(&reply);
    pInfo->ulSessionCount = (CK_ULONG)get_u64(&reply);
    pInfo->ulMaxRwSessionCount = (CK_ULONG)get_u64(&reply);
    pInfo->ulRwSessionCount = (CK_ULONG)get_u64(&reply);
    pInfo->ulMaxPinLen = (CK_ULONG)get_u64(&reply);
    pInfo->ulMinPinLen = (CK_ULONG)get_u64(&reply);
    pInfo->ulTotalPublicMemory = (CK_ULONG)get_u64(&reply);
    pInfo->ulFreePublicMemory = (CK_ULONG)get_u64(&reply);
    pInfo->ulTotalPrivateMemory = (CK_ULONG)get_u64(&reply);
    pInfo->ulFreePrivateMemory = (CK_ULONG)get_u64(&reply);
    pInfo->hardwareVersion = take_version(&reply);
    pInfo->firmwareVersion = take_version(&reply);
    take_text(&reply, pInfo->utcTime, sizeof pInfo->utcTime);
    if (reply.bad) rv = CKR_DEVICE_ERROR;
  }
  END();
}

EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount) {
  BEGIN(IHSM_FN_GET_MECHANISM_LIST);
  put_u64(&req, slotID);
  if (!put_output(&req, pMechanismList, pulCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_list(&reply, rv, pMechanismList, pulCount);
  END();
}

EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo) {
  if (!pInfo) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GET_MECHANISM_INFO);
  put_u64(&req, slotID);
  put_u64(&req, type);
  SEND();
  if (rv == CKR_OK) {
    pInfo->ulMinKeySize = (CK_ULONG)get_u64(&reply);
    pInfo->ulMaxKeySize = (CK_ULONG)get_u64(&reply);
    pInfo->flags = (CK_FLAGS)get_u64(&reply);
    if (reply.bad) rv = CKR_DEVICE_ERROR;
  }
  END();
}

EXPORT CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel) {
  BEGIN(IHSM_FN_INIT_TOKEN);
  put_u64(&req, slotID);
  if (!put_bytes(&req, pPin, ulPinLen) || !put_bytes(&req, pLabel, pLabel ? 32 : 0)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  BEGIN(IHSM_FN_INIT_PIN);
  put_u64(&req, hSession);
  if (!put_bytes(&req, pPin, ulPinLen)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin,
                      CK_ULONG ulNewLen) {
  BEGIN(IHSM_FN_SET_PIN);
  put_u64(&req, hSession);
  if (!put_bytes(&req, pOldPin, ulOldLen) || !put_bytes(&req, pNewPin, ulNewLen)) BAD_ARGUMENTS();
  SEND();
  END();
}

/* ---- sessions */

EXPORT CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
                           CK_SESSION_HANDLE_PTR phSession) {
  (void)pApplication;
  (void)Notify; /* the module makes no callbacks */
  if (!phSession) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_OPEN_SESSION);
  put_u64(&req, slotID);
  put_u64(&req, flags);
  SEND();
  rv = take_handle(&reply, rv, phSession);
  END();
}

#define SESSION_ONLY(name, fn)                       \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession) {    \
    BEGIN(fn);                                       \
    put_u64(&req, hSession);                         \
    SEND();                                          \
    END();                                           \
  }

SESSION_ONLY(C_CloseSession, IHSM_FN_CLOSE_SESSION)
SESSION_ONLY(C_Logout, IHSM_FN_LOGOUT)
SESSION_ONLY(C_FindObjectsFinal, IHSM_FN_FIND_OBJECTS_FINAL)

EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slotID) {
  BEGIN(IHSM_FN_CLOSE_ALL_SESSIONS);
  put_u64(&req, slotID);
  SEND();
  END();
}

EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo) {
  if (!pInfo) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GET_SESSION_INFO);
  put_u64(&req, hSession);
  SEND();
  if (rv == CKR_OK) {
    pInfo->slotID = (CK_SLOT_ID)get_u64(&reply);
    pInfo->state = (CK_STATE)get_u64(&reply);
    pInfo->flags = (CK_FLAGS)get_u64(&reply);
    pInfo->ulDeviceError = (CK_ULONG)get_u64(&reply);
    if (reply.bad) rv = CKR_DEVICE_ERROR;
  }
  END();
}

EXPORT CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags) {
  BEGIN(IHSM_FN_SESSION_CANCEL);
  put_u64(&req, hSession);
  put_u64(&req, flags);
  SEND();
  END();
}

EXPORT CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  BEGIN(IHSM_FN_LOGIN);
  put_u64(&req, hSession);
  put_u64(&req, userType);
  if (!put_bytes(&req, pPin, ulPinLen)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                         CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen) {
  BEGIN(IHSM_FN_LOGIN_USER);
  put_u64(&req, hSession);
  put_u64(&req, userType);
  if (!put_bytes(&req, pPin, ulPinLen) || !put_bytes(&req, pUsername, ulUsernameLen)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                                 CK_ULONG_PTR pulOperationStateLen) {
  (void)hSession; (void)pOperationState; (void)pulOperationStateLen;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}

EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG ulOperationStateLen,
                                 CK_OBJECT_HANDLE hEncryptionKey, CK_OBJECT_HANDLE hAuthenticationKey) {
  (void)hSession; (void)pOperationState; (void)ulOperationStateLen; (void)hEncryptionKey; (void)hAuthenticationKey;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}

/* ---- objects */

EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                            CK_OBJECT_HANDLE_PTR phObject) {
  if (!phObject) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_CREATE_OBJECT);
  put_u64(&req, hSession);
  if (!put_template(&req, pTemplate, ulCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_handle(&reply, rv, phObject);
  END();
}

EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject) {
  if (!phNewObject) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_COPY_OBJECT);
  put_u64(&req, hSession);
  put_u64(&req, hObject);
  if (!put_template(&req, pTemplate, ulCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_handle(&reply, rv, phNewObject);
  END();
}

EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject) {
  BEGIN(IHSM_FN_DESTROY_OBJECT);
  put_u64(&req, hSession);
  put_u64(&req, hObject);
  SEND();
  END();
}

EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize) {
  if (!pulSize) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GET_OBJECT_SIZE);
  put_u64(&req, hSession);
  put_u64(&req, hObject);
  SEND();
  rv = take_handle(&reply, rv, pulSize);
  END();
}

EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                                 CK_ULONG ulCount) {
  BEGIN(IHSM_FN_GET_ATTRIBUTE_VALUE);
  put_u64(&req, hSession);
  put_u64(&req, hObject);
  if ((!pTemplate && ulCount) || ulCount > MAX_TEMPLATE) BAD_ARGUMENTS();
  put_u32(&req, (uint32_t)ulCount);
  for (CK_ULONG i = 0; i < ulCount; i++) {
    put_u64(&req, pTemplate[i].type);
    put_u8(&req, pTemplate[i].pValue != NULL);
    put_u64(&req, pTemplate[i].ulValueLen);
  }
  SEND();
  /* Every attribute gets its answer, whatever the overall CK_RV (sensitive, unknown, too small). */
  if (reply.len > reply.at) {
    uint32_t n = get_u32(&reply);
    if (n != ulCount) rv = CKR_DEVICE_ERROR;
    for (uint32_t i = 0; i < n && !reply.bad && rv != CKR_DEVICE_ERROR; i++) {
      uint64_t len = get_u64(&reply);
      uint32_t got;
      int present;
      const unsigned char *v = get_bytes(&reply, &got, &present);
      if (present) {
        if (!pTemplate[i].pValue || got > pTemplate[i].ulValueLen) { rv = CKR_DEVICE_ERROR; break; }
        memcpy(pTemplate[i].pValue, v, got);
      }
      pTemplate[i].ulValueLen = (CK_ULONG)len;
    }
    if (reply.bad) rv = CKR_DEVICE_ERROR;
  }
  END();
}

EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                                 CK_ULONG ulCount) {
  BEGIN(IHSM_FN_SET_ATTRIBUTE_VALUE);
  put_u64(&req, hSession);
  put_u64(&req, hObject);
  if (!put_template(&req, pTemplate, ulCount)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  BEGIN(IHSM_FN_FIND_OBJECTS_INIT);
  put_u64(&req, hSession);
  if (!put_template(&req, pTemplate, ulCount)) BAD_ARGUMENTS();
  SEND();
  END();
}

EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
                           CK_ULONG_PTR pulObjectCount) {
  if (!pulObjectCount || (!phObject && ulMaxObjectCount)) {
    return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  }
  BEGIN(IHSM_FN_FIND_OBJECTS);
  put_u64(&req, hSession);
  put_u64(&req, ulMaxObjectCount);
  SEND();
  if (rv == CKR_OK) {
    uint32_t n = get_u32(&reply);
    if (reply.bad || n > ulMaxObjectCount) {
      rv = CKR_DEVICE_ERROR;
    } else {
      for (uint32_t i = 0; i < n; i++) phObject[i] = (CK_OBJECT_HANDLE)get_u64(&reply);
      *pulObjectCount = n;
      if (reply.bad) rv = CKR_DEVICE_ERROR;
    }
  }
  END();
}

/* ---- cryptographic operations */

#define INIT_WITH_KEY(name, fn)                                                                    \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) { \
    BEGIN(fn);                                                                                     \
    put_u64(&req, hSession);                                                                       \
    CK_RV m = put_mechanism(&req, pMechanism);                                                     \
    if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }     \
    put_u64(&req, hKey);                                                                           \
    SEND();                                                                                        \
    END();                                                                                         \
  }

INIT_WITH_KEY(C_EncryptInit, IHSM_FN_ENCRYPT_INIT)
INIT_WITH_KEY(C_DecryptInit, IHSM_FN_DECRYPT_INIT)
INIT_WITH_KEY(C_SignInit, IHSM_FN_SIGN_INIT)
INIT_WITH_KEY(C_VerifyInit, IHSM_FN_VERIFY_INIT)

EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism) {
  BEGIN(IHSM_FN_DIGEST_INIT);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  SEND();
  END();
}

/* Input, then an output buffer: C_Encrypt, C_Decrypt, C_Digest, C_Sign and the two updates with output. */
#define IN_OUT(name, fn)                                                                          \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pIn, CK_ULONG ulInLen, CK_BYTE_PTR pOut, \
                    CK_ULONG_PTR pulOutLen) {                                                     \
    BEGIN(fn);                                                                                    \
    put_u64(&req, hSession);                                                                      \
    if (!put_bytes(&req, pIn, ulInLen) || !put_output(&req, pOut, pulOutLen)) BAD_ARGUMENTS();    \
    SEND();                                                                                       \
    rv = take_output(&reply, rv, pOut, pulOutLen);                                                \
    END();                                                                                        \
  }

IN_OUT(C_Encrypt, IHSM_FN_ENCRYPT)
IN_OUT(C_EncryptUpdate, IHSM_FN_ENCRYPT_UPDATE)
IN_OUT(C_Decrypt, IHSM_FN_DECRYPT)
IN_OUT(C_DecryptUpdate, IHSM_FN_DECRYPT_UPDATE)
IN_OUT(C_Digest, IHSM_FN_DIGEST)
IN_OUT(C_Sign, IHSM_FN_SIGN)

/* Output only: the Final calls. */
#define OUT_ONLY(name, fn)                                                                   \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOut, CK_ULONG_PTR pulOutLen) {  \
    BEGIN(fn);                                                                               \
    put_u64(&req, hSession);                                                                 \
    if (!put_output(&req, pOut, pulOutLen)) BAD_ARGUMENTS();                                 \
    SEND();                                                                                  \
    rv = take_output(&reply, rv, pOut, pulOutLen);                                           \
    END();                                                                                   \
  }

OUT_ONLY(C_EncryptFinal, IHSM_FN_ENCRYPT_FINAL)
OUT_ONLY(C_DecryptFinal, IHSM_FN_DECRYPT_FINAL)
OUT_ONLY(C_DigestFinal, IHSM_FN_DIGEST_FINAL)
OUT_ONLY(C_SignFinal, IHSM_FN_SIGN_FINAL)

/* Input only: the updates without output, and C_VerifyFinal (the signature is its input). */
#define IN_ONLY(name, fn)                                                             \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pIn, CK_ULONG ulInLen) {  \
    BEGIN(fn);                                                                        \
    put_u64(&req, hSession);                                                          \
    if (!put_bytes(&req, pIn, ulInLen)) BAD_ARGUMENTS();                              \
    SEND();                                                                           \
    END();                                                                            \
  }

IN_ONLY(C_DigestUpdate, IHSM_FN_DIGEST_UPDATE)
IN_ONLY(C_SignUpdate, IHSM_FN_SIGN_UPDATE)
IN_ONLY(C_VerifyUpdate, IHSM_FN_VERIFY_UPDATE)
IN_ONLY(C_VerifyFinal, IHSM_FN_VERIFY_FINAL)
IN_ONLY(C_SeedRandom, IHSM_FN_SEED_RANDOM)

EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey) {
  BEGIN(IHSM_FN_DIGEST_KEY);
  put_u64(&req, hSession);
  put_u64(&req, hKey);
  SEND();
  END();
}

EXPORT CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                      CK_ULONG ulSignatureLen) {
  BEGIN(IHSM_FN_VERIFY);
  put_u64(&req, hSession);
  if (!put_bytes(&req, pData, ulDataLen) || !put_bytes(&req, pSignature, ulSignatureLen)) BAD_ARGUMENTS();
  SEND();
  END();
}

/* Sign/verify with recovery and the dual-function updates are not offered by any mechanism here. */
EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) {
  (void)h; (void)m; (void)k;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}
EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl) {
  (void)h; (void)d; (void)dl; (void)s; (void)sl;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}
EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) {
  (void)h; (void)m; (void)k;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}
EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sl, CK_BYTE_PTR d, CK_ULONG_PTR dl) {
  (void)h; (void)s; (void)sl; (void)d; (void)dl;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}
#define DUAL(name)                                                                              \
  EXPORT CK_RV name(CK_SESSION_HANDLE h, CK_BYTE_PTR a, CK_ULONG al, CK_BYTE_PTR b, CK_ULONG_PTR bl) { \
    (void)h; (void)a; (void)al; (void)b; (void)bl;                                              \
    return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;           \
  }
DUAL(C_DigestEncryptUpdate)
DUAL(C_DecryptDigestUpdate)
DUAL(C_SignEncryptUpdate)
DUAL(C_DecryptVerifyUpdate)

/* ---- keys */

EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate,
                           CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey) {
  if (!phKey) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GENERATE_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  if (!put_template(&req, pTemplate, ulCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_handle(&reply, rv, phKey);
  END();
}

EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                               CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                               CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                               CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey) {
  if (!phPublicKey || !phPrivateKey) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GENERATE_KEY_PAIR);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  if (!put_template(&req, pPublicKeyTemplate, ulPublicKeyAttributeCount)
      || !put_template(&req, pPrivateKeyTemplate, ulPrivateKeyAttributeCount)) BAD_ARGUMENTS();
  SEND();
  if (rv == CKR_OK) {
    CK_OBJECT_HANDLE pub = (CK_OBJECT_HANDLE)get_u64(&reply);
    CK_OBJECT_HANDLE priv = (CK_OBJECT_HANDLE)get_u64(&reply);
    if (reply.bad) {
      rv = CKR_DEVICE_ERROR;
    } else {
      *phPublicKey = pub;
      *phPrivateKey = priv;
    }
  }
  END();
}

EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey,
                       CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen) {
  BEGIN(IHSM_FN_WRAP_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  put_u64(&req, hWrappingKey);
  put_u64(&req, hKey);
  if (!put_output(&req, pWrappedKey, pulWrappedKeyLen)) BAD_ARGUMENTS();
  SEND();
  rv = take_output(&reply, rv, pWrappedKey, pulWrappedKeyLen);
  END();
}

EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey,
                         CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
                         CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  if (!phKey) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_UNWRAP_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  put_u64(&req, hUnwrappingKey);
  if (!put_bytes(&req, pWrappedKey, ulWrappedKeyLen) || !put_template(&req, pTemplate, ulAttributeCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_handle(&reply, rv, phKey);
  END();
}

EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey,
                         CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  if (!phKey) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_DERIVE_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  put_u64(&req, hBaseKey);
  if (!put_template(&req, pTemplate, ulAttributeCount)) BAD_ARGUMENTS();
  SEND();
  rv = take_handle(&reply, rv, phKey);
  END();
}

EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen) {
  if (!RandomData && ulRandomLen) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_GENERATE_RANDOM);
  put_u64(&req, hSession);
  put_u64(&req, ulRandomLen);
  SEND();
  if (rv == CKR_OK) {
    uint32_t n;
    int present;
    const unsigned char *p = get_bytes(&reply, &n, &present);
    if (reply.bad || n != ulRandomLen) {
      rv = CKR_DEVICE_ERROR;
    } else if (n) {
      memcpy(RandomData, p, n);
    }
  }
  END();
}

EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession) {
  (void)hSession;
  return initialized() ? CKR_FUNCTION_NOT_PARALLEL : CKR_CRYPTOKI_NOT_INITIALIZED;
}

EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession) {
  (void)hSession;
  return initialized() ? CKR_FUNCTION_NOT_PARALLEL : CKR_CRYPTOKI_NOT_INITIALIZED;
}

EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved) {
  (void)flags; (void)pSlot; (void)pReserved;
  return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}

/* ---- key encapsulation (3.2) */

EXPORT CK_RV C_EncapsulateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hPublicKey,
                              CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_BYTE_PTR pCiphertext,
                              CK_ULONG_PTR pulCiphertextLen, CK_OBJECT_HANDLE_PTR phKey) {
  if (!phKey && pCiphertext) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_ENCAPSULATE_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  put_u64(&req, hPublicKey);
  if (!put_template(&req, pTemplate, ulAttributeCount) || !put_output(&req, pCiphertext, pulCiphertextLen)) {
    BAD_ARGUMENTS();
  }
  SEND();
  rv = take_output(&reply, rv, pCiphertext, pulCiphertextLen);
  /* A key is made only when the ciphertext was delivered; a length query makes none. */
  if (rv == CKR_OK && pCiphertext) rv = take_handle(&reply, rv, phKey);
  END();
}

EXPORT CK_RV C_DecapsulateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hPrivateKey,
                              CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_BYTE_PTR pCiphertext,
                              CK_ULONG ulCiphertextLen, CK_OBJECT_HANDLE_PTR phKey) {
  if (!phKey) return initialized() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
  BEGIN(IHSM_FN_DECAPSULATE_KEY);
  put_u64(&req, hSession);
  CK_RV m = put_mechanism(&req, pMechanism);
  if (m != CKR_OK) { free(req.p); return initialized() ? m : CKR_CRYPTOKI_NOT_INITIALIZED; }
  put_u64(&req, hPrivateKey);
  if (!put_template(&req, pTemplate, ulAttributeCount) || !put_bytes(&req, pCiphertext, ulCiphertextLen)) {
    BAD_ARGUMENTS();
  }
  SEND();
  rv = take_handle(&reply, rv, phKey);
  END();
}

/* ---- message-based functions (3.0): not offered; every mechanism here is single or multi-part */

#define NOT_OFFERED(name, args, uses) \
  EXPORT CK_RV name args {            \
    uses;                             \
    return initialized() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED; \
  }

NOT_OFFERED(C_MessageEncryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (void)h; (void)m; (void)k)
NOT_OFFERED(C_EncryptMessage, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al, CK_BYTE_PTR d,
    CK_ULONG dl, CK_BYTE_PTR c, CK_ULONG_PTR cl), (void)h; (void)p; (void)pl; (void)a; (void)al; (void)d; (void)dl; (void)c; (void)cl)
NOT_OFFERED(C_EncryptMessageBegin, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al),
    (void)h; (void)p; (void)pl; (void)a; (void)al)
NOT_OFFERED(C_EncryptMessageNext, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
    CK_BYTE_PTR c, CK_ULONG_PTR cl, CK_FLAGS f), (void)h; (void)p; (void)pl; (void)d; (void)dl; (void)c; (void)cl; (void)f)
NOT_OFFERED(C_MessageEncryptFinal, (CK_SESSION_HANDLE h), (void)h)
NOT_OFFERED(C_MessageDecryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (void)h; (void)m; (void)k)
NOT_OFFERED(C_DecryptMessage, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al, CK_BYTE_PTR c,
    CK_ULONG cl, CK_BYTE_PTR d, CK_ULONG_PTR dl), (void)h; (void)p; (void)pl; (void)a; (void)al; (void)c; (void)cl; (void)d; (void)dl)
NOT_OFFERED(C_DecryptMessageBegin, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al),
    (void)h; (void)p; (void)pl; (void)a; (void)al)
NOT_OFFERED(C_DecryptMessageNext, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR c, CK_ULONG cl,
    CK_BYTE_PTR d, CK_ULONG_PTR dl, CK_FLAGS f), (void)h; (void)p; (void)pl; (void)c; (void)cl; (void)d; (void)dl; (void)f)
NOT_OFFERED(C_MessageDecryptFinal, (CK_SESSION_HANDLE h), (void)h)
NOT_OFFERED(C_MessageSignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (void)h; (void)m; (void)k)
NOT_OFFERED(C_SignMessage, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s,
    CK_ULONG_PTR sl), (void)h; (void)p; (void)pl; (void)d; (void)dl; (void)s; (void)sl)
NOT_OFFERED(C_SignMessageBegin, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
NOT_OFFERED(C_SignMessageNext, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
    CK_BYTE_PTR s, CK_ULONG_PTR sl), (void)h; (void)p; (void)pl; (void)d; (void)dl; (void)s; (void)sl)
NOT_OFFERED(C_MessageSignFinal, (CK_SESSION_HANDLE h), (void)h)
NOT_OFFERED(C_MessageVerifyInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (void)h; (void)m; (void)k)
NOT_OFFERED(C_VerifyMessage, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s,
    CK_ULONG sl), (void)h; (void)p; (void)pl; (void)d; (void)dl; (void)s; (void)sl)
NOT_OFFERED(C_VerifyMessageBegin, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
NOT_OFFERED(C_VerifyMessageNext, (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
    CK_BYTE_PTR s, CK_ULONG sl), (void)h; (void)p; (void)pl; (void)d; (void)dl; (void)s; (void)sl)
NOT_OFFERED(C_MessageVerifyFinal, (CK_SESSION_HANDLE h), (void)h)

/* ---- 3.2's other functions: not offered (no signature-first verification, no asynchronous calls,
   no authenticated wrapping: none of the module's mechanisms needs them) */

NOT_OFFERED(C_VerifySignatureInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k, CK_BYTE_PTR s,
    CK_ULONG sl), (void)h; (void)m; (void)k; (void)s; (void)sl)
NOT_OFFERED(C_VerifySignature, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl), (void)h; (void)d; (void)dl)
NOT_OFFERED(C_VerifySignatureUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
NOT_OFFERED(C_VerifySignatureFinal, (CK_SESSION_HANDLE h), (void)h)
NOT_OFFERED(C_GetSessionValidationFlags, (CK_SESSION_HANDLE h, CK_SESSION_VALIDATION_FLAGS_TYPE t, CK_FLAGS *f),
    (void)h; (void)t; (void)f)
NOT_OFFERED(C_AsyncComplete, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR n, CK_ASYNC_DATA_PTR r), (void)h; (void)n; (void)r)
NOT_OFFERED(C_AsyncGetID, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR n, CK_ULONG_PTR i), (void)h; (void)n; (void)i)
NOT_OFFERED(C_AsyncJoin, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR n, CK_ULONG i, CK_BYTE_PTR d, CK_ULONG dl),
    (void)h; (void)n; (void)i; (void)d; (void)dl)
NOT_OFFERED(C_WrapKeyAuthenticated, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
    CK_BYTE_PTR a, CK_ULONG al, CK_BYTE_PTR o, CK_ULONG_PTR ol), (void)h; (void)m; (void)w; (void)k; (void)a; (void)al;
    (void)o; (void)ol)
NOT_OFFERED(C_UnwrapKeyAuthenticated, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w,
    CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG tl, CK_BYTE_PTR a, CK_ULONG al, CK_OBJECT_HANDLE_PTR k), (void)h; (void)m;
    (void)u; (void)w; (void)wl; (void)t; (void)tl; (void)a; (void)al; (void)k)

/* ---- the function lists, filled from the same X-lists as their types */

#define IHSM_ENTRY(name, args) name,

static CK_FUNCTION_LIST function_list = {{2, 40}, IHSM_FUNCTIONS_2_40(IHSM_ENTRY)};
static CK_FUNCTION_LIST_3_0 function_list_3_0 = {{3, 0}, IHSM_FUNCTIONS_2_40(IHSM_ENTRY) IHSM_FUNCTIONS_3_0(IHSM_ENTRY)};
static CK_FUNCTION_LIST_3_2 function_list_3_2 = {
    {3, 2}, IHSM_FUNCTIONS_2_40(IHSM_ENTRY) IHSM_FUNCTIONS_3_0(IHSM_ENTRY) IHSM_FUNCTIONS_3_2(IHSM_ENTRY)};
