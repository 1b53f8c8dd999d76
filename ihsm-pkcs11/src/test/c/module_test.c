/*
 * Calls libihsm-pkcs11.so the way an application does, with bad input on purpose, and checks each
 * answer. Run by Pkcs11ModuleTest: `module-test MODULE running PIN` against a live daemon, or
 * `module-test MODULE stopped` after the daemon is gone; `mechanisms PIN` runs every mechanism family,
 * `import PIN HEX` unwraps a key the host wrapped for the partition (CKM_RSA_AES_KEY_WRAP), `lockout
 * PIN` shows the PIN flags following the device's lockout, `owner PIN SO-PIN` the security officer,
 * `postquantum PIN HEX` PKCS#11 3.2's ML-DSA and ML-KEM (HEX: an ML-KEM-768 public key to encapsulate to),
 * `midway PIN` a daemon stopping under an open session, `staterules PIN` PKCS#11's operation state rules,
 * `holdlogin PIN` and `public` two applications' logins on one bridge service, `servicekilled PIN`
 * the service killed under a session, `nobridge` no service to be had. Prints "ok NAME" per check, or
 * "FAIL NAME: got 0x.. want 0x.."; exits 1 if any check failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ck.h"

#define CKR_SLOT_ID_INVALID 0x03UL
#define CKR_ATTRIBUTE_SENSITIVE 0x11UL
#define CKR_ATTRIBUTE_TYPE_INVALID 0x12UL
#define CKR_KEY_HANDLE_INVALID 0x60UL
#define CKR_KEY_TYPE_INCONSISTENT 0x63UL
#define CKR_KEY_FUNCTION_NOT_PERMITTED 0x68UL
#define CKR_MECHANISM_INVALID 0x70UL
#define CKR_OBJECT_HANDLE_INVALID 0x82UL
#define CKR_OPERATION_ACTIVE 0x90UL
#define CKR_OPERATION_NOT_INITIALIZED 0x91UL
#define CKR_PIN_INCORRECT 0xA0UL
#define CKR_SESSION_HANDLE_INVALID 0xB3UL
#define CKR_SESSION_READ_ONLY 0xB5UL
#define CKR_SIGNATURE_INVALID 0xC0UL
#define CKR_TEMPLATE_INCONSISTENT 0xD1UL
#define CKR_TOKEN_NOT_PRESENT 0xE0UL
#define CKR_USER_NOT_LOGGED_IN 0x101UL
#define CKR_USER_TYPE_INVALID 0x103UL
#define CKF_RW_SESSION 0x2UL
#define CKF_SERIAL_SESSION 0x4UL
#define CKF_USER_PIN_COUNT_LOW 0x10000UL
#define CKU_SO 0UL
#define CKU_USER 1UL
#define CKA_CLASS 0x0UL
#define CKA_TOKEN 0x1UL
#define CKA_LABEL 0x3UL
#define CKA_VALUE 0x11UL
#define CKA_KEY_TYPE 0x100UL
#define CKA_SIGN 0x108UL
#define CKA_DECRYPT 0x105UL
#define CKA_VERIFY 0x10AUL
#define CKA_EC_PARAMS 0x180UL
#define CKA_VALUE_LEN 0x161UL
#define CKO_SECRET_KEY 4UL
#define CKK_AES 0x1FUL
#define CKM_EC_KEY_PAIR_GEN 0x1040UL
#define CKM_ECDSA_SHA256 0x1044UL
#define CKM_AES_KEY_GEN 0x1080UL
#define CKM_AES_CBC_PAD 0x1085UL
#define CKM_MD5 0x210UL

typedef CK_ULONG CK_KEY_TYPE_;
typedef struct { CK_ULONG hashAlg; CK_ULONG mgf; CK_ULONG sLen; } CK_RSA_PKCS_PSS_PARAMS_;

static CK_FUNCTION_LIST_3_0 *f;
static int failures;

static void expect(const char *name, CK_RV got, CK_RV want) {
  if (got == want) {
    printf("ok %s\n", name);
  } else {
    printf("FAIL %s: got 0x%lx want 0x%lx\n", name, got, want);
    failures++;
  }
}

static void check(const char *name, int ok) {
  if (ok) {
    printf("ok %s\n", name);
  } else {
    printf("FAIL %s\n", name);
    failures++;
  }
}

/* CKF_OS_LOCKING_OK: threads sign side by side, each in its own session, with a key of another session. */
static CK_OBJECT_HANDLE shared_key;

