package io.ihsm.pkcs11;

/**
 * The calls the C module forwards, by the number it sends first in each frame. The C side has the
 * same numbers ({@code IHSM_FN_*} in {@code bridge.h}); a test checks both lists are the same.
 */
public enum Function {
  GET_SLOT_LIST(1),
  GET_SLOT_INFO(2),
  GET_TOKEN_INFO(3),
  GET_MECHANISM_LIST(4),
  GET_MECHANISM_INFO(5),
  INIT_TOKEN(6),
  INIT_PIN(7),
  SET_PIN(8),
  OPEN_SESSION(9),
  CLOSE_SESSION(10),
  CLOSE_ALL_SESSIONS(11),
  GET_SESSION_INFO(12),
  LOGIN(13),
  LOGOUT(14),
  CREATE_OBJECT(15),
  COPY_OBJECT(16),
  DESTROY_OBJECT(17),
  GET_OBJECT_SIZE(18),
  GET_ATTRIBUTE_VALUE(19),
  SET_ATTRIBUTE_VALUE(20),
  FIND_OBJECTS_INIT(21),
  FIND_OBJECTS(22),
  FIND_OBJECTS_FINAL(23),
  ENCRYPT_INIT(24),
  ENCRYPT(25),
  ENCRYPT_UPDATE(26),
  ENCRYPT_FINAL(27),
  DECRYPT_INIT(28),
  DECRYPT(29),
  DECRYPT_UPDATE(30),
  DECRYPT_FINAL(31),
  DIGEST_INIT(32),
  DIGEST(33),
  DIGEST_UPDATE(34),
  DIGEST_KEY(35),
  DIGEST_FINAL(36),
  SIGN_INIT(37),
  SIGN(38),
  SIGN_UPDATE(39),
  SIGN_FINAL(40),
  VERIFY_INIT(41),
  VERIFY(42),
  VERIFY_UPDATE(43),
  VERIFY_FINAL(44),
  GENERATE_KEY(45),
  GENERATE_KEY_PAIR(46),
  WRAP_KEY(47),
  UNWRAP_KEY(48),
  DERIVE_KEY(49),
  SEED_RANDOM(50),
  GENERATE_RANDOM(51),
  FINALIZE(52),
  SESSION_CANCEL(53),
  LOGIN_USER(54),
  INITIALIZE(55),
  ENCAPSULATE_KEY(56),
  DECAPSULATE_KEY(57);

  private final int code;

  Function(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Function fromCode(int code) {
    for (Function f : values()) {
      if (f.code == code) {
        return f;
      }
    }
    return null;
  }
}
