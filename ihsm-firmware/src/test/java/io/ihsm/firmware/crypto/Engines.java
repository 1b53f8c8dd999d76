package io.ihsm.firmware.crypto;

import java.util.ArrayList;
import java.util.List;

/** The engines a test runs on: always the JDK's, and ACCP where its native library loads here. */
public final class Engines {
  private Engines() {}

  public static List<CryptoEngine> available() {
    List<CryptoEngine> all = new ArrayList<>();
    CryptoEngines.accp().ifPresent(all::add);
    all.add(CryptoEngines.jdk());
    return all;
  }
}