static void *signer_thread(void *unused) {
  (void)unused;
  CK_SLOT_ID slots[1];
  CK_ULONG n = 1;
  CK_SESSION_HANDLE s;
  intptr_t ok = 0;
  if (f->C_GetSlotList(0, slots, &n) != CKR_OK || f->C_OpenSession(slots[0], 0x4UL, NULL, NULL, &s) != CKR_OK) {
    return (void *)ok;
  }
  CK_MECHANISM m = {0x1044UL, NULL, 0};
  CK_BYTE data[] = "threads", sig[64];
  for (int i = 0; i < 10; i++) {
    CK_ULONG len = sizeof sig;
    if (f->C_SignInit(s, &m, shared_key) == CKR_OK && f->C_Sign(s, data, 7, sig, &len) == CKR_OK && len == 64) {
      ok++;
    }
  }
  f->C_CloseSession(s);
  return (void *)ok;
}

/*
 * Whether a bridge service (a process running io.ihsm.pkcs11.Bridge) holds a descriptor on the file
 * at path; *services counts the services seen, so that the check is not vacuous.
 */
static int bridge_holds(const char *path, int *services) {
  *services = 0;
  DIR *proc = opendir("/proc");
  if (!proc) return 0;
  int found = 0;
  for (struct dirent *p = readdir(proc); p && !found; p = readdir(proc)) {
    if (p->d_name[0] < '0' || p->d_name[0] > '9') continue;
    char file[300], cmdline[8192];
    snprintf(file, sizeof file, "/proc/%s/cmdline", p->d_name);
    FILE *c = fopen(file, "r");
    if (!c) continue;
    size_t n = fread(cmdline, 1, sizeof cmdline - 1, c);
    fclose(c);
    for (size_t i = 0; i < n; i++) if (!cmdline[i]) cmdline[i] = ' ';
    cmdline[n] = 0;
    if (!strstr(cmdline, "io.ihsm.pkcs11.Bridge")) continue;
    (*services)++;
    char dir[300];
    snprintf(dir, sizeof dir, "/proc/%s/fd", p->d_name);
    DIR *d = opendir(dir);
    if (!d) continue;
    for (struct dirent *e = readdir(d); e && !found; e = readdir(d)) {
      char link[700], target[512];
      snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
      ssize_t len = readlink(link, target, sizeof target - 1);
      if (len > 0) {
        target[len] = 0;
        found = strcmp(target, path) == 0;
      }
    }
    closedir(d);
  }
  closedir(proc);
  return found;
}

static CK_SLOT_ID first_slot(void) {
  CK_SLOT_ID slots[8];
  CK_ULONG n = 8;
  if (f->C_GetSlotList(0, slots, &n) != CKR_OK || n == 0) return (CK_SLOT_ID)-1;
  return slots[0];
}

