/** KMIP: the TTLV message encoding (OASIS KMIP 1.x, section 9.1). */
module io.ihsm.kmip {
  exports io.ihsm.kmip.ttlv;
}
