package io.ihsm.ddi;

import java.util.HexFormat;

/** Bytes as the docs write them: lower-case hex pairs separated by spaces. */
final class HexText {
  private HexText() {}

  static String of(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }

  static byte[] parse(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }
}
