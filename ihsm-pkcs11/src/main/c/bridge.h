/*
 * The calls the module forwards to the Java bridge, by number (Function.java has the same list;
 * a test compares them), and the kinds of mechanism parameter it flattens (MechanismSpec.java).
 */
#ifndef IHSM_BRIDGE_H
#define IHSM_BRIDGE_H

#define IHSM_FN_GET_SLOT_LIST 1
#define IHSM_FN_GET_SLOT_INFO 2
#define IHSM_FN_GET_TOKEN_INFO 3
#define IHSM_FN_GET_MECHANISM_LIST 4
#define IHSM_FN_GET_MECHANISM_INFO 5
#define IHSM_FN_INIT_TOKEN 6
#define IHSM_FN_INIT_PIN 7
#define IHSM_FN_SET_PIN 8
#define IHSM_FN_OPEN_SESSION 9
#define IHSM_FN_CLOSE_SESSION 10
#define IHSM_FN_CLOSE_ALL_SESSIONS 11
#define IHSM_FN_GET_SESSION_INFO 12
#define IHSM_FN_LOGIN 13
#define IHSM_FN_LOGOUT 14
#define IHSM_FN_CREATE_OBJECT 15
#define IHSM_FN_COPY_OBJECT 16
#define IHSM_FN_DESTROY_OBJECT 17
#define IHSM_FN_GET_OBJECT_SIZE 18
#define IHSM_FN_GET_ATTRIBUTE_VALUE 19
#define IHSM_FN_SET_ATTRIBUTE_VALUE 20
#define IHSM_FN_FIND_OBJECTS_INIT 21
#define IHSM_FN_FIND_OBJECTS 22
#define IHSM_FN_FIND_OBJECTS_FINAL 23
#define IHSM_FN_ENCRYPT_INIT 24
#define IHSM_FN_ENCRYPT 25
#define IHSM_FN_ENCRYPT_UPDATE 26
#define IHSM_FN_ENCRYPT_FINAL 27
#define IHSM_FN_DECRYPT_INIT 28
#define IHSM_FN_DECRYPT 29
#define IHSM_FN_DECRYPT_UPDATE 30
#define IHSM_FN_DECRYPT_FINAL 31
#define IHSM_FN_DIGEST_INIT 32
#define IHSM_FN_DIGEST 33
#define IHSM_FN_DIGEST_UPDATE 34
#define IHSM_FN_DIGEST_KEY 35
#define IHSM_FN_DIGEST_FINAL 36
#define IHSM_FN_SIGN_INIT 37
#define IHSM_FN_SIGN 38
#define IHSM_FN_SIGN_UPDATE 39
#define IHSM_FN_SIGN_FINAL 40
#define IHSM_FN_VERIFY_INIT 41
#define IHSM_FN_VERIFY 42
#define IHSM_FN_VERIFY_UPDATE 43
#define IHSM_FN_VERIFY_FINAL 44
#define IHSM_FN_GENERATE_KEY 45
#define IHSM_FN_GENERATE_KEY_PAIR 46
#define IHSM_FN_WRAP_KEY 47
#define IHSM_FN_UNWRAP_KEY 48
#define IHSM_FN_DERIVE_KEY 49
#define IHSM_FN_SEED_RANDOM 50
#define IHSM_FN_GENERATE_RANDOM 51
#define IHSM_FN_FINALIZE 52
#define IHSM_FN_SESSION_CANCEL 53
#define IHSM_FN_LOGIN_USER 54
#define IHSM_FN_INITIALIZE 55

#define IHSM_PARAM_NONE 0
#define IHSM_PARAM_RAW 1
#define IHSM_PARAM_OAEP 2
#define IHSM_PARAM_GCM 3
#define IHSM_PARAM_ECDH 4
#define IHSM_PARAM_HKDF 5
#define IHSM_PARAM_KDF_108 6
#define IHSM_PARAM_RSA_AES 7

/* The largest frame either side accepts (Bridge.MAX_FRAME). */
#define IHSM_MAX_FRAME (4u << 20)
/* The largest byte array sent; a larger one is sent as flag 2, "too large" (Request.bytes). */
#define IHSM_MAX_ARRAY (3u << 19)

#endif