static void running(const char *pin) {
  CK_BBOOL yes = 1;
  expect("initialize twice", f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
  expect("get info with NULL", f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
  expect("slot list with NULL count", f->C_GetSlotList(0, NULL, NULL), CKR_ARGUMENTS_BAD);
  CK_ULONG count = 0;
  expect("slot list count query", f->C_GetSlotList(0, NULL, &count), CKR_OK);
  check("one slot", count == 1);
  CK_SLOT_ID none[1];
  CK_ULONG zero = 0;
  expect("slot list into a short array", f->C_GetSlotList(0, none, &zero), CKR_BUFFER_TOO_SMALL);
  check("short array told the count", zero == 1);
  CK_SLOT_ID slot = first_slot();
  CK_SLOT_INFO si;
  expect("slot info of a missing slot", f->C_GetSlotInfo(slot + 1000, &si), CKR_SLOT_ID_INVALID);
  expect("slot info into NULL", f->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
  CK_MECHANISM_INFO mi;
  expect("an unsupported mechanism", f->C_GetMechanismInfo(slot, CKM_MD5, &mi), CKR_MECHANISM_INVALID);

  CK_SESSION_HANDLE ro, rw;
  expect("open session with NULL handle", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
  expect("open read-only session", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
  expect("open read/write session", f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &rw), CKR_OK);
  expect("close an unknown session", f->C_CloseSession(rw + 1000), CKR_SESSION_HANDLE_INVALID);
  CK_BYTE random[32];
  expect("random on an unknown session", f->C_GenerateRandom(rw + 1000, random, sizeof random), CKR_SESSION_HANDLE_INVALID);
  expect("random into NULL", f->C_GenerateRandom(rw, NULL, 16), CKR_ARGUMENTS_BAD);

  CK_MECHANISM aesgen = {CKM_AES_KEY_GEN, NULL, 0};
  CK_ULONG len32 = 32;
  CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
  CK_ATTRIBUTE aes_template[] = {{CKA_CLASS, &secret, sizeof secret}, {CKA_VALUE_LEN, &len32, sizeof len32},
                                 {CKA_TOKEN, &yes, 1}};
  CK_OBJECT_HANDLE aes;
  expect("generate before login", f->C_GenerateKey(rw, &aesgen, aes_template, 3, &aes), CKR_USER_NOT_LOGGED_IN);
  expect("login with a wrong PIN", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) "wrong-pin-0000", 14), CKR_PIN_INCORRECT);
  CK_TOKEN_INFO ti;
  expect("token info after a wrong PIN", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("PIN count low flag after a failure", (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0);
  expect("login as SO with a read-only session open", f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR) pin, strlen(pin)), 0xB7UL);
  expect("login with a NULL PIN", f->C_Login(rw, CKU_USER, NULL, 8), CKR_ARGUMENTS_BAD);
  expect("login", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  expect("login twice", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), 0x100UL);
  expect("token object in a read-only session", f->C_GenerateKey(ro, &aesgen, aes_template, 3, &aes), CKR_SESSION_READ_ONLY);
  CK_ATTRIBUTE bad_template[] = {{CKA_CLASS, &secret, sizeof secret}, {CKA_VALUE_LEN, &len32, sizeof len32},
                                 {0x7fff0001UL, &yes, 1}};
  expect("an unknown attribute", f->C_GenerateKey(rw, &aesgen, bad_template, 3, &aes), CKR_ATTRIBUTE_TYPE_INVALID);
  CK_ATTRIBUTE two_usages[] = {{CKA_CLASS, &secret, sizeof secret}, {CKA_VALUE_LEN, &len32, sizeof len32},
                               {CKA_SIGN, &yes, 1}, {CKA_DECRYPT, &yes, 1}};
  expect("two usages for one key", f->C_GenerateKey(rw, &aesgen, two_usages, 4, &aes), CKR_TEMPLATE_INCONSISTENT);
  expect("generate an AES key", f->C_GenerateKey(rw, &aesgen, aes_template, 3, &aes), CKR_OK);

  CK_BYTE value[64];
  CK_ATTRIBUTE sensitive[] = {{CKA_VALUE, value, sizeof value}};
  expect("read a secret key's value", f->C_GetAttributeValue(rw, aes, sensitive, 1), CKR_ATTRIBUTE_SENSITIVE);
  check("the value's length is unavailable", sensitive[0].ulValueLen == (CK_ULONG)-1);
  CK_BYTE small[1];
  CK_ATTRIBUTE too_small[] = {{CKA_VALUE_LEN, small, sizeof small}};
  expect("attribute into a short buffer", f->C_GetAttributeValue(rw, aes, too_small, 1), CKR_BUFFER_TOO_SMALL);
  CK_ATTRIBUTE length_query[] = {{CKA_VALUE_LEN, NULL, 0}};
  expect("attribute length query", f->C_GetAttributeValue(rw, aes, length_query, 1), CKR_OK);
  check("attribute length is a CK_ULONG", length_query[0].ulValueLen == sizeof(CK_ULONG));
  expect("attributes of an unknown object", f->C_GetAttributeValue(rw, 999999, length_query, 1), CKR_OBJECT_HANDLE_INVALID);

  CK_BYTE iv[16] = {0};
  CK_MECHANISM cbc = {CKM_AES_CBC_PAD, iv, sizeof iv};
  CK_MECHANISM cbc_short_iv = {CKM_AES_CBC_PAD, iv, 3};
  expect("CBC with a 3-byte IV", f->C_EncryptInit(rw, &cbc_short_iv, aes), 0x71UL);
  expect("encrypt with an unknown key", f->C_EncryptInit(rw, &cbc, 999999), CKR_KEY_HANDLE_INVALID);
  expect("encrypt with no mechanism", f->C_EncryptInit(rw, NULL, aes), CKR_ARGUMENTS_BAD);
  CK_BYTE plain[20] = "twenty bytes of text", cipher[64];
  CK_ULONG clen = sizeof cipher;
  expect("encrypt before init", f->C_Encrypt(rw, plain, sizeof plain, cipher, &clen), CKR_OPERATION_NOT_INITIALIZED);
  expect("encrypt init", f->C_EncryptInit(rw, &cbc, aes), CKR_OK);
  expect("encrypt init again", f->C_EncryptInit(rw, &cbc, aes), CKR_OPERATION_ACTIVE);
  CK_ULONG need = 0;
  expect("encrypt length query", f->C_Encrypt(rw, plain, sizeof plain, NULL, &need), CKR_OK);
  check("length query says 32", need == 32);
  CK_ULONG tiny = 4;
  expect("encrypt into a short buffer", f->C_Encrypt(rw, plain, sizeof plain, cipher, &tiny), CKR_BUFFER_TOO_SMALL);
  check("short buffer told the length", tiny == 32);
  expect("encrypt with NULL length", f->C_Encrypt(rw, plain, sizeof plain, cipher, NULL), CKR_ARGUMENTS_BAD);
  /* That error ended the operation (PKCS#11 §5.2): it starts again. */
  expect("encrypt init after the error ended it", f->C_EncryptInit(rw, &cbc, aes), CKR_OK);
  expect("encrypt", f->C_Encrypt(rw, plain, sizeof plain, cipher, &clen), CKR_OK);
  /* Inputs beyond what the bridge takes (1 MiB) or a frame holds (4 MiB) are refused, not sent or buffered. */
  CK_BYTE *big = calloc(5u << 20, 1);
  CK_ULONG none_out = 0;
  expect("encrypt init for big inputs", f->C_EncryptInit(rw, &cbc, aes), CKR_OK);
  expect("a 2 MiB part", f->C_EncryptUpdate(rw, big, 2u << 20, NULL, &none_out), 0x21UL);
  expect("encrypt init again for big inputs", f->C_EncryptInit(rw, &cbc, aes), CKR_OK);
  expect("a 5 MiB part", f->C_EncryptUpdate(rw, big, 5u << 20, NULL, &none_out), 0x21UL);
  free(big);
  expect("the operation ended with the oversized part", f->C_EncryptFinal(rw, NULL, &none_out),
         CKR_OPERATION_NOT_INITIALIZED);
  CK_BYTE back[64];
  CK_ULONG blen = sizeof back;
  expect("decrypt init", f->C_DecryptInit(rw, &cbc, aes), CKR_OK);
  expect("decrypt", f->C_Decrypt(rw, cipher, clen, back, &blen), CKR_OK);
  check("round trip", blen == sizeof plain && memcmp(back, plain, blen) == 0);
  CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
  expect("sign with an AES key", f->C_SignInit(rw, &ecdsa, aes), CKR_KEY_FUNCTION_NOT_PERMITTED);

  CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_ATTRIBUTE pub_t[] = {{CKA_EC_PARAMS, p256, sizeof p256}, {CKA_VERIFY, &yes, 1}};
  CK_ATTRIBUTE priv_t[] = {{CKA_SIGN, &yes, 1}};
  CK_MECHANISM ecgen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
  CK_OBJECT_HANDLE pub, priv;
  expect("EC key pair as session objects", f->C_GenerateKeyPair(rw, &ecgen, pub_t, 2, priv_t, 1, &pub, &priv), CKR_OK);
  expect("sign init", f->C_SignInit(rw, &ecdsa, priv), CKR_OK);
  CK_BYTE sig[64];
  CK_ULONG slen = sizeof sig;
  expect("sign in parts", f->C_SignUpdate(rw, plain, 10), CKR_OK);
  expect("sign single-part in the middle of parts", f->C_Sign(rw, plain, 10, sig, &slen), CKR_OPERATION_ACTIVE);
  expect("sign init after the failed call", f->C_SignInit(rw, &ecdsa, priv), CKR_OK);
  expect("sign", f->C_Sign(rw, plain, sizeof plain, sig, &slen), CKR_OK);
  check("ECDSA P-256 signature is r||s", slen == 64);
  CK_MECHANISM ecdsa_sha1 = {0x1042UL, NULL, 0};
  expect("ECDSA with SHA-1 in approved-only mode", f->C_SignInit(rw, &ecdsa_sha1, priv), CKR_MECHANISM_INVALID);
  CK_BYTE gcm_iv[12] = {0};
  CK_GCM_PARAMS gcm_params = {gcm_iv, sizeof gcm_iv, 96, NULL, 0, 128};
  CK_MECHANISM gcm = {0x1087UL, &gcm_params, sizeof gcm_params};
  CK_ATTRIBUTE aes2_template[] = {{CKA_CLASS, &secret, sizeof secret}, {CKA_VALUE_LEN, &len32, sizeof len32}};
  CK_OBJECT_HANDLE aes2;
  expect("a session AES key", f->C_GenerateKey(rw, &aesgen, aes2_template, 2, &aes2), CKR_OK);
  expect("AES-GCM with a caller's IV in approved-only mode", f->C_EncryptInit(rw, &gcm, aes2), 0x71UL);
  expect("verify with the private key", f->C_VerifyInit(rw, &ecdsa, priv), CKR_KEY_TYPE_INCONSISTENT);
  expect("verify init", f->C_VerifyInit(rw, &ecdsa, pub), CKR_OK);
  expect("verify", f->C_Verify(rw, plain, sizeof plain, sig, slen), CKR_OK);
  sig[5] ^= 1;
  expect("verify init again", f->C_VerifyInit(rw, &ecdsa, pub), CKR_OK);
  expect("verify a changed signature", f->C_Verify(rw, plain, sizeof plain, sig, slen), CKR_SIGNATURE_INVALID);
  shared_key = priv;
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, signer_thread, NULL);
  intptr_t signed_total = 0;
  for (int i = 0; i < 4; i++) {
    void *ok;
    pthread_join(threads[i], &ok);
    signed_total += (intptr_t)ok;
  }
  check("four threads sign side by side", signed_total == 40);
  expect("destroy an unknown object", f->C_DestroyObject(rw, 999999), CKR_OBJECT_HANDLE_INVALID);
  expect("destroy the AES key", f->C_DestroyObject(rw, aes), CKR_OK);
  expect("use the destroyed key", f->C_EncryptInit(rw, &cbc, aes), CKR_KEY_HANDLE_INVALID);

  /* A forked child sees the module uninitialized, and starts its own bridge on C_Initialize. */
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    CK_ULONG n = 0;
    if (f->C_GetSlotList(0, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED) _exit(2);
    if (f->C_Initialize(NULL) != CKR_OK) _exit(3);
    CK_SESSION_HANDLE s;
    CK_BYTE r[16];
    if (f->C_OpenSession(first_slot(), CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) _exit(4);
    if (f->C_GenerateRandom(s, r, sizeof r) != CKR_OK) _exit(5);
    if (f->C_Finalize(NULL) != CKR_OK) _exit(6);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  check("a forked child re-initializes", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  expect("the parent still works after the fork", f->C_GenerateRandom(rw, random, sizeof random), CKR_OK);

  expect("logout", f->C_Logout(rw), CKR_OK);
  expect("sign after logout", f->C_SignInit(rw, &ecdsa, priv), CKR_USER_NOT_LOGGED_IN);
  expect("close session", f->C_CloseSession(rw), CKR_OK);
  expect("use a closed session", f->C_GenerateRandom(rw, random, sizeof random), CKR_SESSION_HANDLE_INVALID);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
  expect("call after finalize", f->C_GetSlotList(0, NULL, &count), CKR_CRYPTOKI_NOT_INITIALIZED);
  expect("finalize with a reserved pointer", f->C_Finalize((void *)1), CKR_ARGUMENTS_BAD);
}

#include "mechanisms.inc"
#include "state_rules.inc"
#include "post_quantum.inc"

/* The PIN flags follow the device's lockout (run with max-pin-failures = 3 on both sides). */
static void lockout(const char *pin) {
  CK_SLOT_ID slot = first_slot();
  CK_SESSION_HANDLE s;
  CK_TOKEN_INFO ti;
  expect("open a session", f->C_OpenSession(slot, 0x6UL, NULL, NULL, &s), CKR_OK);
  expect("token info before any failure", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("no PIN flags before any failure", (ti.flags & 0x70000UL) == 0);
  expect("first wrong PIN", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "wrong-pin-1", 11), CKR_PIN_INCORRECT);
  expect("token info after one failure", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("count low, not yet the final try", (ti.flags & 0x10000UL) && !(ti.flags & 0x20000UL));
  expect("second wrong PIN", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "wrong-pin-2", 11), CKR_PIN_INCORRECT);
  expect("token info after two failures", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("the final try", (ti.flags & 0x20000UL) != 0);
  expect("third wrong PIN", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "wrong-pin-3", 11), CKR_PIN_INCORRECT);
  expect("the right PIN on a locked credential", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), 0xA4UL);
  expect("token info when locked", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("the PIN is locked", (ti.flags & 0x40000UL) != 0);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

/* The security officer is the partition owner: its key (under the SO PIN) sets a new user PIN. */
static void owner(const char *pin, const char *so_pin) {
  CK_SLOT_ID slot = first_slot();
  CK_SESSION_HANDLE ro, rw;
  CK_SESSION_INFO si;
  const char *fresh = "owner-set-pin-9";
  expect("open a read-only session", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
  expect("open a read/write session", f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &rw), CKR_OK);
  expect("SO login with a read-only session open", f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin)),
         0xB7UL);
  expect("close the read-only session", f->C_CloseSession(ro), CKR_OK);
  expect("init PIN without the SO", f->C_InitPIN(rw, (CK_UTF8CHAR_PTR) fresh, strlen(fresh)), CKR_USER_NOT_LOGGED_IN);
  expect("SO login with a wrong SO PIN", f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR) "wrong-so-pin", 12), CKR_PIN_INCORRECT);
  expect("SO login", f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin)), CKR_OK);
  expect("session info as SO", f->C_GetSessionInfo(rw, &si), CKR_OK);
  check("the session is in SO state", si.state == 4);
  expect("user login while the SO is", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), 0x104UL);
  expect("a read-only session while the SO is logged in", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), 0xB8UL);
  expect("init PIN with a NULL PIN", f->C_InitPIN(rw, NULL, 8), CKR_ARGUMENTS_BAD);
  expect("the SO sets a new user PIN", f->C_InitPIN(rw, (CK_UTF8CHAR_PTR) fresh, strlen(fresh)), CKR_OK);
  expect("SO logout", f->C_Logout(rw), CKR_OK);
  expect("the old user PIN no longer logs in", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_PIN_INCORRECT);
  expect("the new user PIN does", f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR) fresh, strlen(fresh)), CKR_OK);
  expect("SO login while the user is", f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin)), 0x104UL);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

