/** `ihsm bench` and the JMH benchmarks: ihsm against SoftHSM2, the raw engine and the JDK. */
module io.ihsm.bench {
  requires io.ihsm.jca;
  requires io.ihsm.device;
  requires io.ihsm.pkcs11;
  requires com.amazon.corretto.crypto.provider;
  requires HdrHistogram;
  requires jmh.core;

  exports io.ihsm.bench;

  // JMH runs its generated benchmark classes by reflection.
  opens io.ihsm.bench.jmh;
}
