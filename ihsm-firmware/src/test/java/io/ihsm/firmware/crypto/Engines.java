package io.ihsm.firmware.crypto;

import java.util.ArrayList;
import java.util.List;

/** The engines a test runs on: always the JDK's, and ACCP where its native library loads here. */
final class Engines {
  private Engines() {}

  static List<CryptoEngine> available() {
    List<CryptoEngine> all = new ArrayList<>();
    CryptoEngines.accp().ifPresent(all::add);
    all.add(CryptoEngines.jdk());
    return all;
  }
}
