package io.ihsm.kmip.server;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A KMIP managed object as the server records it beside the partition's key: what KMIP says of it
 * that the device does not keep (its names, usage mask, the client's own attributes). Its state and
 * dates are the key version's, read from the device's answers, never stored here.
 *
 * @param uid the object's Unique Identifier: the key version's id (32 hex digits), with {@code
 *     -public} for the public half of a key pair
 * @param key the key version it is ({@code label#version})
 * @param custom the client's own attributes ({@code x-…}), each value a TTLV item, encoded
 */
record KmipObject(
    String uid,
    int objectType,
    String key,
    int algorithm,
    int length,
    int usageMask,
    List<String> names,
    Map<String, List<byte[]>> custom,
    Instant initialDate) {
  static final int SYMMETRIC_KEY = 2;
  static final int PUBLIC_KEY = 3;
  static final int PRIVATE_KEY = 4;

  KmipObject {
    names = List.copyOf(names);
    custom = Map.copyOf(custom);
  }

  KmipObject withNames(List<String> next) {
    return new KmipObject(
        uid, objectType, key, algorithm, length, usageMask, next, custom, initialDate);
  }

  KmipObject withCustom(Map<String, List<byte[]>> next) {
    return new KmipObject(
        uid, objectType, key, algorithm, length, usageMask, names, next, initialDate);
  }
}