/* C_InitToken: the SO re-initialises the partition; every object goes and the user PIN waits for C_InitPIN. */
static void init_token(const char *pin, const char *so_pin) {
  CK_SLOT_ID slot = first_slot();
  CK_SESSION_HANDLE s;
  CK_TOKEN_INFO ti;
  CK_BBOOL yes = 1;
  CK_OBJECT_CLASS data_class = 0, secret_class = 4;
  CK_BYTE label[32], bad_label[32];
  memset(label, ' ', 32);
  memcpy(label, "fresh token", 11);
  memcpy(bad_label, label, 32);
  bad_label[3] = '\n';
  expect("open a session", f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
  expect("login", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  CK_ATTRIBUTE data[] = {{0x0UL, &data_class, sizeof data_class}, {0x1UL, &yes, 1}, {0x11UL, "kept", 4}};
  CK_OBJECT_HANDLE o;
  expect("a token data object", f->C_CreateObject(s, data, 3, &o), CKR_OK);
  CK_ULONG len = 32;
  CK_MECHANISM gen = {0x1080UL, NULL, 0};
  CK_ATTRIBUTE kt[] = {{0x0UL, &secret_class, sizeof secret_class}, {0x1UL, &yes, 1}, {0x161UL, &len, sizeof len}};
  expect("a token AES key", f->C_GenerateKey(s, &gen, kt, 3, &o), CKR_OK);
  expect("C_InitToken with a session open", f->C_InitToken(slot, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin), label), 0xB6UL);
  expect("close every session", f->C_CloseAllSessions(slot), CKR_OK);
  expect("C_InitToken with a wrong SO PIN", f->C_InitToken(slot, (CK_UTF8CHAR_PTR) "wrong-so-pin", 12, label),
         CKR_PIN_INCORRECT);
  expect("C_InitToken without a label", f->C_InitToken(slot, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin), NULL),
         CKR_ARGUMENTS_BAD);
  expect("C_InitToken with a control character in the label",
         f->C_InitToken(slot, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin), bad_label), CKR_ARGUMENTS_BAD);
  expect("open a session after the refusals", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
  expect("the refusals changed nothing: the user PIN works", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)),
         CKR_OK);
  expect("close it", f->C_CloseSession(s), CKR_OK);

  expect("C_InitToken", f->C_InitToken(slot, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin), label), CKR_OK);
  expect("token info", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("the token has the new label", memcmp(ti.label, label, 32) == 0);
  check("the user PIN is not initialised", (ti.flags & 0x8UL) == 0 && (ti.flags & 0x400UL) != 0);
  expect("open a session", f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
  expect("the old user PIN", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), 0x102UL /* CKR_USER_PIN_NOT_INITIALIZED */);
  expect("SO login", f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) so_pin, strlen(so_pin)), CKR_OK);
  const char *fresh = "after-init-pin-7";
  expect("C_InitPIN", f->C_InitPIN(s, (CK_UTF8CHAR_PTR) fresh, strlen(fresh)), CKR_OK);
  expect("SO logout", f->C_Logout(s), CKR_OK);
  expect("token info after C_InitPIN", f->C_GetTokenInfo(slot, &ti), CKR_OK);
  check("the user PIN is initialised", (ti.flags & 0x8UL) != 0);
  expect("the old user PIN no longer logs in", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_PIN_INCORRECT);
  expect("the new user PIN does", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) fresh, strlen(fresh)), CKR_OK);
  CK_OBJECT_CLASS classes[] = {data_class, secret_class};
  for (int i = 0; i < 2; i++) {
    CK_ATTRIBUTE q[] = {{0x0UL, &classes[i], sizeof classes[i]}};
    CK_OBJECT_HANDLE found[4];
    CK_ULONG count = 9;
    expect("find init", f->C_FindObjectsInit(s, q, 1), CKR_OK);
    expect("find", f->C_FindObjects(s, found, 4, &count), CKR_OK);
    expect("find final", f->C_FindObjectsFinal(s), CKR_OK);
    check(i == 0 ? "no data object is left" : "no secret key is left", count == 0);
  }
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

