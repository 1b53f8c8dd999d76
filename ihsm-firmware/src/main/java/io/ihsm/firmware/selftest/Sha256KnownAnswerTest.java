package io.ihsm.firmware.selftest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 known-answer test with the FIPS 180-4 example "abc". */
final class Sha256KnownAnswerTest implements SelfTest {
  private static final byte[] EXPECTED =
      HexFormat.of().parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  @Override
  public String name() {
    return "SHA-256 KAT";
  }

  @Override
  public boolean run() throws Exception {
    byte[] got = MessageDigest.getInstance("SHA-256").digest("abc".getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.isEqual(EXPECTED, got);
  }
}