/* Sessions open, then the daemon stops (the test stops it once this prints "ready"): calls fail, they do not hang. */
static void midway(const char *pin) {
  CK_SLOT_ID slot = first_slot();
  CK_SESSION_HANDLE s;
  expect("open a session", f->C_OpenSession(slot, 0x6UL, NULL, NULL, &s), CKR_OK);
  expect("login", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  CK_BYTE r[16];
  expect("random while the daemon runs", f->C_GenerateRandom(s, r, sizeof r), CKR_OK);
  CK_MECHANISM aesgen = {CKM_AES_KEY_GEN, NULL, 0};
  CK_ULONG len32 = 32;
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_BBOOL yes = 1;
  CK_ATTRIBUTE kt[] = {{CKA_CLASS, &secret_class, sizeof secret_class}, {CKA_VALUE_LEN, &len32, sizeof len32},
                       {CKA_TOKEN, &yes, 1}, {CKA_LABEL, "kept", 4}};
  CK_OBJECT_HANDLE kept;
  expect("a token key while the daemon runs", f->C_GenerateKey(s, &aesgen, kt, 4, &kept), CKR_OK);
  CK_OBJECT_HANDLE found[8];
  CK_ULONG nfound = 0;
  expect("list the objects", f->C_FindObjectsInit(s, NULL, 0), CKR_OK);
  expect("list them", f->C_FindObjects(s, found, 8, &nfound), CKR_OK);
  expect("list done", f->C_FindObjectsFinal(s), CKR_OK);
  printf("ready\n");
  fflush(stdout);
  CK_RV rv = CKR_OK;
  for (int i = 0; i < 300 && rv == CKR_OK; i++) {
    usleep(100000);
    rv = f->C_GenerateRandom(s, r, sizeof r);
  }
  expect("random after the daemon stopped", rv, CKR_DEVICE_REMOVED);
  CK_ATTRIBUTE t[] = {{CKA_CLASS, &secret_class, sizeof secret_class}, {CKA_VALUE_LEN, &len32, sizeof len32}};
  CK_OBJECT_HANDLE k;
  expect("a key after the daemon stopped", f->C_GenerateKey(s, &aesgen, t, 2, &k), CKR_DEVICE_REMOVED);
  /* The key's only lasting form is its blob in the host store (the stopped device kept nothing): it goes. */
  expect("destroying a token key with the daemon stopped", f->C_DestroyObject(s, kept), CKR_OK);
  CK_BYTE label[16];
  CK_ATTRIBUTE la = {CKA_LABEL, label, sizeof label};
  expect("the destroyed key is gone", f->C_GetAttributeValue(s, kept, &la, 1), 0x82UL);
  CK_SLOT_INFO si;
  expect("slot info after the daemon stopped", f->C_GetSlotInfo(slot, &si), CKR_OK);
  check("no token present any more", (si.flags & 0x1UL) == 0);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

/* Waits for the test's line on standard input (it acts on the service meanwhile). */
static void wait_for_test(void) {
  printf("ready\n");
  fflush(stdout);
  char line[64];
  if (!fgets(line, sizeof line, stdin)) check("the test said go on", 0);
}

/* Logged in, while another application on the same service is not: logins are per application. */
static void hold_login(const char *pin) {
  CK_SESSION_HANDLE s;
  CK_SESSION_INFO si;
  expect("open a session", f->C_OpenSession(first_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
  expect("login", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  wait_for_test();
  expect("session info", f->C_GetSessionInfo(s, &si), CKR_OK);
  check("still logged in", si.state == 3 /* CKS_RW_USER_FUNCTIONS */);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

static void public_session(void) {
  CK_SESSION_HANDLE s;
  CK_SESSION_INFO si;
  expect("open a session", f->C_OpenSession(first_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
  expect("session info", f->C_GetSessionInfo(s, &si), CKR_OK);
  check("not logged in by the other application's login", si.state == 2 /* CKS_RW_PUBLIC_SESSION */);
  expect("logout without a login", f->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

/* The service is killed under an open session: calls fail at once, and a new initialize starts another. */
static void service_killed(const char *pin) {
  CK_SESSION_HANDLE s;
  CK_BYTE r[16];
  expect("open a session", f->C_OpenSession(first_slot(), CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
  expect("login", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  wait_for_test();
  expect("random after the service was killed", f->C_GenerateRandom(s, r, sizeof r), CKR_DEVICE_REMOVED);
  expect("random again", f->C_GenerateRandom(s, r, sizeof r), CKR_DEVICE_REMOVED);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
  expect("initialize again", f->C_Initialize(NULL), CKR_OK);
  expect("open a session on the new service", f->C_OpenSession(first_slot(), CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
  expect("login again", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin)), CKR_OK);
  expect("random on the new service", f->C_GenerateRandom(s, r, sizeof r), CKR_OK);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

static void stopped(void) {
  CK_SLOT_ID slot = first_slot();
  CK_SLOT_INFO si;
  expect("slot info with the daemon stopped", f->C_GetSlotInfo(slot, &si), CKR_OK);
  check("no token present", (si.flags & 0x1UL) == 0);
  CK_TOKEN_INFO ti;
  expect("token info with the daemon stopped", f->C_GetTokenInfo(slot, &ti), CKR_TOKEN_NOT_PRESENT);
  CK_SESSION_HANDLE s;
  expect("open session with the daemon stopped", f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
         CKR_TOKEN_NOT_PRESENT);
  expect("finalize", f->C_Finalize(NULL), CKR_OK);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: module-test MODULE running|mechanisms|lockout PIN | MODULE import PIN HEX | MODULE owner|inittoken PIN SO-PIN | MODULE midway PIN | MODULE stopped | MODULE unconfigured\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  CK_RV (*get_interface)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS) = dlsym(lib, "C_GetInterface");
  CK_INTERFACE *iface = NULL;
  CK_VERSION v30 = {3, 0};
  if (!get_interface || get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &iface, 0) != CKR_OK) {
    fprintf(stderr, "no PKCS 11 3.0 interface\n");
    return 2;
  }
  f = iface->pFunctionList;
  check("interface version 3.0", f->version.major == 3 && f->version.minor == 0);
  CK_VERSION v32 = {3, 2};
  CK_INTERFACE *newest = NULL;
  if (get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v32, &iface, 0) == CKR_OK &&
      get_interface((CK_UTF8CHAR_PTR) "PKCS 11", NULL, &newest, 0) == CKR_OK) {
    f32 = iface->pFunctionList;
    check("the interface without a version is 3.2", newest == iface);
  }
  expect("call before initialize", f->C_GetSlotList(0, NULL, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
  if (strcmp(argv[2], "nobridge") == 0) {
    /* No service and none can be started (a refused directory, no Java): a device error at once. */
    expect("initialize without a bridge", f->C_Initialize(NULL), CKR_DEVICE_ERROR);
    expect("a call after the failed initialize", f->C_GetSlotList(0, NULL, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    printf(failures ? "%d FAILED\n" : "all passed\n", failures);
    return failures ? 1 : 0;
  }
  if (strcmp(argv[2], "unconfigured") == 0) {
    /* No daemon named anywhere: C_Initialize says so at once instead of every later call failing. */
    expect("initialize without a configuration", f->C_Initialize(NULL), CKR_GENERAL_ERROR);
    expect("a call after the failed initialize", f->C_GetSlotList(0, NULL, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    printf(failures ? "%d FAILED\n" : "all passed\n", failures);
    return failures ? 1 : 0;
  }
  CK_C_INITIALIZE_ARGS bad = {0};
  bad.pReserved = (void *)1;
  expect("initialize with a reserved pointer", f->C_Initialize(&bad), CKR_ARGUMENTS_BAD);
  char marker[128];
  snprintf(marker, sizeof marker, "/tmp/ihsm-module-test-%d", (int)getpid());
  int marker_fd = open(marker, O_CREAT | O_RDWR, 0600); /* a descriptor of the application's own */
  CK_C_INITIALIZE_ARGS args = {0};
  args.flags = CKF_OS_LOCKING_OK;
  expect("initialize", f->C_Initialize(&args), CKR_OK);
  int services = 0;
  int held = bridge_holds(marker, &services);
  check("a bridge service runs", services > 0);
  check("the bridge holds none of the application's descriptors", marker_fd >= 0 && !held);
  close(marker_fd);
  unlink(marker);
  if (strcmp(argv[2], "running") == 0 && argc > 3) {
    running(argv[3]);
  } else if (strcmp(argv[2], "mechanisms") == 0 && argc > 3) {
    mechanisms(argv[3]);
  } else if (strcmp(argv[2], "staterules") == 0 && argc > 3) {
    state_rules(argv[3]);
  } else if (strcmp(argv[2], "objectrules") == 0 && argc > 3) {
    object_rules(argv[3]);
  } else if (strcmp(argv[2], "owner") == 0 && argc > 4) {
    owner(argv[3], argv[4]);
  } else if (strcmp(argv[2], "inittoken") == 0 && argc > 4) {
    init_token(argv[3], argv[4]);
  } else if (strcmp(argv[2], "midway") == 0 && argc > 3) {
    midway(argv[3]);
  } else if (strcmp(argv[2], "holdlogin") == 0 && argc > 3) {
    hold_login(argv[3]);
  } else if (strcmp(argv[2], "public") == 0) {
    public_session();
  } else if (strcmp(argv[2], "servicekilled") == 0 && argc > 3) {
    service_killed(argv[3]);
  } else if (strcmp(argv[2], "lockout") == 0 && argc > 3) {
    lockout(argv[3]);
  } else if (strcmp(argv[2], "postquantum") == 0 && argc > 4) {
    post_quantum(argv[3], argv[4]);
  } else if (strcmp(argv[2], "import") == 0 && argc > 4) {
    import_wrapped(argv[3], argv[4]);
  } else {
    stopped();
  }
  printf(failures ? "%d FAILED\n" : "all passed\n", failures);
  return failures ? 1 : 0;
}
